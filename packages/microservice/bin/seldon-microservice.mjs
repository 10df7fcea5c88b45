#!/usr/bin/env node
// The installed command. A committed shim (not dist/cli.js itself) so that `pnpm install` on a
// fresh checkout, which runs before the build, can link the bin; it runs the built CLI.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('seldon-microservice: not built yet: run `pnpm build` (tsc -b) first\n')
  process.exit(1)
}
await import(cli.href)
