#!/usr/bin/env node
// `node bench/cli-overhead.mjs`: what the CLI's app adds to the plugin per small request, in CPU,
// without the network: each variant is built in this process and served the small predict by
// `app.inject` (sequential, no sockets, so no kernel time and no load generator blur the
// comparison); variants alternate in rounds, the table shows the median µs of CPU
// (process.cpuUsage) per request and the ratio to the plugin alone.
//   plugin     Fastify + seldonModel
//   component  Fastify + seldonComponent (every route, CORS)
//   cli        buildServer as the CLI's worker builds it (metrics, under-pressure, limits,
//              admission, CORS, the logger at INFO (the default), the gRPC plugin registered)
//   cli-X      the same with X off, to see what each part costs
//   cli-before the `cli` variant built from another checkout (BENCH_BEFORE=<its root>, built):
//              before/after a change in one run
// Knobs: BENCH_ROUNDS (5), BENCH_REQUESTS (20000 per variant per round), BENCH_VARIANTS (a list).
import Fastify from 'fastify'
import { seldonModel } from '@fastify-seldon/model'
import { seldonComponent } from '@fastify-seldon/component'
import { buildServer, DEFAULTS } from '@fastify-seldon/microservice'
import { median } from './lib/stats.mjs'
import IdentityModel from './servers/identity-model.mjs'
import { SMALL_JSON } from './lib/payloads.mjs'

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const requests = Number(process.env.BENCH_REQUESTS ?? 20000)

const base = {
  host: '127.0.0.1',
  grpcEnabled: true,
  grpcPort: 0,
  logLevel: 'info',
  gracePeriodMs: 1000,
  bodyLimit: DEFAULTS.bodyLimit,
  requestTimeout: 0,
  maxEventLoopDelay: DEFAULTS.maxEventLoopDelay,
  maxHeapUsedBytes: 0,
  maxRssBytes: 0
}
const variants = {
  plugin: async () => { const app = Fastify({ logger: false }); await app.register(seldonModel, { component: new IdentityModel() }); return app },
  component: async () => { const app = Fastify({ logger: false }); await app.register(seldonComponent, { component: new IdentityModel(), cors: true }); return app },
  cli: () => buildServer(new IdentityModel(), base, { env: {} }),
  'cli-no-grpc': () => buildServer(new IdentityModel(), { ...base, grpcEnabled: false }, { env: {} }),
  'cli-no-pressure': () => buildServer(new IdentityModel(), { ...base, maxEventLoopDelay: 0 }, { env: {} }),
  'cli-no-admission': () => buildServer(new IdentityModel(), { ...base, maxConcurrentRequests: 0 }, { env: {} }),
  'cli-no-limits': () => buildServer(new IdentityModel(), { ...base, bodyTimeout: 0, maxConnections: 0 }, { env: {} })
}
if (process.env.BENCH_BEFORE !== undefined) {
  const before = await import(`${process.env.BENCH_BEFORE}/packages/microservice/dist/index.js`)
  variants['cli-before'] = () => before.buildServer(new IdentityModel(), base, { env: {} })
}
const only = process.env.BENCH_VARIANTS?.split(',')
const names = Object.keys(variants).filter(n => only === undefined || only.includes(n))
const apps = {}
for (const name of names) { apps[name] = await variants[name](); await apps[name].ready() }

const inject = { method: 'POST', url: '/api/v1.0/predictions', headers: { 'content-type': 'application/json', host: 'localhost' }, payload: SMALL_JSON }
async function run (app, n) {
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const res = await app.inject(inject)
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`)
  }
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / n
}
for (const name of names) await run(apps[name], 5000) // warm-up
const cpu = Object.fromEntries(names.map(n => [n, []]))
for (let r = 0; r < rounds; r++) {
  const order = names.slice(r % names.length).concat(names.slice(0, r % names.length))
  for (const name of order) cpu[name].push(await run(apps[name], requests))
}
for (const name of names) await apps[name].close()
const floor = median(cpu.plugin ?? cpu[names[0]])
console.log(`small predict by inject, ${rounds} rounds × ${requests} requests (Node ${process.version}; load average ${(await import('node:os')).loadavg().map(x => x.toFixed(2)).join(' ')}):`)
console.log('| variant | CPU µs / request (median) | vs plugin | rounds |')
console.log('| --- | ---: | ---: | --- |')
for (const name of names) {
  const m = median(cpu[name])
  console.log(`| ${name} | ${m.toFixed(1)} | ${(m / floor).toFixed(2)}× | ${cpu[name].map(x => x.toFixed(1)).join(', ')} |`)
}
