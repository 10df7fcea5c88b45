#!/usr/bin/env node
// Issue 18's wrapper ratios, side by side on this machine: Seldon's Python wrapper (a local copy
// of seldon-core's python/seldon_core, 1.18.x, run as `python3 -m seldon_core.microservice`: gunicorn
// with 1 sync worker, its gRPC server with 1 process of 1 thread, metrics beside) against our CLI
// (1 worker), both serving an identity model, the same payloads (lib/payloads.mjs) and the same
// load generators (lib/http-load.mjs, lib/grpc-load.mjs), in alternating rounds (lib/rounds.mjs).
//
//   a  REST small predict, 16 connections: req/s and server CPU per request
//   b  gRPC 100k-value tensor, sequential (1 call in flight): p50, p90, calls/s
//   c  gRPC ndarray 100×1000, sequential
//   d  REST ndarray 100×1000 and 100k tensor bodies (~0.78 MB of JSON each; the tensor also at 17
//      digits, 1.8 MB), WRAPPER_LARGE_CONNECTIONS
//
// The wrapper is not part of this repository: docs/wrapper-side-by-side.md says how to build the
// copy (Debian's packages, upstream files, the patches). Without SELDON_WRAPPER_DIR pointing at it
// this script says so and exits 0. Not part of `pnpm bench` or `pnpm test`.
//   SELDON_WRAPPER_DIR=/work/wrapper node bench/wrapper.mjs [a,b,c,d]
// Knobs: WRAPPER_ROUNDS (4), WRAPPER_SECONDS (5, REST), WRAPPER_GRPC_SECONDS (8, sequential gRPC),
// WRAPPER_LARGE_CONNECTIONS (4), WRAPPER_PYTHON (/usr/bin/python3), OURS_NODE_ARGS (node flags for our CLI), OURS_ARGS (more CLI flags, e.g. `--grpc-receive-window 16777216`). Fresh servers for each case,
// so each of ours is a new process (the gRPC large-message bimodality of BENCHMARKS.md is per process).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js'
import { decodeSeldonMessage } from '@fastify-seldon/protocol'
import { bytesPredictMethod } from './lib/grpc-bytes.mjs'
import { jsonBody, protoBody, SMALL_JSON } from './lib/payloads.mjs'
import { alternatingRounds, loadAverage } from './lib/rounds.mjs'
import { freePort, waitForReady } from './lib/ports.mjs'
import { median } from './lib/stats.mjs'
import { forkLoadGenerator } from './lib/load-generators.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const wrapperDir = process.env.SELDON_WRAPPER_DIR
if (wrapperDir === undefined || wrapperDir === '') {
  console.log('bench/wrapper.mjs compares our CLI with Seldon\'s Python wrapper, which is not part of this repository.')
  console.log('Build a copy as docs/wrapper-side-by-side.md describes, then run:')
  console.log('  SELDON_WRAPPER_DIR=/path/to/wrapper node bench/wrapper.mjs')
  process.exit(0)
}
if (!existsSync(path.join(wrapperDir, 'python/seldon_core/microservice.py'))) {
  console.error(`${wrapperDir}/python/seldon_core/microservice.py not found: see docs/wrapper-side-by-side.md`)
  process.exit(2)
}

const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt)
const ROUNDS = num('WRAPPER_ROUNDS', 4)
const SECONDS = num('WRAPPER_SECONDS', 5)
const GRPC_SECONDS = num('WRAPPER_GRPC_SECONDS', 8)
const LARGE_CONNECTIONS = num('WRAPPER_LARGE_CONNECTIONS', 4)
const WARMUP = 2
const python = process.env.WRAPPER_PYTHON ?? '/usr/bin/python3'
const only = new Set((process.argv[2] ?? 'a,b,c,d').split(','))

const CASES = [
  { id: 'a', title: 'REST small predict, 16 connections', kind: 'rest', payload: 'small', connections: 16, seconds: SECONDS },
  { id: 'b', title: 'gRPC 100k-value tensor, sequential', kind: 'grpc', payload: 'tensor', connections: 1, seconds: GRPC_SECONDS },
  { id: 'c', title: 'gRPC ndarray 100×1000, sequential', kind: 'grpc', payload: 'ndarray', connections: 1, seconds: GRPC_SECONDS },
  { id: 'd', title: 'REST ndarray 100×1000', kind: 'rest', payload: 'ndarray', connections: LARGE_CONNECTIONS, seconds: SECONDS },
  { id: 'd', title: 'REST 100k tensor', kind: 'rest', payload: 'tensor', connections: LARGE_CONNECTIONS, seconds: SECONDS },
  { id: 'd', title: 'REST 100k tensor at 17 digits', kind: 'rest', payload: 'tensor-full', connections: LARGE_CONNECTIONS, seconds: SECONDS }
].filter(c => only.has(c.id))
// the brief's bound: no more than ~10 minutes of load per invocation
const loadSeconds = CASES.reduce((s, c) => s + 2 * (WARMUP + ROUNDS * c.seconds), 0)
if (loadSeconds > 600) {
  console.error(`${loadSeconds} s of load asked for; keep it under 600 s (WRAPPER_ROUNDS, WRAPPER_SECONDS, WRAPPER_GRPC_SECONDS)`)
  process.exit(2)
}

// ── servers ──────────────────────────────────────────────────────────────────────────────────

const live = new Set()
function killGroup (child, signal) {
  try { process.kill(-child.pid, signal) } catch {}
}
process.on('exit', () => { for (const c of live) killGroup(c, 'SIGKILL') })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

// the servers' own output (the wrapper logs a traceback from its metrics Manager when its process
// group is stopped) goes to files, named when a server fails to start
const logDir = mkdtempSync(path.join(os.tmpdir(), 'wrapper-bench-'))
let logCount = 0
const logFile = (name) => openSync(path.join(logDir, `${name}-${++logCount}.log`), 'w')

async function ports () {
  return { http: await freePort(), grpc: await freePort(), metrics: await freePort() }
}

/** Seldon's wrapper: its own process group (gunicorn master and worker, gRPC process, metrics, the metrics Manager). */
async function startWrapper () {
  const p = await ports()
  const child = spawn(python, ['-m', 'seldon_core.microservice', 'IdentityModel', '--service-type', 'MODEL',
    '--http-port', String(p.http), '--grpc-port', String(p.grpc), '--metrics-port', String(p.metrics), '--log-level', 'WARNING'], {
    cwd: path.join(wrapperDir, 'models'),
    env: { ...process.env, PYTHONPATH: ['python', 'stubs', 'models'].map(d => path.join(wrapperDir, d)).join(':') },
    detached: true,
    stdio: ['ignore', 'ignore', logFile('wrapper')]
  })
  live.add(child)
  await waitForReady(child, p.http, 'wrapper', { hint: ` (logs in ${logDir})` })
  await waitForGrpc(p.grpc)
  return { name: 'wrapper', child, ...p }
}

/** Our seldon-microservice CLI, 1 worker, the same identity model as the other benchmarks. */
async function startOurs () {
  const p = await ports()
  // OURS_NODE_ARGS: node/V8 flags for our CLI's process (the GC experiments of BENCHMARKS.md)
  const nodeArgs = (process.env.OURS_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'packages/microservice/dist/cli.js'), path.join(here, 'servers/identity-model.mjs'),
    '--http-port', String(p.http), '--grpc-port', String(p.grpc), '--metrics-port', String(p.metrics), '--host', '127.0.0.1',
    '--workers', '1', '--log-level', 'WARNING', '--body-limit', String(64 * 1024 * 1024),
    ...(process.env.OURS_ARGS ?? '').split(' ').filter(Boolean)], { detached: true, stdio: ['ignore', 'ignore', logFile('ours')] })
  live.add(child)
  await waitForReady(child, p.http, 'ours', { hint: ` (logs in ${logDir})` })
  await waitForGrpc(p.grpc)
  return { name: 'ours', child, ...p }
}

async function stop (server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) { killGroup(server.child, 'SIGKILL'); live.delete(server.child); return }
  const exited = new Promise(resolve => server.child.once('exit', resolve))
  killGroup(server.child, 'SIGTERM')
  const timer = setTimeout(() => killGroup(server.child, 'SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
  killGroup(server.child, 'SIGKILL') // a wrapper child left behind by its parent
  live.delete(server.child)
}

// ── one unary call (the answers check; the load itself is lib/grpc-load.mjs) ────────────────────

const ModelClient = makeGenericClientConstructor({ Predict: bytesPredictMethod('Model') }, 'Model')
const SeldonClient = makeGenericClientConstructor({ Predict: bytesPredictMethod('Seldon') }, 'Seldon')

function grpcPredict (port, body, Client = ModelClient) {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 })
  return new Promise((resolve, reject) => {
    client.Predict(body, { deadline: Date.now() + 10_000 }, (err, bytes) => {
      client.close()
      err ? reject(err) : resolve(decodeSeldonMessage(bytes))
    })
  })
}

async function waitForGrpc (port) {
  const deadline = Date.now() + 30_000
  for (;;) {
    try { return await grpcPredict(port, protoBody('small')) } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }
}

// typed arrays as plain arrays, so two decoded answers compare as JSON
const plain = (msg) => JSON.stringify(msg, (_k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v)
const dataOf = (msg) => plain(msg.data?.ndarray ?? msg.data?.tensor)

async function restPredict (port, body) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1.0/predictions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  return { status: res.status, text: await res.text() }
}

/** The same requests to both: REST answers printed, gRPC payloads compared (Model and Seldon services). */
async function compareAnswers (wrapper, ours) {
  console.log('Answers (identity model):')
  for (const body of [SMALL_JSON, '{"data":{"ndarray":[[1,2]]}}', '{"data":{"tensor":{"shape":[1,2],"values":[1,2]}}}']) {
    const [w, o] = [await restPredict(wrapper.http, body), await restPredict(ours.http, body)]
    console.log(`  REST ${body}\n    wrapper ${w.status} ${w.text.trim()}\n    ours    ${o.status} ${o.text.trim()}`)
  }
  // Large bodies, full precision included: the REST answers byte for byte
  for (const payload of ['tensor', 'tensor-full', 'rows-full']) {
    const [w, o] = [await restPredict(wrapper.http, jsonBody(payload)), await restPredict(ours.http, jsonBody(payload))]
    console.log(`  REST ${payload} (${jsonBody(payload).length} B): wrapper ${w.status}, ours ${o.status}, answers ${w.text.trim() === o.text.trim() ? 'identical' : 'DIFFER'} (${o.text.length} B)`)
  }
  for (const payload of ['small', 'tensor', 'ndarray']) {
    for (const Client of [ModelClient, SeldonClient]) {
      const [w, o] = [await grpcPredict(wrapper.grpc, protoBody(payload), Client), await grpcPredict(ours.grpc, protoBody(payload), Client)]
      const same = dataOf(w) === dataOf(o) && dataOf(w) !== undefined
      console.log(`  gRPC ${Client === ModelClient ? 'Model' : 'Seldon'}/Predict ${payload}: payloads ${same ? 'identical' : 'DIFFER'}; names wrapper ${JSON.stringify(w.data?.names?.slice(0, 3))} ours ${JSON.stringify(o.data?.names?.slice(0, 3))}`)
    }
  }
}

// ── load ─────────────────────────────────────────────────────────────────────────────────────

function loadJob (c, server, seconds) {
  return c.kind === 'grpc'
    ? { kind: 'grpc', job: { target: `127.0.0.1:${server.grpc}`, payload: c.payload, concurrency: c.connections, channels: 1, duration: seconds } }
    : { kind: 'http', job: { url: `http://127.0.0.1:${server.http}/api/v1.0/predictions`, payload: c.payload, connections: c.connections, duration: seconds } }
}

// gunicorn's sync worker answers `Connection: close`, and autocannon counts a few socket errors per
// run reconnecting to it (sockets closed under a request it had already written); answers that
// arrived are all 2xx or the run fails. Those errors are reported in the table, not fatal.
function restResult (m) {
  return { ...m, errors: 0, socketErrors: m.errors }
}

function runLoad (c, server, seconds) {
  const { kind, job } = loadJob(c, server, seconds)
  const child = forkLoadGenerator(kind)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('load generator timed out')) }, (seconds + 60) * 1000)
    child.once('message', m => {
      clearTimeout(timer)
      if (m.error) { reject(new Error(m.error)); return }
      server.runs.push(m) // the first one is the warm-up
      resolve(c.kind === 'rest' ? restResult(m) : m)
    })
    child.send(job)
  })
}

const fmt = (x, digits = 1) => Number.isFinite(x) ? x.toFixed(digits) : '–'
const fmtCpu = (us) => us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`
const perRound = (xs) => `${fmt(median(xs), 2)}× (${xs.map(x => fmt(x, 2)).join(', ')})`

async function runCase (c) {
  const servers = [await startWrapper(), await startOurs()]
  for (const s of servers) s.runs = []
  try {
    const r = await alternatingRounds(servers, { rounds: ROUNDS, seconds: c.seconds, warmupSeconds: WARMUP, load: (s, sec) => runLoad(c, s, sec) })
    const [w, o] = servers.map(s => ({ ...r[s.name], runs: s.runs.slice(1) }))
    const rounds = Array.from({ length: ROUNDS }, (_, i) => i)
    const line = (name, x) => `| ${c.id} | ${c.title} | ${name} | ${fmt(median(x.rps))} | ${fmtCpu(median(x.cpu))} | ${c.kind === 'grpc' ? `${fmt(median(x.runs.map(q => q.p50)), 2)} | ${fmt(median(x.runs.map(q => q.p90)), 2)}` : '– | –'} |`
    console.log(line('wrapper', w))
    console.log(line('ours', o))
    const ratios = [`req/s ours ÷ wrapper ${perRound(rounds.map(i => o.rps[i] / w.rps[i]))}`,
      `server CPU per request ours ÷ wrapper ${perRound(rounds.map(i => o.cpu[i] / w.cpu[i]))}`]
    // latencies only for the sequential gRPC cases: through the wrapper's `Connection: close`
    // reconnects, autocannon's REST latencies are not the server's
    if (c.kind === 'grpc') {
      ratios.push(`p50 wrapper ÷ ours ${perRound(rounds.map(i => w.runs[i].p50 / o.runs[i].p50))}`)
      ratios.push(`p90 wrapper ÷ ours ${perRound(rounds.map(i => w.runs[i].p90 / o.runs[i].p90))}`)
    }
    if (c.kind === 'grpc') ratios.push(`ours per round: CPU/call ${o.cpu.map(x => fmtCpu(x)).join(', ')}`)
    const socketErrors = (x) => x.runs.reduce((n, q) => n + (q.errors ?? 0), 0)
    if (c.kind === 'rest') ratios.push(`socket errors counted by autocannon over the rounds: wrapper ${socketErrors(w)}, ours ${socketErrors(o)}`)
    return ratios.map(t => `  ${c.id} ${c.title}: ${t}`)
  } finally {
    for (const s of servers) await stop(s)
  }
}

const loadBefore = loadAverage()
const startedAt = new Date().toISOString()
console.log(`bench/wrapper.mjs, ${startedAt}; Node ${process.version}; ${ROUNDS} rounds × ${SECONDS} s (REST) / ${GRPC_SECONDS} s (sequential gRPC); load average before ${loadBefore}`)
console.log(`JSON bodies: small ${jsonBody('small').length} B, ndarray ${jsonBody('ndarray').length} B, tensor ${jsonBody('tensor').length} B; protobuf: tensor ${protoBody('tensor').length} B, ndarray ${protoBody('ndarray').length} B`)
{
  const servers = [await startWrapper(), await startOurs()]
  try { await compareAnswers(servers[0], servers[1]) } finally { for (const s of servers) await stop(s) }
}
console.log('| case | payload | server | req/s | server CPU / req | p50 ms | p90 ms |')
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |')
const notes = []
for (const c of CASES) notes.push(...await runCase(c))
console.log('Ratios, each taken within a round, then the median (per-round values in brackets):')
for (const n of notes) console.log(n)
console.log(`load average before ${loadBefore}, after ${loadAverage()}; ended ${new Date().toISOString()}`)
