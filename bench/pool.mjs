#!/usr/bin/env node
// `node bench/pool.mjs` (or `pnpm bench:pool`): inference threads and adaptive batching, through
// the seldon-microservice CLI, contenders side by side in one run (docs/inference-pool.md).
//
//   a  a synchronous 20 ms predict under 16 concurrent clients: /health/ping latency (probed one
//      at a time from this process) on the event loop vs --inference-threads 2 (and 1: a core left
//      for the event loop on a 2-core machine)
//   b  a model costing 2 ms per call + 0.02 ms per row, 32 clients, one row per request:
//      req/s and p99 unbatched vs --max-batch-size 32 --max-batch-time 5
//   i  (BENCH_ONLY=i) an identity model, 32 clients: what batching costs a model with no per-call cost
//   c  the ONNX example (examples/onnx, an iris MLP on onnxruntime-node), 32 clients: unbatched vs
//      --max-batch-size 32 --max-batch-time 2
//
// Both contenders of a case run at once (idle while the other is loaded) and are loaded in
// alternating rounds; the ratios are medians of the per-round ratios, so a burst of other work on
// the machine weighs on both. Servers and load generators (autocannon, lib/http-load.mjs) are
// child processes. Bounded: each load run lasts BENCH_SECONDS (default 6) with a hard stop, at most
// BENCH_MAX_REQUESTS (default 1,000,000) requests. Knobs: BENCH_ROUNDS (default 2), BENCH_ONLY=a,b,c.
import { fork, spawn } from 'node:child_process'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './lib/ports.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const CLI = path.join(root, 'packages/microservice/dist/cli.js')
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const MAX_REQUESTS = Number(process.env.BENCH_MAX_REQUESTS ?? 1_000_000)
const ONLY = (process.env.BENCH_ONLY ?? 'a,b,c').split(',')

/** The CLI serving `module` with `args` (gRPC off: REST is what is loaded), once /health/status answers. */
async function startCli (module, args) {
  const [httpPort, metricsPort] = [await freePort(), await freePort()]
  const child = spawn(process.execPath, [CLI, module, ...args, '--host', '127.0.0.1', '--http-port', String(httpPort),
    '--metrics-port', String(metricsPort), '--grpc-workers', '0', '--log-level', 'ERROR'],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${httpPort}`
  const deadline = Date.now() + 120_000
  for (;;) {
    try { if ((await fetch(`${url}/health/status`, { signal: AbortSignal.timeout(1000) })).ok) break } catch {}
    if (Date.now() > deadline || child.exitCode !== null) { child.kill('SIGKILL'); throw new Error(`server ${module} ${args.join(' ')} did not start`) }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  const stop = () => new Promise(resolve => {
    if (child.exitCode !== null) { resolve(); return }
    const kill = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
    child.once('exit', () => { clearTimeout(kill); resolve() })
    child.kill('SIGTERM')
  })
  return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, stop }
}

/** One bounded load run (its own process): req/s of 2xx answers, p50/p99 in ms. */
function load (url, body, connections, seconds) {
  const child = fork(path.join(here, 'lib/http-load.mjs'))
  const kill = setTimeout(() => { child.kill('SIGKILL') }, (seconds + 60) * 1000)
  return new Promise((resolve, reject) => {
    child.once('message', m => { clearTimeout(kill); m.error ? reject(new Error(m.error)) : resolve(m) })
    child.once('exit', code => { clearTimeout(kill); if (code !== 0) reject(new Error(`load generator exited with ${code}`)) })
    child.send({ url, body, connections, duration: seconds, amount: MAX_REQUESTS, maxSeconds: seconds })
  })
}

/** /health/ping probed one at a time (10 ms apart) while `until` is pending: latencies in ms. */
async function probePing (url, until) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const samples = []
  const state = { done: false }
  until.finally(() => { state.done = true })
  await new Promise(resolve => setTimeout(resolve, 500)) // the load ramps up
  while (!state.done && samples.length < 100_000) {
    const t0 = performance.now()
    await new Promise((resolve, reject) => {
      http.get(`${url}/health/ping`, { agent, timeout: 10_000 }, res => { res.resume(); res.on('end', resolve) }).on('error', reject)
    })
    samples.push(performance.now() - t0)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  agent.destroy()
  samples.sort((a, b) => a - b)
  const q = p => samples[Math.min(samples.length - 1, Math.floor(p / 100 * samples.length))]
  return { n: samples.length, p50: q(50), p99: q(99), max: samples[samples.length - 1] }
}

/** Requests per predict call so far, from seldon_batch_size on the metrics port. */
async function meanBatch (metricsUrl) {
  const text = await (await fetch(metricsUrl)).text()
  const sum = Number(/^seldon_batch_size_sum(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? NaN)
  const count = Number(/^seldon_batch_size_count(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? NaN)
  return sum / count
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
const fmt = n => Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : String(n)
const loadavg = () => os.loadavg().map(v => v.toFixed(2)).join(' ')
const body = rows => JSON.stringify({ data: { ndarray: Array.from({ length: rows }, () => [5.1, 3.5, 1.4, 0.2]) } })
const say = line => { console.log(line) }

say(`# bench/pool.mjs — ${new Date().toISOString()}, ${os.cpus().length} CPUs, Node ${process.version}, loadavg ${loadavg()}, ${ROUNDS} rounds × ${SECONDS} s per contender`)

/** The contenders of a case started together, loaded in alternating rounds, stopped. */
async function rounds (contenders, run) {
  const servers = []
  try {
    for (const c of contenders) servers.push(await startCli(c.module, c.args))
    const results = contenders.map(() => [])
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? contenders.map((_, i) => i) : contenders.map((_, i) => contenders.length - 1 - i)
      for (const i of order) results[i].push(await run(servers[i], contenders[i], r))
    }
    return { servers, results }
  } finally {
    await Promise.all(servers.map(s => s.stop()))
  }
}

if (ONLY.includes('a')) {
  const contenders = [
    { name: 'event loop', module: 'bench/servers/cpu-model.mjs', args: ['--export', 'Cpu20'] },
    { name: '--inference-threads 2', module: 'bench/servers/cpu-model.mjs', args: ['--export', 'Cpu20', '--inference-threads', '2'] },
    { name: '--inference-threads 1', module: 'bench/servers/cpu-model.mjs', args: ['--export', 'Cpu20', '--inference-threads', '1'] }
  ]
  const { results } = await rounds(contenders, async server => {
    const running = load(`${server.url}/api/v1.0/predictions`, body(1), 16, SECONDS)
    const ping = await probePing(server.url, running)
    return { ...(await running), ping }
  })
  contenders.forEach((c, i) => {
    const rs = results[i]
    say(`a  20 ms predict, 16 clients, ${c.name}: predict ${fmt(median(rs.map(r => r.rps)))} req/s p99 ${fmt(median(rs.map(r => r.p99)))} ms; ` +
      `/health/ping p50 ${fmt(median(rs.map(r => r.ping.p50)))} ms p99 ${fmt(median(rs.map(r => r.ping.p99)))} ms max ${fmt(Math.max(...rs.map(r => r.ping.max)))} ms ` +
      `(${rs.reduce((n, r) => n + r.ping.n, 0)} probes)`)
  })
  say(`a  /health/ping p99 with the pool / on the event loop: ${fmt(median(results[1].map((r, k) => r.ping.p99 / results[0][k].ping.p99)))}x`)
}

async function batching (label, module, extra, batchArgs, batchTimeMs) {
  const contenders = [
    { name: 'unbatched', module, args: extra },
    { name: `batched (${batchArgs.join(' ')})`, module, args: [...extra, ...batchArgs] }
  ]
  const { results } = await rounds(contenders, async (server, _c, r) => {
    if (r === 0) await load(`${server.url}/api/v1.0/predictions`, body(1), 32, 2) // warm-up (and admission control's measurement)
    const result = await load(`${server.url}/api/v1.0/predictions`, body(1), 32, SECONDS)
    return { ...result, batch: await meanBatch(server.metricsUrl) }
  })
  contenders.forEach((c, i) => {
    const rs = results[i]
    const batch = i === 1 ? `, ${fmt(rs[rs.length - 1].batch)} requests per call on average` : ''
    say(`${label}, 32 clients, ${c.name}: ${fmt(median(rs.map(r => r.rps)))} req/s, p50 ${fmt(median(rs.map(r => r.p50)))} ms, ` +
      `p99 ${fmt(median(rs.map(r => r.p99)))} ms, non-2xx ${rs.reduce((n, r) => n + r.non2xx, 0)}${batch}`)
  })
  const ratio = median(results[1].map((r, k) => r.rps / results[0][k].rps))
  const p99Unbatched = median(results[0].map(r => r.p99))
  const p99Batched = median(results[1].map(r => r.p99))
  say(`${label}: batched/unbatched req/s ${fmt(ratio)}x; p99 ${fmt(p99Batched)} ms vs unbatched ${fmt(p99Unbatched)} ms + maxBatchTimeMs ${batchTimeMs} = ${fmt(p99Unbatched + batchTimeMs)} ms`)
}

if (ONLY.includes('b')) {
  await batching('b  2 ms + 0.02 ms/row model', 'bench/servers/cpu-model.mjs', ['--export', 'FixedCost'], ['--max-batch-size', '32', '--max-batch-time', '5'], 5)
}
if (ONLY.includes('i')) {
  await batching('i  identity model', 'bench/servers/identity-model.mjs', [], ['--max-batch-size', '32', '--max-batch-time', '2'], 2)
}
if (ONLY.includes('c')) {
  await batching('c  ONNX iris MLP', 'examples/onnx/dist/model.js', [], ['--max-batch-size', '32', '--max-batch-time', '2'], 2)
}
say(`loadavg after: ${loadavg()}`)
