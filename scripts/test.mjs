#!/usr/bin/env node
// The README's test command: lint, build, type-check (sources and every test folder), run every
// workspace package's tests (tap) and type tests (tstyche), echo their output, and end with one line
// "N passed, N failed" summed over all. It installs nothing: system packages (Debian's Chromium for the
// iris browser test) are .ci/run's job, and the browser test says what it needs when it is missing.
//
// Steps run two at a time (TEST_JOBS overrides; at most the machine's cores): lint beside the build,
// then every type-check and the light test packages side by side. Run one after another they left one
// of CI's two cores idle most of the time (13 min user CPU in 14 min 47 s wall): on two cores tap runs
// one test file at a time (it keeps a core free). The test packages in ALONE hold timing-sensitive
// tests (real CLI processes under load, workers killed, overload and liveness budgets, node:cluster
// workers started within a bound, thread-pool priorities): nothing runs beside them, and tap runs
// their files two at a time (TAP_JOBS), as it does by itself on a machine with three cores or more.
// Each step's output is buffered and printed whole, in the order of the steps list (lint, build,
// then per package its type-check and its tests), so the log reads as it did when the steps ran one
// by one; the step printed first streams live. TEST_TIMES=1 adds each step's wall time at the end.
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const JOBS = Math.max(1, Number(process.env.TEST_JOBS) || Math.min(2, availableParallelism()))
/** Test packages (their `test` script) that run alone: see above. */
const ALONE = new Set(['test', 'packages/microservice', 'packages/core', 'packages/metrics'])

/**
 * Every test folder's type-check as one tsc program: the per-folder `tsc -p` runs each loaded
 * Fastify's, grpc-js's and Node's types anew (~70k lines of declarations for an 80-line test folder,
 * ~9 s of CPU each, 25 of them); one program over all of them took ~24 s of CPU in all (2026-12-04).
 * The folders it leaves out (its `exclude`, e.g. the iris example with the DOM library) keep their
 * own `typecheck` step.
 */
const COMBINED_TSCONFIG = 'tsconfig.tests.json'
const combined = JSON.parse(readFileSync(join(root, COMBINED_TSCONFIG), 'utf8'))
/** Whether `rel` (packages/x, examples/y, test) is among the combined program's folders. */
function inCombinedProgram (rel) {
  if (combined.exclude.includes(rel)) return false
  const [group, name] = rel.split('/')
  return combined.include.some(pattern => {
    const [first, second] = pattern.split('/')
    return first === group && (name === undefined || second === '*' || second === name)
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

// The steps, in the order their output is printed.
const steps = [
  { name: 'lint (eslint)', cmd: 'pnpm', args: ['exec', 'eslint', '.'], cwd: root, counted: false },
  { name: 'build (tsc -b)', cmd: 'pnpm', args: ['exec', 'tsc', '-b'], cwd: root, counted: false }
]
const build = steps[1]
steps.push({
  name: `typecheck (${COMBINED_TSCONFIG}: the test folders in one program)`,
  header: `\n=== typecheck: ${COMBINED_TSCONFIG}\n`,
  cmd: 'pnpm',
  args: ['exec', 'tsc', '-p', COMBINED_TSCONFIG],
  cwd: root,
  counted: false,
  after: build,
  rank: 1
})
for (const dir of workspaceDirs()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const rel = dir.slice(root.length)
  // a folder the one program checks runs only its type tests (tstyche), not its own tsc
  const scripts = inCombinedProgram(rel) ? ['test:types', 'test'] : ['typecheck', 'test']
  for (const script of scripts) {
    if (!pkg.scripts?.[script]) continue
    steps.push({
      name: `${rel} ${script}`,
      header: `\n=== ${rel}: ${script}\n`,
      cmd: 'pnpm',
      args: ['run', '--silent', script],
      cwd: dir,
      counted: true,
      after: build,
      alone: script === 'test' && ALONE.has(rel),
      // start order: the packages that run alone first (nothing else runs right after the build),
      // then the others in print order, so that the log streams
      rank: script === 'test' && ALONE.has(rel) ? 0 : 1
    })
  }
}
steps.forEach((s, i) => { s.index = i; s.chunks = []; s.state = 'waiting' })

// Output: the step at `printing` writes through; the others buffer until it is their turn.
let printing = 0
function emit (step, stream, data) {
  if (step.index === printing) stream.write(data)
  else step.chunks.push([stream, data])
}
function flush () {
  while (printing < steps.length) {
    const step = steps[printing]
    for (const [stream, data] of step.chunks) stream.write(data)
    step.chunks = []
    if (step.state !== 'done') return
    printing++
  }
}

function run (step) {
  return new Promise(resolve => {
    if (step.header) emit(step, process.stdout, step.header)
    const env = { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', ...(step.alone ? { TAP_JOBS: String(JOBS) } : {}) }
    const child = spawn(step.cmd, step.args, { cwd: step.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', d => { out += d; emit(step, process.stdout, d) })
    child.stderr.on('data', d => { out += d; emit(step, process.stderr, d) })
    child.on('close', code => resolve({ code: code ?? 1, out }))
  })
}

/** Counts a finished step into the summary, as when the steps ran one by one. */
function tally (step, { code, out }) {
  const result = { passed: 0, failed: 0, problem: undefined }
  if (!step.counted) {
    if (code !== 0) { result.problem = step.name; result.failed++ } else result.passed++
    return result
  }
  let counted = false
  // tap: "# { total: 8, pass: 7, fail: 1 }"; tstyche: "Tests:      1 failed, 10 passed, 11 total"
  for (const m of out.matchAll(/# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/g)) {
    result.passed += Number(m[2]); result.failed += Number(m[3] ?? 0); counted = true
  }
  const tst = out.match(/Tests:\s+(?:(\d+) failed, )?(?:(\d+) passed)?/)
  if (!counted && tst) { result.passed += Number(tst[2] ?? 0); result.failed += Number(tst[1] ?? 0); counted = true }
  if (code !== 0) {
    result.problem = `${step.name} (exit ${code})`
    if (!counted || !/fail: [1-9]|[1-9]\d* failed/.test(out)) result.failed++
  }
  return result
}

// Scheduling: a step starts once the step it comes after is done and a slot is free; a step that
// runs alone waits for every slot (the steps after it in start order wait too: it is never starved).
const order = [...steps].sort((a, b) => (a.rank ?? -1) - (b.rank ?? -1) || a.index - b.index)
let running = 0
await new Promise(resolve => {
  const schedule = () => {
    for (const step of order) {
      if (step.state !== 'waiting') continue
      if (step.after && step.after.state !== 'done') return
      if (step.alone ? running > 0 : running >= JOBS) return
      step.state = 'running'
      running += step.alone ? JOBS : 1
      const started = performance.now()
      run(step).then(answer => {
        step.result = tally(step, answer)
        step.ms = performance.now() - started
        step.state = 'done'
        running -= step.alone ? JOBS : 1
        flush()
        if (steps.every(s => s.state === 'done')) resolve()
        else schedule()
      })
    }
  }
  schedule()
})

let passed = 0
let failed = 0
const problems = []
for (const { result } of steps) {
  passed += result.passed; failed += result.failed
  if (result.problem) problems.push(result.problem)
}
if (process.env.TEST_TIMES) {
  process.stdout.write(`\nStep times (${JOBS} at a time):\n${steps.map(s => `  ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${s.name}`).join('\n')}\n`)
}
if (problems.length > 0) process.stdout.write(`\nFailed: ${problems.join('; ')}\n`)
process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
// exitCode, not process.exit(): when stdout is a pipe that its reader (CI's tee) drains slower than
// the last steps' buffered output arrives, Node queues the writes, and process.exit() dropped them,
// the summary line included (a green run whose log ended mid-test and without "N passed").
process.exitCode = failed > 0 || problems.length > 0 ? 1 : 0
