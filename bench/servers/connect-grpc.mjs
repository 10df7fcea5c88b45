#!/usr/bin/env node
// The HTTP/2 server candidate of issue 18, measured and not adopted: ConnectRPC's Node adapter
// (@connectrpc/connect-node 2.1, bench-only devDependencies) on a node:http2 server (h2c,
// loopback) that we configure ourselves, serving /seldon.protos.Model/Predict (and Seldon/Predict)
// over the gRPC protocol to the unchanged grpc-js load generator (lib/grpc-load.mjs).
// Identity, like the gRPC floor (servers/bare-grpc.mjs): the handler answers the request message.
//
// No generated code: the service descriptors are the ones our gRPC package serves to reflection
// clients (prediction.proto loaded by proto-loader, repaired by descriptors.ts), linked at run
// time by @bufbuild/protobuf's createFileRegistry. Connect has no hook for a raw-bytes codec (its
// serialization is always fromBinary/toBinary of the method's message descriptor), so
// BENCH_CONNECT_RAW=1 serves a field-less stand-in for SeldonMessage instead: protobuf-es keeps
// each top-level field as an unknown field (a subarray of the request, no decode of the values)
// and writes it back as is — the floor of Connect itself, without protobuf-es decode/encode.
//
// HTTP/2 settings: BENCH_CONNECT_WINDOW (bytes) sets each stream's initial window (in the
// server's SETTINGS) and the connection window (setLocalWindowSize once the client's SETTINGS
// arrive, as grpc-js's client does for its own option); unset, node:http2's 64 KiB default.
// Variants: connect-grpc-window.mjs (16 MiB), connect-grpc-raw.mjs, connect-grpc-raw-window.mjs.
//   node bench/servers/connect-grpc.mjs <grpcPort>
import http2 from 'node:http2'
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf'
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt'
import { connectNodeAdapter } from '@connectrpc/connect-node'
import { reflectionPackageDefinition } from '@fastify-seldon/grpc'

const grpcPort = Number(process.argv[2] ?? 0)
const window = process.env.BENCH_CONNECT_WINDOW ? Number(process.env.BENCH_CONNECT_WINDOW) : undefined
const raw = process.env.BENCH_CONNECT_RAW === '1'
const MAX_MESSAGE = 64 * 1024 * 1024 // the same limits as servers/ours-grpc.mjs and bare-grpc.mjs

/** Every message and enum of `messages` (nested ones too) by its fully qualified name. */
function collectNames (prefix, messages, enums, into) {
  for (const e of enums) into.add(`${prefix}.${e.name}`)
  for (const m of messages) {
    into.add(`${prefix}.${m.name}`)
    collectNames(`${prefix}.${m.name}`, m.nestedType, m.enumType, into)
  }
}

/**
 * Model and Seldon from prediction.proto's descriptors, as the product's reflection serves them.
 * proto-loader writes type references relative to their scope (`Value`), as protoc's parser
 * accepts them; protobuf-es links only fully qualified ones (`.google.protobuf.Value`), so they
 * are qualified here by protobuf's scoping rule (innermost enclosing scope first).
 */
function seldonServices () {
  const files = new Map()
  for (const entry of Object.values(reflectionPackageDefinition())) {
    for (const bytes of entry.fileDescriptorProtos ?? []) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes)
      files.set(file.name, file)
    }
  }
  const known = new Set()
  for (const file of files.values()) collectNames(file.package ? `.${file.package}` : '', file.messageType, file.enumType, known)
  const qualify = (ref, scope) => {
    if (ref === '' || ref.startsWith('.')) return ref
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      if (known.has(`${s}.${ref}`)) return `${s}.${ref}`
      if (s === '') throw new Error(`unresolved type ${ref} in ${scope}`)
    }
  }
  const qualifyMessages = (scope, messages) => {
    for (const m of messages) {
      const name = `${scope}.${m.name}`
      for (const f of m.field) f.typeName = qualify(f.typeName, name)
      qualifyMessages(name, m.nestedType)
    }
  }
  for (const file of files.values()) {
    const pkg = file.package ? `.${file.package}` : ''
    qualifyMessages(pkg, file.messageType)
    for (const service of file.service) {
      for (const method of service.method) {
        method.inputType = qualify(method.inputType, pkg)
        method.outputType = qualify(method.outputType, pkg)
      }
    }
  }
  // createFileRegistry links a set in order: each file after the files it imports
  const ordered = []
  const visit = (file) => {
    if (ordered.includes(file)) return
    for (const dependency of file.dependency) visit(files.get(dependency))
    ordered.push(file)
  }
  for (const file of files.values()) visit(file)
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }))
  return [registry.getService('seldon.protos.Model'), registry.getService('seldon.protos.Seldon')]
}

/** The same two services over a SeldonMessage without fields: every byte passes as unknown fields. */
function rawServices () {
  const message = '.seldon.protos.SeldonMessage'
  const predict = { name: 'Predict', inputType: message, outputType: message }
  const file = create(FileDescriptorProtoSchema, {
    name: 'bench/raw-seldon.proto',
    package: 'seldon.protos',
    syntax: 'proto3',
    messageType: [{ name: 'SeldonMessage' }],
    service: [{ name: 'Model', method: [predict] }, { name: 'Seldon', method: [predict] }]
  })
  const registry = createFileRegistry(file, () => undefined)
  return [registry.getService('seldon.protos.Model'), registry.getService('seldon.protos.Seldon')]
}

const services = raw ? rawServices() : seldonServices()
const handler = connectNodeAdapter({
  grpc: true,
  grpcWeb: false,
  connect: false,
  // Connect's default compresses every answer of 1 KiB or more with gzip when the client accepts it
  // (grpc-js's client does): ~60 ms of CPU per 800 kB answer, and not the bytes grpc-js answers
  acceptCompression: [],
  readMaxBytes: MAX_MESSAGE,
  writeMaxBytes: MAX_MESSAGE,
  routes (router) {
    for (const service of services) router.service(service, { predict: (request) => request })
  }
})

const server = http2.createServer(window === undefined ? {} : { settings: { initialWindowSize: window } }, handler)
if (window !== undefined) {
  server.on('session', (session) => {
    session.once('remoteSettings', () => { try { session.setLocalWindowSize(window) } catch {} })
  })
}
server.listen(grpcPort, '127.0.0.1', () => {
  process.send?.({ ready: true, grpc: server.address().port })
})
const stop = () => { server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref() }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
