#!/usr/bin/env node
// Ours over REST with tracing wired by hand the way the plugins and the runtime will wire it:
// the REST hooks on the plugin's context, the user-method span around the component's predict.
//   node bench/servers/ours-tracing.mjs <httpPort> <off|on>
// With `on`, the worker's SDK comes from the environment the bench sets (OTLP endpoint, sampler).
import Fastify from 'fastify'
import { serveBench } from './lifecycle.mjs'
import { seldonModel } from '@fastify-seldon/model'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const mode = process.argv[3] ?? 'off'
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
let component = new IdentityModel()
let tracing
if (mode === 'on') {
  const { startTracing } = await import('@fastify-seldon/tracing')
  tracing = await startTracing({ componentName: 'IdentityModel' })
  const instrument = tracing.hooks.methods.forComponent('IdentityModel')
  const inner = component
  component = { predict: (X, names, meta) => instrument('predict', () => inner.predict(X, names, meta), meta?.puid, 'ndarray') }
}
await app.register(async instance => {
  tracing?.hooks.rest.addHooks(instance)
  await instance.register(seldonModel, { component })
})
app.addHook('onClose', async () => { await tracing?.shutdown() })
await app.listen({ host: '127.0.0.1', port: httpPort })
serveBench(app)
