#!/usr/bin/env node
// `prepack` of every publishable package (run in the package's folder by `pnpm pack` and
// `pnpm publish`): a tarball never ships without dist/, with a dist/ older than src/, or with files
// of deleted sources.
//
// 1. `tsc -b` (incremental: the packages this one references are built or found up to date).
// 2. Every src/**/*.ts must have its four outputs in dist/ (.js, .d.ts and their maps). The build
//    info lives beside tsconfig.json, out of dist/ and of the tarball, so `tsc -b` cannot see that
//    dist/ was deleted by hand: when an output is missing, the build info goes and the package is
//    built again.
// 3. Outputs whose source no longer exists are removed.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'

const cwd = process.cwd()
const src = join(cwd, 'src')
const dist = join(cwd, 'dist')
const OUTPUTS = ['.js', '.js.map', '.d.ts', '.d.ts.map']

function files (dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])
}

function build () {
  const tsc = createRequire(join(cwd, 'package.json')).resolve('typescript/bin/tsc')
  const { status } = spawnSync(process.execPath, [tsc, '-b'], { cwd, stdio: 'inherit' })
  if (status !== 0) process.exit(status ?? 1)
}

/** The outputs each source gives, relative to dist/ (`index.ts` → `index.js`, `index.d.ts`...). */
function expectedOutputs () {
  return files(src)
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .flatMap(f => OUTPUTS.map(ext => relative(src, f).slice(0, -'.ts'.length) + ext))
}

build()
let missing = expectedOutputs().filter(f => !existsSync(join(dist, f)))
if (missing.length > 0) {
  process.stderr.write(`prepack: dist/ lacks ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}: building again\n`)
  rmSync(join(cwd, 'tsconfig.tsbuildinfo'), { force: true })
  build()
  missing = expectedOutputs().filter(f => !existsSync(join(dist, f)))
  if (missing.length > 0) {
    process.stderr.write(`prepack: the build wrote no ${missing.join(', ')}\n`)
    process.exit(1)
  }
}
const expected = new Set(expectedOutputs())
for (const file of files(dist)) {
  const rel = relative(dist, file)
  if (OUTPUTS.some(ext => rel.endsWith(ext)) && !expected.has(rel)) {
    process.stderr.write(`prepack: removing dist/${rel} (its source is gone)\n`)
    rmSync(file)
  }
}
