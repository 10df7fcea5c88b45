// Lint: neostandard (Fastify's own style) with its TypeScript rules, over every package, example,
// test and benchmark. Runs as the first step of `pnpm test`.
import neostandard from 'neostandard'

export default neostandard({
  ts: true,
  ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.tap/**', 'bench/results/**', 'test-artifacts/**']
})
