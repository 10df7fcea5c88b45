#!/usr/bin/env node
// The README's test command: lint, build, type-check (sources and every test folder), run every
// workspace package's tests (tap) and type tests (tstyche), echo their output, and end with one line
// "N passed, N failed" summed over all. It installs nothing: system packages (Debian's Chromium for the
// iris browser test) are .ci/run's job, and the browser test says what it needs when it is missing.
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname

function run (cmd, args, cwd) {
  return new Promise(resolve => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', d => { out += d; process.stdout.write(d) })
    child.stderr.on('data', d => { out += d; process.stderr.write(d) })
    child.on('close', code => resolve({ code: code ?? 1, out }))
  })
}

function workspaceDirs () {
  const dirs = []
  for (const group of ['packages', 'examples']) {
    const base = join(root, group)
    if (!existsSync(base)) continue
    for (const name of readdirSync(base).sort()) dirs.push(join(base, name))
  }
  for (const extra of ['test', 'bench']) dirs.push(join(root, extra))
  return dirs.filter(d => existsSync(join(d, 'package.json')))
}

let passed = 0
let failed = 0
const problems = []

const lint = await run('pnpm', ['exec', 'eslint', '.'], root)
if (lint.code !== 0) { problems.push('lint (eslint)'); failed++ } else passed++

const build = await run('pnpm', ['exec', 'tsc', '-b'], root)
if (build.code !== 0) { problems.push('build (tsc -b)'); failed++ } else passed++

for (const dir of workspaceDirs()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const rel = dir.slice(root.length)
  for (const script of ['typecheck', 'test']) {
    if (!pkg.scripts?.[script]) continue
    process.stdout.write(`\n=== ${rel}: ${script}\n`)
    const { code, out } = await run('pnpm', ['run', '--silent', script], dir)
    let counted = false
    // tap: "# { total: 8, pass: 7, fail: 1 }"; tstyche: "Tests:      1 failed, 10 passed, 11 total"
    for (const m of out.matchAll(/# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/g)) {
      passed += Number(m[2]); failed += Number(m[3] ?? 0); counted = true
    }
    const tst = out.match(/Tests:\s+(?:(\d+) failed, )?(?:(\d+) passed)?/)
    if (!counted && tst) { passed += Number(tst[2] ?? 0); failed += Number(tst[1] ?? 0); counted = true }
    if (code !== 0) {
      problems.push(`${rel} ${script} (exit ${code})`)
      if (!counted || !/fail: [1-9]|[1-9]\d* failed/.test(out)) failed++
    }
  }
}

if (problems.length > 0) process.stdout.write(`\nFailed: ${problems.join('; ')}\n`)
process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
process.exit(failed > 0 || problems.length > 0 ? 1 : 0)
