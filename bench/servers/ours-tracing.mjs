#!/usr/bin/env node
// Ours over REST, the plugin path that ships: seldonModel given the hooks of a tracer started from
// the environment (`on`), or no `tracing` option at all (`off`: the tracing package never loaded).
//   node bench/servers/ours-tracing.mjs <httpPort> <off|on>
import Fastify from 'fastify'
import { serveBench } from './lifecycle.mjs'
import { seldonModel } from '@fastify-seldon/model'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const mode = process.argv[3] ?? 'off'
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
let tracing
if (mode === 'on') {
  const { startTracing } = await import('@fastify-seldon/tracing')
  tracing = await startTracing({ componentName: 'IdentityModel' })
}
await app.register(seldonModel, { component: new IdentityModel(), ...(tracing !== undefined ? { tracing: tracing.hooks } : {}) })
app.addHook('onClose', async () => { await tracing?.shutdown() })
await app.listen({ host: '127.0.0.1', port: httpPort })
serveBench(app)
