#!/usr/bin/env node
// The floor: a bare Fastify route that parses the JSON body (Fastify's default parser) and
// re-serialises it (Fastify's default serialiser), in the same kind of process as ours.
//   node bench/servers/bare.mjs <port>
import v8 from 'node:v8'
import Fastify from 'fastify'

const port = Number(process.argv[2] ?? 0)
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
app.post('/predict', async function predict (request) {
  return request.body
})
await app.listen({ host: '127.0.0.1', port })
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
