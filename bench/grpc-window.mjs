#!/usr/bin/env node
// The gRPC flow-control experiment of BENCHMARKS.md: the 100k tensor over gRPC against
// servers/ours-grpc.mjs (grpc-js defaults) and servers/ours-grpc-window.mjs (16 MiB server
// receive window), alternating, ROUNDS × SECONDS each, medians. Bounded like `pnpm bench`.
//   node bench/grpc-window.mjs [payload=tensor]
import { fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './lib/stats.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const payload = process.argv[2] ?? 'tensor'
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 5)

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
    child.send({ target: `127.0.0.1:${port}`, payload, concurrency: 16, channels: Number(process.env.CHANNELS ?? 16), duration: seconds })
  })
}

const servers = [await start('ours-grpc.mjs'), await start('ours-grpc-window.mjs')]
try {
  for (const s of servers) await load(s.port, 2)
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of servers) {
      const r = await load(s.port, SECONDS)
      s.runs.push(r)
      console.error(`${s.script.padEnd(26)} ${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  errors ${r.errors}${r.lastError ? ` (${r.lastError})` : ''}`)
    }
  }
} finally {
  for (const s of servers) s.child.kill()
}
const [plain, window] = servers.map(s => median(s.runs.map(r => r.rps)))
console.log(`${payload} over gRPC: grpc-js default window ${plain.toFixed(0)} req/s, 16 MiB server window ${window.toFixed(0)} req/s (${(window / plain).toFixed(2)}×)`)
