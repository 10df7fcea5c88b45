#!/usr/bin/env node
// `pnpm bench`: the server benchmarks of BENCHMARKS.md, in one bounded run on loopback.
//
//   A  identity predict {"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}, REST, 16 connections:
//      our seldonModel plugin vs a bare Fastify route parsing and re-serialising the same JSON
//   B  the same through the seldon-microservice CLI with 1 and 2 workers; 1 worker also in A's
//      rounds, for its CPU per request against the plugin's (target <= 1.2x)
//   C  100×1000 numeric ndarray and 100,000-value tensor, REST (ours and the bare route on the
//      same body; target >= 1.2x the bare route's req/s) and gRPC; the tensor at 17 digits, REST
//   D  gRPC small predict, against the gRPC floor: a bare grpc-js server echoing the same bytes
//      (servers/bare-grpc.mjs), also run on C's bodies
//   E  RSS before and after 1,000,000 small requests (after a warm-up)
//
// Every server runs in its own child process, every load generator too (autocannon for REST, a
// grpc-js loop for gRPC, the same for ours and the gRPC floor), so nothing shares an event loop.
// Contenders of a group alternate in rounds and the medians are reported. BENCH_QUICK=1 is a ~1 minute smoke run.
//
// Knobs (env): BENCH_QUICK=1, BENCH_ROUNDS, BENCH_SECONDS (small cases), BENCH_LARGE_SECONDS,
// BENCH_MEM_REQUESTS, BENCH_ONLY=small,large,mem (groups to run), BENCH_CPU_PROF=dir (servers
// write --cpu-prof profiles there).
import { fork, spawn } from 'node:child_process'
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './lib/stats.mjs'
import { cpuMicros } from './lib/cpu.mjs'
import { freePort, waitForReady } from './lib/ports.mjs'
import { forkLoadGenerator } from './lib/load-generators.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const QUICK = process.env.BENCH_QUICK === '1'
const num = (name, dflt) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : dflt)
const cfg = {
  rounds: num('BENCH_ROUNDS', QUICK ? 1 : 3),
  // A is decided by a ratio of two contenders: more, shorter rounds make its median sturdier
  pairRounds: num('BENCH_PAIR_ROUNDS', QUICK ? 1 : 5),
  smallSeconds: num('BENCH_SECONDS', QUICK ? 2 : 6),
  largeSeconds: num('BENCH_LARGE_SECONDS', QUICK ? 2 : 5),
  warmSeconds: QUICK ? 1 : 2,
  connections: 16,
  memWarmRequests: QUICK ? 20_000 : 300_000,
  memRequests: num('BENCH_MEM_REQUESTS', QUICK ? 100_000 : 1_000_000),
  memMaxSeconds: QUICK ? 30 : 180,
  memPipelining: 8
}
const only = new Set((process.env.BENCH_ONLY ?? 'small,large,mem').split(','))
const cpuProfDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined
const resultsDir = path.join(here, 'results')
mkdirSync(resultsDir, { recursive: true })
const started = Date.now()
const log = (...args) => { console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...args) }

// ── processes ────────────────────────────────────────────────────────────────────────────────

const children = new Set()
function track (child) {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}
function killAll () {
  for (const child of children) { try { child.kill('SIGKILL') } catch {} }
}
process.on('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130) })

function logFile (name) {
  mkdirSync(path.join(resultsDir, 'logs'), { recursive: true })
  return openSync(path.join(resultsDir, 'logs', `${name}.log`), 'w')
}

function nodeFlags (name) {
  const flags = ['--expose-gc']
  if (cpuProfDir !== undefined) flags.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`)
  return flags
}

/** A fixture server in a child process; resolves when it says it is listening. */
async function startFixture (name, script, args) {
  const out = logFile(name)
  const child = track(fork(path.join(here, 'servers', script), args.map(String), {
    execArgv: nodeFlags(name), stdio: ['ignore', out, out, 'ipc']
  }))
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s`)), 30_000)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code} (see bench/results/logs/${name}.log)`)) })
    child.on('message', (m) => { if (m?.ready) { clearTimeout(timer); resolve(m) } })
  })
  return { name, child, http: ready.http, grpc: ready.grpc, pid: child.pid }
}

/** The seldon-microservice CLI serving the identity model; ready when /health/status answers 200. */
async function startCli (name, workers) {
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()]
  const out = logFile(name)
  const cli = path.join(root, 'packages/microservice/dist/cli.js')
  const child = track(spawn(process.execPath, [...nodeFlags(name), cli, path.join(here, 'servers/identity-model.mjs'),
    '--http-port', String(http), '--grpc-port', String(grpc), '--metrics-port', String(metrics),
    '--workers', String(workers), '--host', '127.0.0.1'], { stdio: ['ignore', out, out] }))
  await waitForReady(child, http, name, { timeoutMs: 30_000, hint: ` (see bench/results/logs/${name}.log)` })
  // every worker ready: a few more pings so the cluster has accepted on each
  await new Promise(resolve => setTimeout(resolve, 500))
  return { name, child, http, grpc, pid: child.pid }
}

async function stopServer (server) {
  if (server.child.exitCode !== null) return
  const exited = new Promise(resolve => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

/** A fixture's own memory figures, over IPC (the HTTP server under test is not involved). */
function memoryOf (server, gc = false) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no memory answer')), 10_000)
    const onMessage = (m) => {
      if (m?.memory) { clearTimeout(timer); server.child.off('message', onMessage); resolve(m.memory) }
    }
    server.child.on('message', onMessage)
    server.child.send({ memory: true, gc })
  })
}

/** Run one load job in a child; resolves with its result. `onProgress(count)` gets progress messages. */
function load (kind, job, onProgress) {
  const child = track(forkLoadGenerator(kind))
  return new Promise((resolve, reject) => {
    let result
    const hardMs = ((job.maxSeconds ?? job.duration) + 60) * 1000
    const timer = setTimeout(() => { child.kill('SIGKILL') }, hardMs)
    child.on('message', (m) => {
      if (m?.progress !== undefined) onProgress?.(m.progress)
      else result = m
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (result === undefined) reject(new Error(`${kind} load exited with ${code} and no result`))
      else if (result.error) reject(new Error(result.error))
      else resolve(result)
    })
    child.send(job)
  })
}

function jobFor (contender, seconds) {
  const s = contender.server
  return contender.kind === 'grpc'
    ? { target: `127.0.0.1:${s.grpc}`, payload: contender.payload, concurrency: cfg.connections, channels: cfg.connections, duration: seconds }
    : { url: `http://127.0.0.1:${s.http}/predict`, payload: contender.payload, connections: cfg.connections, duration: seconds }
}

/** Microseconds, or milliseconds from 10 ms on. */
function fmtCpu (us) {
  if (!Number.isFinite(us)) return '–'
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`
}

/** Warm every contender up, then `rounds` rounds alternating them; medians per contender. */
async function runGroup (title, contenders, seconds, rounds = cfg.rounds) {
  log(`${title}: warm-up`)
  for (const c of contenders) {
    const r = await load(c.kind, jobFor(c, cfg.warmSeconds))
    if (r.requests === 0) throw new Error(`${c.id}: no successful request in the warm-up (${r.lastError ?? `${r.non2xx} non-2xx, ${r.errors} errors`})`)
  }
  const runs = new Map(contenders.map(c => [c.id, []]))
  for (let round = 1; round <= rounds; round++) {
    // rotate the order each round so no contender always follows the same one
    const order = contenders.map((_, i) => contenders[(i + round - 1) % contenders.length])
    for (const c of order) {
      const cpu0 = cpuMicros(c.server.pid)
      const r = await load(c.kind, jobFor(c, seconds))
      r.cpuPerRequest = r.requests > 0 ? (cpuMicros(c.server.pid) - cpu0) / r.requests : NaN
      runs.get(c.id).push(r)
      log(`${title} round ${round}/${rounds} ${c.id.padEnd(14)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  server CPU ${fmtCpu(r.cpuPerRequest)}/req${r.errors || r.non2xx ? `  errors ${r.errors} non2xx ${r.non2xx}` : ''}`)
    }
  }
  const out = {}
  for (const c of contenders) {
    const rs = runs.get(c.id)
    out[c.id] = {
      label: c.label,
      rps: median(rs.map(r => r.rps)),
      p50: median(rs.map(r => r.p50)),
      p99: median(rs.map(r => r.p99)),
      cpu: median(rs.map(r => r.cpuPerRequest)),
      requests: rs.reduce((a, r) => a + r.requests, 0),
      errors: rs.reduce((a, r) => a + r.errors + r.non2xx, 0),
      rounds: rs
    }
  }
  return out
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.availableParallelism?.() ?? os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  fastify: JSON.parse(readFileSync(path.join(here, 'node_modules/fastify/package.json'), 'utf8')).version,
  autocannon: JSON.parse(readFileSync(path.join(here, 'node_modules/autocannon/package.json'), 'utf8')).version
}
const results = { date: new Date().toISOString(), quick: QUICK, config: cfg, machine, loadavgBefore: os.loadavg(), groups: {} }
if (os.loadavg()[0] > 0.5) log(`note: load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')} before the run: other work on this machine adds noise`)
log(`fastify-seldon bench${QUICK ? ' (quick)' : ''}: ${machine.cores} cores ${machine.cpu}, node ${machine.node}`)

try {
  if (only.has('small') || only.has('large')) {
    const bare = await startFixture('bare', 'bare.mjs', [await freePort()])
    const ours = await startFixture('ours', 'ours.mjs', [await freePort()])
    const oursGrpc = await startFixture('ours-grpc', 'ours-grpc.mjs', [await freePort(), await freePort()])
    const bareGrpc = await startFixture('bare-grpc', 'bare-grpc.mjs', [await freePort()])

    // Contenders compared by a ratio run in the same group, one right after the other each round.
    if (only.has('small')) {
      const cli1 = await startCli('cli-1-worker', 1)
      // The CLI runs in A too: its CPU per request is judged against the plugin's, round by round.
      const a = await runGroup('A', [
        { id: 'bare', label: 'bare Fastify route (JSON.parse + JSON.stringify)', server: bare, kind: 'http', payload: 'small' },
        { id: 'ours', label: 'seldonModel plugin, REST', server: ours, kind: 'http', payload: 'small' },
        { id: 'cli1-a', label: 'seldon-microservice CLI, 1 worker, REST (in A\'s rounds)', server: cli1, kind: 'http', payload: 'small' }
      ], cfg.smallSeconds, cfg.pairRounds)
      const cli2 = await startCli('cli-2-workers', 2)
      const bd = await runGroup('B+D', [
        { id: 'cli1', label: 'seldon-microservice CLI, 1 worker, REST', server: cli1, kind: 'http', payload: 'small' },
        { id: 'cli2', label: 'seldon-microservice CLI, 2 workers, REST', server: cli2, kind: 'http', payload: 'small' },
        { id: 'grpc', label: 'seldonGrpc, gRPC', server: oursGrpc, kind: 'grpc', payload: 'small' },
        { id: 'bare-grpc', label: 'bare grpc-js server echoing the bytes', server: bareGrpc, kind: 'grpc', payload: 'small' }
      ], cfg.smallSeconds)
      results.groups.small = { ...a, ...bd }
      await stopServer(cli1)
      await stopServer(cli2)
    }
    if (only.has('large')) {
      const nd = await runGroup('C ndarray', [
        { id: 'bare-ndarray', label: 'bare Fastify route, ndarray 100×1000', server: bare, kind: 'http', payload: 'ndarray' },
        { id: 'ours-ndarray', label: 'seldonModel REST, ndarray 100×1000', server: ours, kind: 'http', payload: 'ndarray' },
        { id: 'grpc-ndarray', label: 'seldonGrpc, ndarray 100×1000', server: oursGrpc, kind: 'grpc', payload: 'ndarray' },
        { id: 'bare-grpc-ndarray', label: 'bare grpc-js echo, ndarray 100×1000', server: bareGrpc, kind: 'grpc', payload: 'ndarray' }
      ], cfg.largeSeconds)
      const tensor = await runGroup('C tensor', [
        { id: 'bare-tensor', label: 'bare Fastify route, tensor 100k', server: bare, kind: 'http', payload: 'tensor' },
        { id: 'ours-tensor', label: 'seldonModel REST, tensor 100k', server: ours, kind: 'http', payload: 'tensor' },
        { id: 'grpc-tensor', label: 'seldonGrpc, tensor 100k', server: oursGrpc, kind: 'grpc', payload: 'tensor' },
        { id: 'bare-grpc-tensor', label: 'bare grpc-js echo, tensor 100k', server: bareGrpc, kind: 'grpc', payload: 'tensor' }
      ], cfg.largeSeconds)
      // The tensor at full precision (17 digits, as numpy prints computed values): REST only
      const full = await runGroup('C tensor-full', [
        { id: 'bare-tensor-full', label: 'bare Fastify route, tensor 100k at 17 digits', server: bare, kind: 'http', payload: 'tensor-full' },
        { id: 'ours-tensor-full', label: 'seldonModel REST, tensor 100k at 17 digits', server: ours, kind: 'http', payload: 'tensor-full' }
      ], cfg.largeSeconds)
      results.groups.large = { ...nd, ...tensor, ...full }
    }
    await stopServer(bare)
    await stopServer(ours)
    await stopServer(oursGrpc)
    await stopServer(bareGrpc)
  }

  if (only.has('mem')) {
    // A fresh server under one continuous pipelined load of warm-up + N small requests; its RSS is
    // sampled every half second against the count reached. "Before" is the first sample past the
    // warm-up, "after" the last one, both under load (an idle moment lets V8 shrink its young
    // generation, which would make the comparison about GC sizing rather than growth).
    const ours = await startFixture('ours-memory', 'ours.mjs', [await freePort()])
    const url = `http://127.0.0.1:${ours.http}/predict`
    // a margin, so that at least memRequests complete after the first sample past the warm-up
    const total = cfg.memWarmRequests + Math.round(cfg.memRequests * 1.05)
    log(`memory: ${cfg.memWarmRequests} warm-up + ${cfg.memRequests} requests, one load (at most ${cfg.memMaxSeconds} s)`)
    const samples = []
    let sampling = false
    const onProgress = (count) => {
      if (sampling) return
      sampling = true
      memoryOf(ours).then(m => { samples.push({ count, rss: m.rss, heapUsed: m.heapUsed, newSpace: m.newSpace, oldSpace: m.oldSpace }) }, () => {}).finally(() => { sampling = false })
    }
    const cpu0 = cpuMicros(ours.pid)
    // autocannon splits `amount` over the connections and may stop a pipeline short: ask for one
    // extra pipeline per connection so at least the total completes
    const amount = total + cfg.connections * cfg.memPipelining
    const r = await load('http', {
      url,
      payload: 'small',
      connections: cfg.connections,
      pipelining: cfg.memPipelining,
      duration: cfg.memMaxSeconds,
      amount,
      maxSeconds: cfg.memMaxSeconds,
      latencies: true,
      progressMs: 500
    }, onProgress)
    const cpu = (cpuMicros(ours.pid) - cpu0) / Math.max(1, r.requests)
    const afterIdle = await memoryOf(ours)
    const afterGc = await memoryOf(ours, true)
    const warm = samples.filter(s => s.count >= cfg.memWarmRequests)
    const before = warm[0] ?? samples[0]
    const after = samples[samples.length - 1]
    if (before === undefined || after === undefined) throw new Error('memory: no RSS sample taken')
    const growth = (after.rss - before.rss) / before.rss
    results.groups.memory = {
      requests: r.requests - (before.count ?? 0),
      totalRequests: r.requests,
      seconds: r.seconds,
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      cpu,
      errors: r.errors + r.non2xx,
      rssBefore: before.rss,
      rssAfter: after.rss,
      rssMax: Math.max(...warm.map(s => s.rss)),
      rssGrowth: growth,
      // the whole run, warm-up included: V8 grows its young generation in steps early on
      rssFirst: samples[0]?.rss,
      newSpaceFirst: samples[0]?.newSpace,
      newSpaceBefore: before.newSpace,
      newSpaceAfter: after.newSpace,
      countBefore: before.count,
      countAfter: after.count,
      heapUsedBefore: before.heapUsed,
      heapUsedAfter: after.heapUsed,
      rssIdleAfter: afterIdle.rss,
      heapUsedAfterGc: afterGc.heapUsed,
      rssAfterGc: afterGc.rss,
      samples
    }
    const mb = b => (b / 2 ** 20).toFixed(1)
    log(`memory: ${r.requests} requests in ${r.seconds.toFixed(1)} s (${r.rps.toFixed(0)} req/s); RSS at the first sample ${mb(samples[0].rss)} MiB (V8 new space ${mb(samples[0].newSpace)}), ` +
      `at ${before.count} requests ${mb(before.rss)} MiB (new space ${mb(before.newSpace)}), at ${after.count} ${mb(after.rss)} MiB (new space ${mb(after.newSpace)}): ${(growth * 100).toFixed(2)} %; heap after GC ${mb(afterGc.heapUsed)} MiB`)
    await stopServer(ours)
  }
} catch (err) {
  log(`failed: ${err?.stack ?? err}`)
  killAll()
  process.exitCode = 1
}

// ── report ───────────────────────────────────────────────────────────────────────────────────

const f0 = x => (Number.isFinite(x) ? x.toFixed(0) : '–')
const f2 = x => (Number.isFinite(x) ? x.toFixed(2) : '–')
const rows = []
const verdicts = []
const row = (cse, r, vs) => rows.push(`| ${cse} | ${r.label} | ${f0(r.rps)} | ${f2(r.p50)} | ${f2(r.p99)} | ${fmtCpu(r.cpu)} | ${vs ?? ''} |`)
/**
 * A ratio of two contenders of one group: the median over rounds of the ratio within each round
 * (the two ran back to back, so whatever else loads the machine weighs on both alike).
 */
const paired = (a, b, field = 'rps') => median(a.rounds.map((r, i) => r[field] / b.rounds[i][field]))
const check = (name, value, op, target, text) => {
  const holds = op === '>=' ? value >= target : value <= target
  verdicts.push({ name, value, target: `${op} ${target}`, holds })
  return `${text} **${f2(value)}×** (target ${op} ${target}: ${holds ? 'holds' : 'MISSED'})`
}
const small = results.groups.small
if (small) {
  const { bare, ours, grpc, cli1, cli2, 'bare-grpc': bareGrpc } = small
  row('A', bare, 'floor')
  row('A', ours, `${check('A req/s', paired(ours, bare), '>=', 0.8, 'req/s')}; ${check('A p99', paired(ours, bare, 'p99'), '<=', 1.5, 'p99')}; server CPU per request ${f2(paired(ours, bare, 'cpuPerRequest'))}× the floor's`)
  row('B', small['cli1-a'], check('B CPU / req vs the plugin (A)', paired(small['cli1-a'], ours, 'cpuPerRequest'), '<=', 1.2, 'server CPU per request vs the plugin\'s, in A\'s rounds (one process each: `bench/paired.mjs` pools several)'))
  // Against Seldon's Python wrapper only side by side, in one run: bench/wrapper.mjs (it needs the wrapper installed).
  row('B', cli1, 'vs the Python wrapper: `node bench/wrapper.mjs a`')
  row('B', cli2, `${f2(paired(cli2, cli1))}× 1 worker`)
  row('D', bareGrpc, 'gRPC floor')
  row('D', grpc, `${check('D gRPC req/s', paired(grpc, bareGrpc), '>=', 0.8, 'req/s vs the gRPC floor')}; server CPU per call ${f2(paired(grpc, bareGrpc, 'cpuPerRequest'))}× the floor's; ${f2(grpc.rps / ours.rps)}× REST (A)`)
}
const large = results.groups.large
if (large) {
  const g = large
  row('C', g['bare-ndarray'], 'floor')
  row('C', g['ours-ndarray'], check('C REST ndarray req/s', paired(g['ours-ndarray'], g['bare-ndarray']), '>=', 1.2, 'req/s vs floor'))
  row('C', g['bare-grpc-ndarray'], 'gRPC floor')
  row('C', g['grpc-ndarray'], `${check('C gRPC ndarray vs REST', paired(g['grpc-ndarray'], g['ours-ndarray']), '>=', 1, 'req/s vs our REST')}; ${f2(paired(g['grpc-ndarray'], g['bare-grpc-ndarray']))}× the gRPC floor`)
  row('C', g['bare-tensor'], 'floor')
  row('C', g['ours-tensor'], check('C REST tensor req/s', paired(g['ours-tensor'], g['bare-tensor']), '>=', 1.2, 'req/s vs floor'))
  row('C', g['bare-grpc-tensor'], 'gRPC floor')
  row('C', g['grpc-tensor'], `${check('C gRPC tensor vs REST', paired(g['grpc-tensor'], g['ours-tensor']), '>=', 3, 'req/s vs our REST')}; ${f2(paired(g['grpc-tensor'], g['bare-grpc-tensor']))}× the gRPC floor`)
  row('C', g['bare-tensor-full'], 'floor')
  row('C', g['ours-tensor-full'], check('C REST tensor-full req/s', paired(g['ours-tensor-full'], g['bare-tensor-full']), '>=', 1.2, 'req/s vs floor'))
}
const mem = results.groups.memory
if (mem) {
  const mib = b => (b / 2 ** 20).toFixed(1)
  rows.push(`| E | seldonModel REST, ${mem.requests.toLocaleString('en')} small requests after ${mem.countBefore.toLocaleString('en')} of warm-up (pipelining ${cfg.memPipelining}) | ${f0(mem.rps)} | ${f2(mem.p50)} | ${f2(mem.p99)} | ${fmtCpu(mem.cpu)} | RSS ${mib(mem.rssBefore)} → ${mib(mem.rssAfter)} MiB (max ${mib(mem.rssMax)}; ${mib(mem.rssFirst)} MiB at the start, V8 new space ${mib(mem.newSpaceFirst)} → ${mib(mem.newSpaceAfter)} MiB), heap after GC ${mib(mem.heapUsedAfterGc)} MiB: ${check('E RSS growth %', mem.rssGrowth * 100, '<=', 5, 'growth %').replace('×', '')} |`)
}
const table = [
  '| case | contender | req/s | p50 ms | p99 ms | server CPU / req | ratio / note |',
  '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ...rows
].join('\n')
results.loadavgAfter = os.loadavg()
results.table = table
results.verdicts = verdicts
results.seconds = (Date.now() - started) / 1000
const file = path.join(resultsDir, `bench-${results.date.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`)
writeFileSync(file, JSON.stringify(results, null, 2))
writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify(results, null, 2))
console.log(`\n${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, node ${machine.node}, fastify ${machine.fastify}, autocannon ${machine.autocannon}; ` +
  `medians of ${cfg.pairRounds} rounds (A) or ${cfg.rounds} (B, C, D) of ${cfg.smallSeconds} s (small) / ${cfg.largeSeconds} s (large) per contender; ratios: median of the per-round ratios; ${cfg.connections} connections; ` +
  `load average before ${results.loadavgBefore.map(x => x.toFixed(2)).join(' ')}, after ${results.loadavgAfter.map(x => x.toFixed(2)).join(' ')}\n`)
console.log(table)
console.log(`\n${verdicts.filter(v => v.holds).length}/${verdicts.length} targets hold; results: ${path.relative(root, file)} (${results.seconds.toFixed(0)} s)`)
