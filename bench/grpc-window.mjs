#!/usr/bin/env node
// The gRPC flow-control experiment of BENCHMARKS.md: a payload over gRPC against
// servers/ours-grpc-http2-window.mjs (HTTP/2's 64 KiB server receive window) and
// servers/ours-grpc-window.mjs (16 MiB), alternating, ROUNDS × SECONDS each, medians of req/s, p50, p90 and the
// server's CPU per call (from /proc). Bounded like `pnpm bench`.
//
// SERVERS picks other scripts of bench/servers (two or more), e.g. `SERVERS=bare-grpc,ours-grpc
// CONCURRENCY=1` for sequential latencies against the gRPC floor, or the HTTP/2 server candidates
// (`connect-grpc`, `connect-grpc-window`, `connect-grpc-raw`, `connect-grpc-raw-window`); each
// ratio is that server's ÷ the first's, taken within a round. PROCESSES=n starts every server n
// times, each process its own contender in the rounds (ratios pair process i of each server), and
// prints each process's medians: a server whose processes differ for their whole life (bimodal)
// shows there, where one process per run would hide it in the run-to-run spread.
//   SERVERS=a,b[,c...] PROCESSES=1 CONCURRENCY=16 CHANNELS=16 ROUNDS=3 SECONDS=5 WARMUP=2 node bench/grpc-window.mjs [payload=tensor]
import { fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './lib/stats.mjs'
import { cpuMicros } from './lib/cpu.mjs'
import { loadAverage } from './lib/rounds.mjs'
import { forkLoadGenerator } from './lib/load-generators.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const payload = process.argv[2] ?? 'tensor'
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 5)
const WARMUP = Number(process.env.WARMUP ?? 2)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16)
const PROCESSES = Number(process.env.PROCESSES ?? 1)

async function start (name, index) {
  const script = `${name}.mjs`
  const child = fork(path.join(here, 'servers', script), ['0', '0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 30_000)
    child.on('message', m => { if (m?.ready) { clearTimeout(timer); resolve(m) } })
  })
  const label = PROCESSES > 1 ? `${script}#${index + 1}` : script
  return { name, index, label, child, port: ready.grpc, runs: [] }
}

function load (port, seconds) {
  const child = forkLoadGenerator('grpc')
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('load generator timed out')) }, (seconds + 60) * 1000)
    child.on('message', r => { clearTimeout(timer); resolve(r) })
    child.send({ target: `127.0.0.1:${port}`, payload, concurrency: CONCURRENCY, channels: Number(process.env.CHANNELS ?? CONCURRENCY), duration: seconds })
  })
}

const names = (process.env.SERVERS ?? 'ours-grpc-http2-window,ours-grpc-window').split(',')
const loadBefore = loadAverage()
const t0 = Date.now()
// groups[p] holds process p of every server, in SERVERS order
const groups = []
try {
  for (let p = 0; p < PROCESSES; p++) {
    const group = []
    groups.push(group)
    for (const name of names) group.push(await start(name, p))
  }
  for (const group of groups) for (const s of group) await load(s.port, WARMUP)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [p, group] of groups.entries()) {
      // the order rotates from round to round (and from process to process): none always runs first
      const shift = (round + p) % group.length
      for (const s of group.slice(shift).concat(group.slice(0, shift))) {
        const cpu0 = cpuMicros(s.child.pid)
        const r = await load(s.port, SECONDS)
        r.cpu = (cpuMicros(s.child.pid) - cpu0) / Math.max(1, r.requests) / 1000
        s.runs[round] = r
        console.error(`${s.label.padEnd(30)} ${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.p50.toFixed(1)} ms  p90 ${r.p90.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  CPU ${r.cpu.toFixed(2)} ms/call  errors ${r.errors}${r.lastError ? ` (${r.lastError})` : ''}`)
      }
    }
  }
} finally {
  for (const group of groups) for (const s of group) s.child.kill()
}

const runsOf = (i) => groups.flatMap(group => group[i].runs)
const m = (runs, field) => median(runs.map(r => r[field]))
// within a round, server i's process p against the first server's process p
const ratio = (i, field) => median(groups.flatMap(group => group[i].runs.map((r, round) => r[field] / group[0].runs[round][field])))
const perProcess = (i, field, digits) => groups.map(group => m(group[i].runs, field).toFixed(digits)).join(', ')
console.log(`${payload} over gRPC, ${CONCURRENCY} in flight, ${ROUNDS} rounds × ${SECONDS} s, ${PROCESSES} process(es) per server, ${((Date.now() - t0) / 1000).toFixed(0)} s; load average ${loadBefore} before, ${loadAverage()} after`)
for (const [i, name] of names.entries()) {
  const runs = runsOf(i)
  const errors = runs.reduce((sum, r) => sum + r.errors, 0)
  console.log(`${name}.mjs: ${m(runs, 'rps').toFixed(0)} req/s, p50 ${m(runs, 'p50').toFixed(2)} ms, p90 ${m(runs, 'p90').toFixed(2)} ms, CPU ${m(runs, 'cpu').toFixed(2)} ms/call${errors > 0 ? `, ${errors} errors` : ''}`)
  if (PROCESSES > 1) console.log(`  per process: CPU ${perProcess(i, 'cpu', 2)} ms/call; req/s ${perProcess(i, 'rps', 0)}; p90 ${perProcess(i, 'p90', 1)} ms`)
  if (i > 0) console.log(`  ÷ ${names[0]}.mjs, per-round medians: req/s ${ratio(i, 'rps').toFixed(2)}×, p50 ${ratio(i, 'p50').toFixed(2)}×, p90 ${ratio(i, 'p90').toFixed(2)}×, CPU/call ${ratio(i, 'cpu').toFixed(2)}×`)
}
