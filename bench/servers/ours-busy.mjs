#!/usr/bin/env node
// Ours (servers/ours.mjs) with a known cost added to every request: an `onRequest` hook that
// busy-waits BUSY_US microseconds (0: the hook alone). A calibration contender for
// bench/paired.mjs: it shows how a per-request cost of known size appears in the CPU per request
// measured under load on this machine (BENCHMARKS.md, "Issue 18, item 1: what a microsecond of
// work costs under load").
//   BUSY_US=2 node bench/servers/ours-busy.mjs <httpPort>
//   node bench/paired.mjs small plugin=ours 'busy2=ours-busy~BUSY_US=2'
import Fastify from 'fastify'
import { serveBench } from './lifecycle.mjs'
import { seldonModel } from '@fastify-seldon/model'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const busyMs = Number(process.env.BUSY_US ?? 0) / 1000
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
app.addHook('onRequest', (_request, _reply, done) => {
  const until = performance.now() + busyMs
  while (performance.now() < until);
  done()
})
await app.register(seldonModel, { component: new IdentityModel() })
await app.listen({ host: '127.0.0.1', port: httpPort })
serveBench(app)
