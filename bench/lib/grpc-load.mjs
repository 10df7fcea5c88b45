#!/usr/bin/env node
// gRPC load generator child: a bounded concurrent loop of unary /seldon.protos.Model/Predict calls
// with @grpc/grpc-js, the request prebuilt once with the protocol codec (encodeSeldonMessage).
// Responses are not decoded in the loop (autocannon does not parse REST answers either); the
// first one is decoded and checked.
//   { target, payload, concurrency, channels?, duration, amount? }
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js'
import { decodeSeldonMessage } from '@fastify-seldon/protocol'
import { bytesPredictMethod } from './grpc-bytes.mjs'
import { protoBody } from './payloads.mjs'
import { Samples } from './stats.mjs'

const Client = makeGenericClientConstructor({ Predict: bytesPredictMethod('Model') }, 'Model')

process.once('message', async (job) => {
  const body = protoBody(job.payload)
  // `channels` HTTP/2 connections (each its own channel and subchannel), the calls spread over them
  const clients = Array.from({ length: job.channels ?? 1 }, () => new Client(job.target, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.use_local_subchannel_pool': 1,
    // a receive window like a real client's BDP-probed one, not HTTP/2's 64 KiB default
    'grpc-node.flow_control_window': 16 * 1024 * 1024
  }))
  const samples = new Samples()
  const amount = job.amount ?? Infinity
  let started = 0
  let ok = 0
  let errors = 0
  let lastError
  let checked = false
  const t0 = process.hrtime.bigint()
  const deadline = t0 + BigInt(Math.round(job.duration * 1e9))
  const callTimeoutMs = (job.duration + 30) * 1000

  const one = (client) => new Promise((resolve) => {
    const s = process.hrtime.bigint()
    // every call bounded: a call that never completes cannot hold the loop past the run
    client.Predict(body, { deadline: Date.now() + callTimeoutMs }, (err, bytes) => {
      if (err) { errors++; lastError = err.message } else {
        ok++
        samples.add(Number(process.hrtime.bigint() - s) / 1e6)
        if (!checked) {
          checked = true
          const answer = decodeSeldonMessage(bytes)
          if (answer.data === undefined) { errors++; lastError = 'answer without data' }
        }
      }
      resolve()
    })
  })
  const worker = async (client) => {
    // eslint-disable-next-line no-unmodified-loop-condition -- one() counts errors meanwhile
    while (started < amount && process.hrtime.bigint() < deadline && errors < 1000) {
      started++
      await one(client)
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, (_, i) => worker(clients[i % clients.length])))
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  for (const client of clients) client.close()
  const [p50, p90, p99] = samples.percentiles(50, 90, 99)
  process.send({ requests: ok, seconds, rps: ok / seconds, p50, p90, p99, errors, non2xx: 0, lastError }, () => process.exit(0))
})
