#!/usr/bin/env node
// Ours over gRPC, as a user embeds it: a Fastify app with the seldonGrpc plugin serving the
// identity model on a gRPC port (its own process: REST and gRPC traffic in one process make the
// shared dispatch code polymorphic, which would blur both measurements).
//   node bench/servers/ours-grpc.mjs <httpPort> <grpcPort>
import Fastify from 'fastify'
import { seldonGrpc } from '@fastify-seldon/grpc'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const grpcPort = Number(process.argv[3] ?? 0)
const app = Fastify({ logger: false })
await app.register(seldonGrpc, {
  component: new IdentityModel(),
  port: grpcPort,
  host: '127.0.0.1',
  reflection: false,
  maxReceiveMessageLength: 64 * 1024 * 1024,
  maxSendMessageLength: 64 * 1024 * 1024,
  // servers/ours-grpc-window.mjs, ours-grpc-http2-window.mjs: the same server with another HTTP/2
  // receive window than seldonGrpc's default (1 MiB)
  ...(process.env.BENCH_GRPC_RECEIVE_WINDOW ? { receiveWindow: Number(process.env.BENCH_GRPC_RECEIVE_WINDOW) } : {})
})
await app.listen({ host: '127.0.0.1', port: httpPort })
process.send?.({ ready: true, http: app.server.address().port, grpc: app.seldonGrpc.port })
const stop = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
