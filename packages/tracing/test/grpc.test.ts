/**
 * gRPC server spans on a grpc-js server wired by hand through the hooks, the way the gRPC package
 * wires them: each unary handler wrapped with `grpc.wrapUnary(path, handler, codeName)`, the user
 * call inside `instrument(...)`.
 */
import t from 'tap'
import * as grpc from '@grpc/grpc-js'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { GrpcUnaryHandler } from '../src/contract.js'
import { parsePeer } from '../src/grpc.js'
import { tracingHooksFromGlobal } from '../src/hooks.js'
import {
  byName, EXECUTOR_SPAN, EXECUTOR_TRACE, memoryTracing, PADDED_EXECUTOR_TRACE, sleep, TRACEPARENT, UBER, W3C_SPAN, W3C_TRACE
} from './fixtures/memory.js'

const memory = await memoryTracing()
const hooks = tracingHooksFromGlobal()
const codeName = (code: number): string => grpc.status[code] ?? String(code)

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown
}
const PATH = '/seldon.protos.Model/Predict'
const definition: grpc.ServiceDefinition = {
  Predict: {
    path: PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize
  }
}

const instrument = hooks.methods?.forComponent('MyModel')
const grpcTracing = hooks.grpc
if (instrument === undefined || grpcTracing === undefined) throw new Error('on by default')

function predict (call: grpc.ServerUnaryCall<{ kind: string }, unknown>, callback: grpc.sendUnaryData<unknown>): void {
  const { kind } = call.request
  const outgoing = new grpc.Metadata()
  hooks.inject(outgoing)
  const work = instrument!('predict', async () => {
    await sleep(2)
    trace.getTracer('user').startSpan('user-step').end()
    if (kind === 'internal') throw new Error('model failed')
    return { ok: true, uber: outgoing.get('uber-trace-id')[0] }
  }, undefined, 'jsonData')
  work.then(value => {
    if (kind === 'invalid') callback({ code: grpc.status.INVALID_ARGUMENT, details: 'bad input' }, null)
    else callback(null, value)
  }, (err: Error) => callback({ code: grpc.status.INTERNAL, details: err.message }, null))
}

const server = new grpc.Server()
server.addService(definition, { Predict: grpcTracing.wrapUnary(PATH, predict, codeName) })
const port = await new Promise<number>((resolve, reject) => {
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => { if (err !== null) reject(err); else resolve(p) })
})
const Client = grpc.makeGenericClientConstructor(definition, 'Model')
const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
t.teardown(() => { client.close(); server.forceShutdown() })

function call (kind: string, metadata: Record<string, string> = {}): Promise<{ err: grpc.ServiceError | null, value: any }> {
  const md = new grpc.Metadata()
  for (const [k, v] of Object.entries(metadata)) md.set(k, v)
  return new Promise(resolve => {
    (client as any).Predict({ kind }, md, (err: grpc.ServiceError | null, value: unknown) => resolve({ err, value }))
  })
}

t.test('uber-trace-id in metadata: /seldon.protos.Model/Predict (SERVER) under the executor span, predict under it', async t => {
  await memory.take()
  const { err, value } = await call('ok', { 'uber-trace-id': UBER })
  t.equal(err, null)
  const spans = await memory.take()
  const server = byName(spans, PATH)
  const method = byName(spans, 'predict')
  t.equal(server.kind, SpanKind.SERVER)
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanContext?.spanId, EXECUTOR_SPAN)
  t.equal(method.parentSpanContext?.spanId, server.spanContext().spanId)
  t.equal(byName(spans, 'user-step').parentSpanContext?.spanId, method.spanContext().spanId)
  t.match(server.attributes, {
    'rpc.system.name': 'grpc',
    'rpc.method': 'seldon.protos.Model/Predict',
    'rpc.status_code': 'OK',
    'rpc.grpc.status_code': 0,
    'network.peer.address': '127.0.0.1'
  })
  t.type(server.attributes['network.peer.port'], 'number')
  t.equal(server.status.code, SpanStatusCode.UNSET)
  t.equal(value.uber, `${PADDED_EXECUTOR_TRACE}:${server.spanContext().spanId}:0:01`, 'inject into metadata in the handler')
})

t.test('traceparent; both (uber-trace-id wins); flags 0; none', async t => {
  await memory.take()
  await call('ok', { traceparent: TRACEPARENT })
  let server = byName(await memory.take(), PATH)
  t.equal(server.spanContext().traceId, W3C_TRACE)
  t.equal(server.parentSpanContext?.spanId, W3C_SPAN)
  await call('ok', { traceparent: TRACEPARENT, 'uber-trace-id': UBER })
  server = byName(await memory.take(), PATH)
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE)
  await call('ok', { 'uber-trace-id': `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:0` })
  t.same(await memory.take(), [])
  await call('ok')
  t.equal(byName(await memory.take(), PATH).parentSpanContext, undefined)
})

t.test('status: INTERNAL is ERROR (method span too), INVALID_ARGUMENT is not', async t => {
  await memory.take()
  const internal = await call('internal', { 'uber-trace-id': UBER })
  t.equal(internal.err?.code, grpc.status.INTERNAL)
  let spans = await memory.take()
  const server = byName(spans, PATH)
  t.equal(server.status.code, SpanStatusCode.ERROR)
  t.equal(server.status.message, 'model failed')
  t.match(server.attributes, { 'rpc.status_code': 'INTERNAL', 'rpc.grpc.status_code': 13, 'error.type': 'INTERNAL' })
  t.equal(byName(spans, 'predict').status.code, SpanStatusCode.ERROR)

  const invalid = await call('invalid')
  t.equal(invalid.err?.code, grpc.status.INVALID_ARGUMENT)
  spans = await memory.take()
  t.equal(byName(spans, PATH).status.code, SpanStatusCode.UNSET, 'a client error')
  t.equal(byName(spans, PATH).attributes['rpc.status_code'], 'INVALID_ARGUMENT')
})

t.test('concurrent calls on one channel: each its own parent', async t => {
  await memory.take()
  const ids = Array.from({ length: 6 }, (_, i) => `${'abcdef'[i]}`.repeat(16))
  const results = await Promise.all(ids.map(id => call('ok', { 'uber-trace-id': `${id}:${EXECUTOR_SPAN}:0:1` })))
  t.same(results.map(r => r.err), ids.map(() => null))
  const spans = await memory.take()
  const servers = spans.filter(s => s.name === PATH)
  t.same(servers.map(s => s.spanContext().traceId).sort(), ids.map(id => id.padStart(32, '0')).sort())
  for (const m of spans.filter(s => s.name === 'predict')) {
    t.equal(servers.find(s => s.spanContext().spanId === m.parentSpanContext?.spanId)?.spanContext().traceId, m.spanContext().traceId)
  }
})

t.test('a handler that throws: the span ends as UNKNOWN and the error goes on; a status without a code is UNKNOWN', async t => {
  const fakeCall = { metadata: new grpc.Metadata(), getPeer: () => 'ipv6:[::1]:5000' }
  const thrower: GrpcUnaryHandler = () => { throw new RangeError('sync') }
  const throwing = grpcTracing.wrapUnary('/seldon.protos.Model/Throw', thrower, codeName)
  await memory.take()
  t.throws(() => throwing(fakeCall, () => {}), RangeError)
  const noCode = grpcTracing.wrapUnary('/seldon.protos.Model/NoCode', (_call, cb) => { cb({}) }, codeName)
  let answered: unknown
  noCode(fakeCall, err => { answered = err })
  t.same(answered, {}, 'the callback gets what the handler answered')
  const spans = await memory.take()
  const thrown = byName(spans, '/seldon.protos.Model/Throw')
  t.match(thrown.attributes, { 'rpc.status_code': 'UNKNOWN', 'network.peer.address': '::1', 'network.peer.port': 5000 })
  t.equal(thrown.status.code, SpanStatusCode.ERROR)
  t.same(thrown.events.map(e => e.name), ['exception'])
  t.equal(byName(spans, '/seldon.protos.Model/NoCode').attributes['rpc.grpc.status_code'], 2)
})

t.test('peer strings', async t => {
  t.same(parsePeer('ipv4:127.0.0.1:5000'), { address: '127.0.0.1', port: 5000 })
  t.same(parsePeer('127.0.0.1:5000'), { address: '127.0.0.1', port: 5000 })
  t.same(parsePeer('[::1]:5000'), { address: '::1', port: 5000 })
  t.same(parsePeer('[::1]'), { address: '::1' })
  t.same(parsePeer('unix:/tmp/sock'), { address: 'unix:/tmp/sock' })
  t.same(parsePeer('::1'), { address: '::1' })
  t.equal(parsePeer(''), undefined)
})
