#!/usr/bin/env node
// `node bench/grpc-gc.mjs <small|ndarray|tensor> <name=server[@checkout]>...`: calls/s of gRPC
// servers under the same load (bench/lib/grpc-load.mjs, 16 calls in flight on 16 channels) and
// what V8's garbage collector did meanwhile (the server runs with --trace-gc: scavenges and
// mark-compacts, their count and main-thread milliseconds per call). `server` is a script of
// bench/servers (ours-grpc, bare-grpc); `@checkout` runs it from another checkout of this
// repository (built), for before/after numbers in one run. Contenders alternate in rounds, each
// round a fresh server process. Each round also prints the server's CPU per call, the main
// thread's apart from the others' (V8's GC helpers among them): the slow mode of BENCHMARKS.md
// ("Issue 18: the gRPC slow mode") shows as mark-compacts instead of scavenges and busy helpers.
// Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (5), CONCURRENCY (16 calls in flight on as many
// channels; 1 = sequential), SERVER_ARGS (more node/V8 flags for the server, e.g.
// `--no-allocation-site-pretenuring`).
import { fork } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './lib/ports.mjs'
import { median } from './lib/stats.mjs'
import { forkLoadGenerator } from './lib/load-generators.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const concurrency = Number(process.env.CONCURRENCY ?? 16)
const serverArgs = (process.env.SERVER_ARGS ?? '').split(' ').filter(Boolean)
const [payload, ...specs] = process.argv.slice(2)
if (payload === undefined || specs.length === 0) {
  console.error('usage: node bench/grpc-gc.mjs <small|ndarray|tensor> <name=ours-grpc|bare-grpc[@checkout]>...')
  process.exit(2)
}
const contenders = specs.map(spec => {
  const [name, rest] = spec.split('=')
  const [server, checkout] = rest.split('@')
  return { name, script: path.join(checkout === undefined ? path.join(here, '..') : path.resolve(checkout), 'bench/servers', `${server}.mjs`), runs: [] }
})

/** CPU ms used so far by each thread of `pid` (Linux /proc), keyed by thread id; the main thread's id is `pid`. */
function threadCpuMs (pid) {
  const ms = new Map()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ms.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10)
    } catch {}
  }
  return ms
}

/** One round of one contender: calls/s and the GC lines its server printed. */
async function round (c) {
  const child = fork(c.script, [String(await freePort()), String(await freePort())], { execArgv: ['--trace-gc', ...serverArgs], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  let out = ''
  child.stdout.on('data', d => { out += d })
  const ready = await new Promise((resolve, reject) => {
    child.once('exit', code => reject(new Error(`${c.name} exited ${code}`)))
    child.on('message', m => { if (m?.ready) resolve(m) })
  })
  const loader = forkLoadGenerator('grpc')
  // a warm-up first (JIT, pools), then the measured load; only the latter's GC lines count
  await new Promise(resolve => { loader.on('message', resolve); loader.send({ target: `127.0.0.1:${ready.grpc}`, payload, concurrency, channels: concurrency, duration: 2 }) })
  out = ''
  const before = threadCpuMs(child.pid)
  const measured = forkLoadGenerator('grpc')
  const result = await new Promise(resolve => { measured.on('message', resolve); measured.send({ target: `127.0.0.1:${ready.grpc}`, payload, concurrency, channels: concurrency, duration: seconds }) })
  const after = threadCpuMs(child.pid)
  let mainMs = 0
  let otherMs = 0
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0)
    if (tid === child.pid) mainMs += used; else otherMs += used
  }
  child.removeAllListeners('exit')
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  const gc = { Scavenge: { n: 0, ms: 0 }, 'Mark-Compact': { n: 0, ms: 0 } }
  for (const line of out.split('\n')) {
    const kind = line.match(/ms: (Scavenge|Mark-Compact)\b/)?.[1]
    const ms = Number(line.match(/MB, ([\d.]+) \/ [\d.]+ ms/)?.[1] ?? 0)
    if (kind !== undefined) { gc[kind].n++; gc[kind].ms += ms }
  }
  const calls = result.rps * seconds
  return {
    rps: result.rps,
    scavengeMsPerCall: gc.Scavenge.ms / calls,
    markCompactMsPerCall: gc['Mark-Compact'].ms / calls,
    scavenges: gc.Scavenge.n,
    markCompacts: gc['Mark-Compact'].n,
    mainCpuPerCall: mainMs / result.requests,
    otherCpuPerCall: otherMs / result.requests
  }
}

for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[(i + r) % contenders.length]
    const run = await round(c)
    c.runs.push(run)
    console.log(`round ${r + 1} ${c.name}: ${run.rps.toFixed(0)} calls/s, CPU per call: main thread ${run.mainCpuPerCall.toFixed(2)} ms, other threads ${run.otherCpuPerCall.toFixed(2)} ms; ` +
      `GC: ${run.scavenges} scavenges, ${run.markCompacts} mark-compacts (main thread per call: ${run.scavengeMsPerCall.toFixed(2)} / ${run.markCompactMsPerCall.toFixed(2)} ms)`)
  }
}
console.log(`\n${payload}, gRPC, ${concurrency} in flight, ${rounds} rounds × ${seconds} s, medians:`)
console.log('| contender | calls/s | scavenge ms / call | mark-compact ms / call |\n| --- | ---: | ---: | ---: |')
for (const c of contenders) {
  const m = key => median(c.runs.map(x => x[key]))
  console.log(`| ${c.name} | ${m('rps').toFixed(0)} | ${m('scavengeMsPerCall').toFixed(2)} | ${m('markCompactMsPerCall').toFixed(2)} |`)
}
