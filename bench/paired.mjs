#!/usr/bin/env node
// `node bench/paired.mjs <payload> <contender>...`: before/after numbers for one change, in one
// bounded run. Each contender is a REST server in its own child process; after a warm-up the rounds
// alternate them (the order rotating), each loaded by autocannon (16 connections, the payload of
// lib/payloads.mjs: small | small-hop | ndarray | ndarray-hop | rows | tensor | tensor-full | rows-full) for BENCH_SECONDS. Printed: medians of req/s and of
// the server's CPU per request (/proc, the process and its children), and each contender's ratios
// to the first one (the floor) taken within each round, then their median.
//
// A contender is `name=kind[@checkout]`: kind is `bare` (servers/bare.mjs), `ours`
// (servers/ours.mjs), `cli-app` (servers/cli-app.mjs: the CLI worker's app in one process; any
// other servers/<kind>.mjs works alike) or `cli` (the seldon-microservice CLI, 1 worker, gRPC and metrics beside,
// CLI_ARGS added, and the flags after `#`, comma-separated: `cli#--grpc-workers,0`); `@checkout`
// runs that kind from another checkout of this repository (built),
// e.g. a worktree of main for "before":
//   nice node bench/paired.mjs tensor bare=bare before=ours@/tmp/base after=ours
// A trailing `~VAR=value` sets one environment variable for that contender's server only (for an
// ablation switch read by a temporary edit of the built code, say):
//   node bench/paired.mjs small cli=cli off='cli#--grpc-workers,0~MY_SWITCH=1'
// Knobs: BENCH_ROUNDS (4), BENCH_SECONDS (4), BENCH_CONNECTIONS (16), BENCH_WARMUP (2: seconds of
// load per server before the rounds; 14 left the CLI's ratio to the plugin where 2 put it, BENCHMARKS.md
// "Issue 18, item 1: the ratio with an interval"), and:
//   BENCH_PROCESSES=n  n groups, each a fresh process of every contender with its own rounds; the
//                      ratios of all groups are pooled. Needed for differences under ~30 %: two
//                      processes of the same server differed by up to 1.3x in CPU per request on
//                      these machines, for their whole life (BENCHMARKS.md, "Issue 18: the CLI
//                      path, round 3"), so one process per contender measures the draw. With
//                      n > 1 each CPU ratio also gets a 95 % bootstrap interval, the processes
//                      (not the rounds) resampled (lib/stats.mjs, bootstrapInterval).
//   BENCH_PIN=1        the servers on CPU 1, this script and its load generators on CPU 0
//                      (taskset), so that neither migrates between the two cores.
//   BENCH_RATE=n       n requests per second in every round instead of as many as the server
//                      answers, so that the load generator does the same work for every contender
//                      (n must be below the slowest one's req/s).
import { execFileSync, fork, spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootstrapInterval, median } from './lib/stats.mjs'
import { alternatingRounds, loadAverage } from './lib/rounds.mjs'
import { freePort, waitForReady } from './lib/ports.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const rounds = Number(process.env.BENCH_ROUNDS ?? 4)
const seconds = Number(process.env.BENCH_SECONDS ?? 4)
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16)
const processes = Number(process.env.BENCH_PROCESSES ?? 1)
const pin = process.env.BENCH_PIN === '1'
const rate = process.env.BENCH_RATE === undefined ? undefined : Number(process.env.BENCH_RATE)
if (pin) execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' })
/** With BENCH_PIN: `command args` run as `taskset -c 1 command args` (its descendants inherit the CPU). */
const pinned = (command, args) => pin ? ['taskset', ['-c', '1', command, ...args]] : [command, args]
const [payload, ...specs] = process.argv.slice(2)
if (payload === undefined || specs.length < 2) {
  console.error('usage: node bench/paired.mjs <small|ndarray|ndarray-hop|rows|tensor|tensor-full|rows-full> <name=bare|ours|cli-app|cli[@checkout]>...')
  process.exit(2)
}
const children = new Set()
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL') } catch {} } })

const contenders = specs.map(spec => {
  const [name, ...restParts] = spec.split('=')
  const [rest, envVar] = restParts.join('=').split('~')
  const [kindArgs, checkout] = rest.split('@')
  const [kind, args] = kindArgs.split('#')
  const extra = [...(process.env.CLI_ARGS ?? '').split(' '), ...(args ?? '').split(',')].filter(Boolean)
  const [envName, ...envValue] = envVar?.split('=') ?? []
  const env = envName === undefined ? process.env : { ...process.env, [envName]: envValue.join('=') }
  return { name, kind, root: path.resolve(checkout ?? path.join(here, '..')), extra, env }
})

async function startCli (c) {
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const child = spawn(...pinned(process.execPath, [path.join(c.root, 'packages/microservice/dist/cli.js'), path.join(c.root, 'bench/servers/identity-model.mjs'),
    '--http-port', String(httpPort), '--grpc-port', String(grpcPort), '--metrics-port', String(metricsPort), '--host', '127.0.0.1',
    '--log-level', 'WARNING', '--body-limit', String(64 * 1024 * 1024), ...c.extra]), { stdio: ['ignore', 'ignore', 'inherit'], env: c.env })
  children.add(child)
  await waitForReady(child, httpPort, c.name)
  return { ...c, child, port: httpPort, path: '/api/v1.0/predictions' }
}

async function start (c) {
  if (c.kind === 'cli') return await startCli(c)
  const child = fork(path.join(c.root, 'bench/servers', `${c.kind}.mjs`), ['0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: c.env })
  children.add(child)
  if (pin) execFileSync('taskset', ['-a', '-pc', '1', String(child.pid)], { stdio: 'ignore' })
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${c.name} did not start`)), 30_000)
    child.on('message', m => { if (m?.ready) { clearTimeout(timer); resolve(m) } })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`${c.name} exited with ${code}`)) })
  })
  return { ...c, child, port: ready.http, path: c.kind === 'bare' ? '/predict' : '/api/v1.0/predictions' }
}

function load (server, duration) {
  const child = fork(path.join(here, 'lib/http-load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  child.send({ url: `http://127.0.0.1:${server.port}${server.path}`, payload, connections, duration, rate, latencies: false })
  return new Promise((resolve, reject) => {
    child.once('message', m => { m.error ? reject(new Error(m.error)) : resolve(m) })
  })
}

const loadBefore = loadAverage()
/** Per contender: every round's req/s, CPU per request and ratios to the floor, pooled over the groups; each process's median CPU. */
const pooled = Object.fromEntries(contenders.map(c => [c.name, { rps: [], cpu: [], rpsRatios: [], cpuRatiosByProcess: [], perProcess: [] }]))
const floor = contenders[0].name
for (let group = 0; group < processes; group++) {
  const servers = []
  for (const c of contenders) servers.push(await start(c))
  const results = await alternatingRounds(servers, { rounds, seconds, warmupSeconds, load })
  for (const s of servers) { s.child.kill('SIGTERM'); children.delete(s.child) }
  for (const c of contenders) {
    const r = results[c.name]
    const f = results[floor]
    const p = pooled[c.name]
    p.rps.push(...r.rps)
    p.cpu.push(...r.cpu)
    p.rpsRatios.push(...r.rps.map((x, i) => x / f.rps[i]))
    p.cpuRatiosByProcess.push(r.cpu.map((x, i) => x / f.cpu[i]))
    p.perProcess.push(median(r.cpu))
  }
}

const fmtCpu = (us) => us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`
const list = (xs) => xs.map(x => x.toFixed(2)).join(', ')
console.log(`${payload}, REST, ${connections} connections, ${processes} process(es) per contender × ${rounds} rounds × ${seconds} s${pin ? ', pinned (servers CPU 1, load CPU 0)' : ''}${rate === undefined ? '' : `, ${rate} req/s fixed`}, medians (Node ${process.version}; load average before ${loadBefore}, after ${loadAverage()}):`)
console.log(`| contender | req/s | server CPU / req | req/s vs ${floor} (per round) | CPU vs ${floor} (per round) |${processes > 1 ? ' CPU / req per process |' : ''}`)
console.log(`| --- | ---: | ---: | --- | --- |${processes > 1 ? ' --- |' : ''}`)
for (const c of contenders) {
  const p = pooled[c.name]
  const isFloor = c.name === floor
  const perProcess = processes > 1 ? ` ${p.perProcess.map(x => x.toFixed(1)).join(', ')} |` : ''
  const cpuRatios = p.cpuRatiosByProcess.flat()
  const [low, high] = bootstrapInterval(p.cpuRatiosByProcess)
  const interval = processes > 1 ? `, 95 % interval over processes ${low.toFixed(2)}–${high.toFixed(2)}` : ''
  console.log(`| ${c.name} | ${median(p.rps).toFixed(1)} | ${fmtCpu(median(p.cpu))} | ${isFloor ? 'floor' : `**${median(p.rpsRatios).toFixed(2)}×** (${list(p.rpsRatios)})`} | ${isFloor ? '' : `${median(cpuRatios).toFixed(2)}×${interval} (${list(cpuRatios)})`} |${perProcess}`)
}
