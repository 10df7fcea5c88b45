#!/usr/bin/env node
// The gRPC flow-control experiment of BENCHMARKS.md: the 100k tensor over gRPC against
// servers/ours-grpc.mjs (grpc-js defaults) and servers/ours-grpc-window.mjs (16 MiB server
// receive window), alternating, ROUNDS × SECONDS each, medians of req/s, p50, p90 and the
// server's CPU per call (from /proc). Bounded like `pnpm bench`. SERVERS picks two other scripts of
// bench/servers, e.g. `SERVERS=bare-grpc,ours-grpc CONCURRENCY=1` for sequential latencies against
// the gRPC floor; the ratios are the second server's ÷ the first's.
//   CONCURRENCY=16 CHANNELS=16 ROUNDS=3 SECONDS=5 node bench/grpc-window.mjs [payload=tensor]
import { fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './lib/stats.mjs'
import { cpuMicros } from './lib/cpu.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const payload = process.argv[2] ?? 'tensor'
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 5)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16)

async function start (script) {
  const child = fork(path.join(here, 'servers', script), ['0', '0'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 30_000)
    child.on('message', m => { if (m?.ready) { clearTimeout(timer); resolve(m) } })
  })
  return { script, child, port: ready.grpc, runs: [] }
}

function load (port, seconds) {
  const child = fork(path.join(here, 'lib', 'grpc-load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('load generator timed out')) }, (seconds + 60) * 1000)
    child.on('message', r => { clearTimeout(timer); resolve(r) })
    child.send({ target: `127.0.0.1:${port}`, payload, concurrency: CONCURRENCY, channels: Number(process.env.CHANNELS ?? CONCURRENCY), duration: seconds })
  })
}

const [first, second] = (process.env.SERVERS ?? 'ours-grpc,ours-grpc-window').split(',')
const servers = [await start(`${first}.mjs`), await start(`${second}.mjs`)]
try {
  for (const s of servers) await load(s.port, 2)
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of servers) {
      const cpu0 = cpuMicros(s.child.pid)
      const r = await load(s.port, SECONDS)
      r.cpu = (cpuMicros(s.child.pid) - cpu0) / Math.max(1, r.requests) / 1000
      s.runs.push(r)
      console.error(`${s.script.padEnd(26)} ${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.p50.toFixed(1)} ms  p90 ${r.p90.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  CPU ${r.cpu.toFixed(2)} ms/call  errors ${r.errors}${r.lastError ? ` (${r.lastError})` : ''}`)
    }
  }
} finally {
  for (const s of servers) s.child.kill()
}
const m = (s, field) => median(s.runs.map(r => r[field]))
const ratio = (field) => median(servers[1].runs.map((r, i) => r[field] / servers[0].runs[i][field]))
for (const s of servers) console.log(`${payload} over gRPC, ${CONCURRENCY} in flight, ${s.script}: ${m(s, 'rps').toFixed(0)} req/s, p50 ${m(s, 'p50').toFixed(2)} ms, p90 ${m(s, 'p90').toFixed(2)} ms, CPU ${m(s, 'cpu').toFixed(2)} ms/call`)
console.log(`${servers[1].script} ÷ ${servers[0].script}, per-round medians: req/s ${ratio('rps').toFixed(2)}×, p50 ${ratio('p50').toFixed(2)}×, p90 ${ratio('p90').toFixed(2)}×, CPU/call ${ratio('cpu').toFixed(2)}×`)
