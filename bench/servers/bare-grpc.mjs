#!/usr/bin/env node
// The gRPC floor: a bare @grpc/grpc-js server (the version our gRPC package pins) whose
// /seldon.protos.Model/Predict echoes the request bytes untouched — the load generator sends a
// SeldonMessage pre-encoded by the protocol codec, so the answer is the same bytes ours returns
// for the identity model — with no codec, dispatch, metrics hook, reflection or deadline handling.
// The same message-size limits as servers/ours-grpc.mjs, and the same load generator
// (lib/grpc-load.mjs), so the ratio to it is what our layer costs over grpc-js itself.
//   node bench/servers/bare-grpc.mjs <grpcPort>
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { bytesPredictMethod } from '../lib/grpc-bytes.mjs'

const grpcPort = Number(process.argv[2] ?? 0)
const server = new Server({
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024
})
server.addService({
  Predict: bytesPredictMethod('Model')
}, {
  Predict (call, callback) { callback(null, call.request) }
})
server.bindAsync(`127.0.0.1:${grpcPort}`, ServerCredentials.createInsecure(), (err, port) => {
  if (err !== null) throw err
  process.send?.({ ready: true, grpc: port })
})
const stop = () => { server.tryShutdown(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
