/**
 * The hooks as the shipped plugins wire them, with an in-memory exporter: seldonComponent (REST)
 * and seldonGrpc given `tracing: hooks`, the runtime's user-method span, the wrapper's span names,
 * parents from `uber-trace-id` / `traceparent` (the executor's wins), ERROR on a 5xx / INTERNAL and
 * not on a client's 4xx; a plugin without the option makes no span at all; embedded under
 * @fastify/otel, the plugin's method span joins the host's request span.
 */
import t from 'tap'
import Fastify from 'fastify'
import * as grpc from '@grpc/grpc-js'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { seldonComponent, type NDArray } from '@fastify-seldon/component'
import { CODECS, SELDON_RPCS, methodPath, seldonGrpc } from '@fastify-seldon/grpc'
import { tracingHooksFromGlobal } from '../src/hooks.js'
import {
  byName, EXECUTOR_SPAN, memoryTracing, PADDED_EXECUTOR_TRACE, TRACEPARENT, UBER, W3C_SPAN, W3C_TRACE
} from './fixtures/memory.js'

const memory = await memoryTracing()
const hooks = tracingHooksFromGlobal()

class TracedModel {
  predict (X: NDArray): unknown {
    const rows = X.toNested() as number[][]
    trace.getActiveSpan()?.setAttribute('model.rows', rows.length)
    trace.getTracer('user').startSpan('feature-lookup').end()
    if (rows[0]?.[0] === 0) throw new Error('zero is not allowed')
    return rows
  }
}

async function app (tracing: boolean) {
  const component = new TracedModel()
  const fastify = Fastify()
  await fastify.register(seldonComponent, { component, ...(tracing ? { tracing: hooks } : {}) })
  await fastify.register(seldonGrpc, { component, port: 0, host: '127.0.0.1', ...(tracing ? { tracing: hooks } : {}) })
  await fastify.ready()
  return fastify
}

const traced = await app(true)
const grpcClient = new grpc.Client(`127.0.0.1:${traced.seldonGrpc.port as number}`, grpc.credentials.createInsecure())
t.teardown(async () => { grpcClient.close(); await traced.close() })

function grpcPredict (message: unknown, metadata: Record<string, string>): Promise<grpc.ServiceError | null> {
  const spec = SELDON_RPCS.find(s => s.service === 'Model' && s.rpc === 'Predict')!
  const md = new grpc.Metadata()
  for (const [k, v] of Object.entries(metadata)) md.set(k, v)
  const identity = (b: Buffer): Buffer => b
  return new Promise(resolve => {
    grpcClient.makeUnaryRequest(methodPath('Model', 'Predict'), identity, identity, Buffer.from(CODECS[spec.request].encode(message)), md,
      { deadline: Date.now() + 5000 }, error => { resolve(error ?? null) })
  })
}

t.test('REST predict with uber-trace-id: Predict (SERVER) under the executor span, predict under it, the user span under that', async t => {
  await memory.take()
  const res = await traced.inject({
    method: 'POST', url: '/api/v1.0/predictions', headers: { 'uber-trace-id': UBER }, payload: { meta: { puid: 'p-1' }, data: { ndarray: [[1, 2]] } }
  })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /uber|traceparent|trace_id/, 'no trace context in the answer (nor in meta)')
  const spans = await memory.take()
  const server = byName(spans, 'Predict')
  const method = byName(spans, 'predict')
  const user = byName(spans, 'feature-lookup')
  t.equal(server.kind, SpanKind.SERVER)
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanContext?.spanId, EXECUTOR_SPAN)
  t.match(server.attributes, { 'http.request.method': 'POST', 'http.route': '/api/v1.0/predictions', 'http.response.status_code': 200 })
  t.equal(method.kind, SpanKind.INTERNAL)
  t.equal(method.parentSpanContext?.spanId, server.spanContext().spanId)
  t.match(method.attributes, { 'seldon.component': 'TracedModel', 'seldon.method': 'predict', 'seldon.puid': 'p-1', 'seldon.payload.kind': 'ndarray', 'model.rows': 1 })
  t.equal(user.parentSpanContext?.spanId, method.spanContext().spanId, 'the user span nests under the method span')
  t.equal(server.status.code, SpanStatusCode.UNSET)
})

t.test('REST: traceparent alone is the parent; with uber-trace-id too, the executor\'s wins', async t => {
  await memory.take()
  await traced.inject({ method: 'POST', url: '/predict', headers: { traceparent: TRACEPARENT }, payload: { data: { ndarray: [[1]] } } })
  let server = byName(await memory.take(), 'Predict')
  t.equal(server.spanContext().traceId, W3C_TRACE)
  t.equal(server.parentSpanContext?.spanId, W3C_SPAN)
  await traced.inject({ method: 'POST', url: '/predict', headers: { traceparent: TRACEPARENT, 'uber-trace-id': UBER }, payload: { data: { ndarray: [[1]] } } })
  server = byName(await memory.take(), 'Predict')
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanContext?.spanId, EXECUTOR_SPAN)
})

t.test('REST: a 5xx is an ERROR span (server and method); a client\'s 400 is not', async t => {
  await memory.take()
  const failed = await traced.inject({ method: 'POST', url: '/predict', payload: { data: { ndarray: [[0]] } } })
  t.equal(failed.statusCode, 500)
  let spans = await memory.take()
  t.equal(byName(spans, 'Predict').status.code, SpanStatusCode.ERROR)
  t.equal(byName(spans, 'Predict').attributes['http.response.status_code'], 500)
  t.equal(byName(spans, 'predict').status.code, SpanStatusCode.ERROR)
  const bad = await traced.inject({ method: 'POST', url: '/predict', payload: { data: { ndarray: 'nope' } } })
  t.equal(bad.statusCode, 400)
  spans = await memory.take()
  t.equal(byName(spans, 'Predict').status.code, SpanStatusCode.UNSET)
  t.equal(byName(spans, 'Predict').attributes['http.response.status_code'], 400)
})

t.test('REST: every route carries the wrapper\'s view name', async t => {
  await memory.take()
  const names: Array<[string, string]> = [
    ['/health/ping', 'HealthPing'], ['/health/status', 'HealthStatus'], ['/metadata', 'Metadata'], ['/seldon.json', 'openAPI'],
    ['/transform-input?json={"data":{"ndarray":[1]}}', 'TransformInput'], ['/send-feedback?json={"reward":1}', 'SendFeedback']
  ]
  for (const [url, name] of names) {
    const res = await traced.inject({ method: 'GET', url: encodeURI(url) })
    t.ok(res.statusCode < 500, `${url}: ${res.statusCode}`)
    const spans = await memory.take()
    t.ok(spans.some(s => s.name === name && s.kind === SpanKind.SERVER), `${url} → ${name}`)
  }
})

t.test('gRPC predict with uber-trace-id: /seldon.protos.Model/Predict under the executor span; INTERNAL is an ERROR', async t => {
  await memory.take()
  t.equal(await grpcPredict({ data: { ndarray: [[1, 2]] } }, { 'uber-trace-id': UBER }), null)
  let spans = await memory.take()
  const server = byName(spans, '/seldon.protos.Model/Predict')
  const method = byName(spans, 'predict')
  t.equal(server.kind, SpanKind.SERVER)
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanContext?.spanId, EXECUTOR_SPAN)
  t.match(server.attributes, { 'rpc.system.name': 'grpc', 'rpc.method': 'seldon.protos.Model/Predict', 'rpc.status_code': 'OK' })
  t.equal(method.parentSpanContext?.spanId, server.spanContext().spanId)
  const error = await grpcPredict({ data: { ndarray: [[0]] } }, { traceparent: TRACEPARENT })
  t.equal(error?.code, grpc.status.INTERNAL)
  spans = await memory.take()
  const failed = byName(spans, '/seldon.protos.Model/Predict')
  t.equal(failed.status.code, SpanStatusCode.ERROR)
  t.equal(failed.attributes['rpc.status_code'], 'INTERNAL')
  t.equal(failed.spanContext().traceId, W3C_TRACE)
})

t.test('plugins without the tracing option make no span, even with an SDK registered', async t => {
  const plain = await app(false)
  const client = new grpc.Client(`127.0.0.1:${plain.seldonGrpc.port as number}`, grpc.credentials.createInsecure())
  t.teardown(async () => { client.close(); await plain.close() })
  await memory.take()
  const res = await plain.inject({ method: 'POST', url: '/predict', headers: { 'uber-trace-id': UBER }, payload: { data: { ndarray: [[1]] } } })
  t.equal(res.statusCode, 200)
  t.same((await memory.take()).map(s => s.name), ['feature-lookup'], 'only the user\'s own span (a root: nothing active)')
})

t.test('embedded under @fastify/otel: the plugin\'s method span joins the host\'s request span; no second server span', async t => {
  const { FastifyOtelInstrumentation } = await import('@fastify/otel')
  const host = Fastify()
  t.teardown(() => host.close())
  await host.register(new FastifyOtelInstrumentation().plugin())
  await host.register(seldonComponent, { component: new TracedModel(), prefix: '/iris', tracing: hooks })
  await memory.take()
  const res = await host.inject({ method: 'POST', url: '/iris/api/v1.0/predictions', headers: { traceparent: TRACEPARENT }, payload: { data: { ndarray: [[1]] } } })
  t.equal(res.statusCode, 200)
  const spans = await memory.take()
  const request = spans.find(s => s.kind === SpanKind.SERVER)
  t.ok(request, 'the host\'s server span')
  t.equal(request?.instrumentationScope.name, '@fastify/otel')
  t.notOk(spans.some(s => s.name === 'Predict'), 'ours steps aside')
  const method = byName(spans, 'predict')
  t.equal(method.spanContext().traceId, W3C_TRACE, 'in the caller\'s trace')
  t.ok(spans.some(s => s.spanContext().spanId === method.parentSpanContext?.spanId), 'under one of the host\'s spans')
})
