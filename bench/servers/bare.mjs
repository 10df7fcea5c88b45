#!/usr/bin/env node
// The floor: a bare Fastify route that parses the JSON body (Fastify's default parser) and
// re-serialises it (Fastify's default serialiser), in the same kind of process as ours.
//   node bench/servers/bare.mjs <port>
import Fastify from 'fastify'
import { serveBench } from './lifecycle.mjs'

const port = Number(process.argv[2] ?? 0)
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
app.post('/predict', async function predict (request) {
  return request.body
})
await app.listen({ host: '127.0.0.1', port })
serveBench(app)
