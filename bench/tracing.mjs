#!/usr/bin/env node
// `node bench/tracing.mjs`: what tracing costs on the small REST predict, in one bounded run on
// loopback, on the paths that ship. Contenders, each a server in its own child process, loaded in
// turn by autocannon (16 connections) with the executor's `uber-trace-id` on every request:
//
//   bare           a bare Fastify route parsing and re-serialising the JSON (the floor)
//   off            the seldonModel plugin without the `tracing` option (no tracing module loaded)
//   unsampled      the plugin with `tracing: hooks`, the executor's header says "not sampled"
//                  (flags 0): spans made but not recorded
//   sampled        the plugin with `tracing: hooks`, sampled: two spans per request (REST server +
//                  user method) exported over OTLP http/protobuf to a sink in this process (read
//                  and answered, not decoded)
//   cli-off, cli-unsampled, cli-sampled
//                  the same through `seldon-microservice` (1 worker), without and with `--tracing`
//
// Rounds alternate the contenders; medians of req/s and of server CPU per request are reported.
// Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_QUICK=1 (1 round of 2 s).
import { fork, spawn } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './lib/stats.mjs'
import { alternatingRounds, loadAverage } from './lib/rounds.mjs'
import { freePort, waitForReady } from './lib/ports.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const QUICK = process.env.BENCH_QUICK === '1'
const rounds = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3))
const seconds = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 5))
const children = new Set()
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL') } catch {} } })

// The collector: every export read and answered 200, counted.
let exports = 0
let exportedBytes = 0
const sink = http.createServer((req, res) => {
  req.on('data', chunk => { exportedBytes += chunk.length })
  req.on('end', () => { exports++; res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end() })
})
await new Promise(resolve => sink.listen(0, '127.0.0.1', resolve))
const sinkUrl = `http://127.0.0.1:${sink.address().port}`

const EXECUTOR_SPAN = '1122334455667788'
const contenders = [
  { name: 'bare', script: 'bare.mjs', args: [], path: '/predict', flags: 1 },
  { name: 'off', script: 'ours-tracing.mjs', args: ['off'], path: '/api/v1.0/predictions', flags: 1 },
  { name: 'unsampled', script: 'ours-tracing.mjs', args: ['on'], path: '/api/v1.0/predictions', flags: 0 },
  { name: 'sampled', script: 'ours-tracing.mjs', args: ['on'], path: '/api/v1.0/predictions', flags: 1 },
  { name: 'cli-off', cli: [], path: '/api/v1.0/predictions', flags: 1 },
  { name: 'cli-unsampled', cli: ['--tracing'], path: '/api/v1.0/predictions', flags: 0 },
  { name: 'cli-sampled', cli: ['--tracing'], path: '/api/v1.0/predictions', flags: 1 }
]
const root = path.resolve(here, '..')

/** `seldon-microservice` (1 worker) serving the identity model; ready when /health/status answers 200. */
async function startCli (c, env) {
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const child = spawn(process.execPath, [path.join(root, 'packages/microservice/dist/cli.js'), path.join(here, 'servers/identity-model.mjs'),
    '--http-port', String(httpPort), '--grpc-port', String(grpcPort), '--metrics-port', String(metricsPort), '--host', '127.0.0.1',
    '--log-level', 'WARNING', ...c.cli], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  children.add(child)
  await waitForReady(child, httpPort, c.name)
  return { ...c, child, port: httpPort }
}

async function start (c) {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_BSP_SCHEDULE_DELAY: '1000' }
  if (c.cli !== undefined) return await startCli(c, env)
  const child = fork(path.join(here, 'servers', c.script), ['0', ...c.args], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  children.add(child)
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${c.name} did not start`)), 30_000)
    child.on('message', m => { if (m?.ready) { clearTimeout(timer); resolve(m) } })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`${c.name} exited with ${code}`)) })
  })
  return { ...c, child, port: ready.http }
}

function load (server, duration) {
  const child = fork(path.join(here, 'lib/http-load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  const traceId = Math.floor(Math.random() * 2 ** 48).toString(16).padStart(16, '1')
  child.send({
    url: `http://127.0.0.1:${server.port}${server.path}`,
    payload: 'small',
    connections: 16,
    duration,
    latencies: false,
    headers: { 'uber-trace-id': `${traceId}:${EXECUTOR_SPAN}:0:${server.flags}` }
  })
  return new Promise((resolve, reject) => {
    child.once('message', m => { m.error ? reject(new Error(m.error)) : resolve(m) })
  })
}

const loadBefore = loadAverage()
const servers = []
for (const c of contenders) servers.push(await start(c))
const results = await alternatingRounds(servers, { rounds, seconds, warmupSeconds: 1, load })
for (const s of servers) s.child.kill('SIGTERM')
await new Promise(resolve => setTimeout(resolve, 500))
sink.close()

const off = median(results.off.rps)
const offCpu = median(results.off.cpu)
console.log(`small predict, REST, 16 connections, ${rounds} × ${seconds} s, medians (Node ${process.version}; load average before ${loadBefore}, after ${loadAverage()}):`)
const bare = median(results.bare.rps)
const cliOff = median(results['cli-off'].rps)
const cliOffCpu = median(results['cli-off'].cpu)
console.log('| contender | req/s | vs bare | vs its off | server CPU µs/req | vs its off |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const c of contenders) {
  const rps = median(results[c.name].rps)
  const cpu = median(results[c.name].cpu)
  const [baseRps, baseCpu] = c.cli !== undefined ? [cliOff, cliOffCpu] : [off, offCpu]
  console.log(`| ${c.name} | ${rps.toFixed(0)} | ${(rps / bare).toFixed(2)} | ${(rps / baseRps).toFixed(2)} | ${cpu.toFixed(1)} | ${(cpu / baseCpu).toFixed(2)} |`)
}
console.log(`sampled: ${exports} OTLP exports received, ${(exportedBytes / 1e6).toFixed(1)} MB`)
