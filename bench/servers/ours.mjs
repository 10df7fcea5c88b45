#!/usr/bin/env node
// Ours over REST, as a user embeds it: a Fastify app with the seldonModel plugin serving the
// identity model (the same Fastify options as the bare route's process).
//   node bench/servers/ours.mjs <httpPort>
import v8 from 'node:v8'
import Fastify from 'fastify'
import { seldonModel } from '@fastify-seldon/model'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
await app.register(seldonModel, { component: new IdentityModel() })
await app.listen({ host: '127.0.0.1', port: httpPort })
process.send?.({ ready: true, http: app.server.address().port })
const stop = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
// Memory figures for the bench over IPC (never through the server under test).
process.on('message', (m) => {
  if (m?.memory !== true) return
  if (m.gc === true) globalThis.gc?.()
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map(s => [s.space_name, s.space_size]))
  process.send({ memory: { ...process.memoryUsage(), newSpace: spaces.new_space, oldSpace: spaces.old_space } })
})
