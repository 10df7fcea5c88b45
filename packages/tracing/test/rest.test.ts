/**
 * REST server spans and user-method spans on a Fastify app wired by hand through the hooks, the
 * way the REST kit and the runtime wire them: `rest.addHooks(context)` before the routes, the
 * route's span name in its config, the user call inside `instrument(...)`.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import Fastify from 'fastify'
import { pino } from 'pino'
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { Metadata } from '@grpc/grpc-js'
import { ROUTE_OPERATION_KEY, REST_OPERATION_NAMES } from '../src/contract.js'
import { tracingHooksFromGlobal } from '../src/hooks.js'
import {
  byName, EXECUTOR_SPAN, EXECUTOR_TRACE, memoryTracing, PADDED_EXECUTOR_TRACE, sleep, TRACEPARENT, UBER, W3C_SPAN, W3C_TRACE
} from './fixtures/memory.js'

const memory = await memoryTracing()
const warnings: string[] = []
const hooks = tracingHooksFromGlobal({ extraTags: ['path', 'remote_addr', 'endpoint', 'full_path', 'data', 'bogus'], warn: m => warnings.push(m) })
const logLines: Array<Record<string, unknown>> = []
const userTracer = trace.getTracer('user-code')

class UserError extends Error { override name = 'UserError' }

/** What a component's predict does with @opentelemetry/api: its own attribute and child span. */
async function userPredict (x: unknown): Promise<unknown> {
  trace.getActiveSpan()?.setAttribute('user.rows', 1)
  app.log.info('inside the user method')
  return await userTracer.startActiveSpan('user-step', async span => {
    await sleep(1)
    span.end()
    return x
  })
}

async function build () {
  const fastify = Fastify({
    loggerInstance: pino({ mixin: hooks.logMixin }, { write (line: string) { logLines.push(JSON.parse(line)) } })
  })
  await fastify.register(async instance => {
    hooks.rest?.addHooks(instance)
    const instrument = hooks.methods?.forComponent('MyModel')
    if (instrument === undefined) throw new Error('method spans are on by default')
    instance.post('/api/v1.0/predictions', { config: { [ROUTE_OPERATION_KEY]: REST_OPERATION_NAMES.predict } }, async request => {
      request.log.info('handling')
      const outgoing: Record<string, string> = {}
      hooks.inject(outgoing)
      const answer = await instrument('predict', () => userPredict(request.body), 'puid-1', 'ndarray')
      return { answer, outgoing }
    })
    instance.get('/health/ping', { config: { [ROUTE_OPERATION_KEY]: REST_OPERATION_NAMES.ping } }, async () => {
      const sync = instrument('health_status', () => 'pong')
      return { sync, isPromise: (sync as unknown) instanceof Promise }
    })
    instance.post('/route', { config: { [ROUTE_OPERATION_KEY]: 'Route' } }, async () => {
      await instrument('route', async () => { throw new UserError('boom') })
    })
    instance.post('/aggregate', { config: { [ROUTE_OPERATION_KEY]: 'Aggregate' } }, async () => {
      throw Object.assign(new Error('bad data'), { statusCode: 400 })
    })
    instance.post('/transform-input', { config: { [ROUTE_OPERATION_KEY]: 'TransformInput' } }, async () => {
      return instrument('transform_input', () => { throw new TypeError('sync throw') })
    })
    instance.get('/slow', async () => { await sleep(2000); return 'late' })
    instance.get('/other', async () => 'no operation name')
  })
  return fastify
}

const app = await build()
t.teardown(() => app.close())

function predict (headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1.0/predictions?x=1', headers: { 'user-agent': 'ua/1', ...headers }, payload: { data: { ndarray: [[1]] } } })
}

t.test('uber-trace-id: Predict (SERVER) child of the executor span, predict (INTERNAL) child of it, user spans below', async t => {
  await memory.take()
  const res = await predict({ 'uber-trace-id': UBER })
  t.equal(res.statusCode, 200)
  const spans = await memory.take()
  t.same(spans.map(s => s.name).sort(), ['Predict', 'predict', 'user-step'])
  const server = byName(spans, 'Predict')
  const method = byName(spans, 'predict')
  const user = byName(spans, 'user-step')
  t.equal(server.kind, SpanKind.SERVER)
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE, 'the executor\'s 64-bit trace, padded')
  t.equal(server.parentSpanContext?.spanId, EXECUTOR_SPAN)
  t.equal(server.parentSpanContext?.isRemote, true)
  t.equal(method.kind, SpanKind.INTERNAL)
  t.equal(method.parentSpanContext?.spanId, server.spanContext().spanId, 'method span under the server span (POST: across body parsing)')
  t.equal(user.parentSpanContext?.spanId, method.spanContext().spanId, 'the user\'s span under the method span')
  t.same(server.attributes, {
    'http.request.method': 'POST',
    'http.route': '/api/v1.0/predictions',
    'url.path': '/api/v1.0/predictions',
    'url.scheme': 'http',
    'client.address': '127.0.0.1',
    'server.address': 'localhost',
    'server.port': 80,
    'user_agent.original': 'ua/1',
    path: '/api/v1.0/predictions',
    remote_addr: '127.0.0.1',
    endpoint: 'Predict',
    full_path: '/api/v1.0/predictions?x=1',
    'http.response.status_code': 200
  })
  t.same(method.attributes, {
    'seldon.component': 'MyModel', 'seldon.method': 'predict', 'seldon.puid': 'puid-1', 'seldon.payload.kind': 'ndarray', 'user.rows': 1
  }, 'no payload content')
  t.equal(server.status.code, SpanStatusCode.UNSET)
  t.equal(method.status.code, SpanStatusCode.UNSET)
  t.same(warnings.sort(), [
    'JAEGER_EXTRA_TAGS: "bogus" is not a request attribute we know (path, full_path, url, base_url, url_root, host_url, host, scheme, method, remote_addr, content_type, mimetype, content_length, user_agent, query_string, endpoint, url_rule): ignored',
    'JAEGER_EXTRA_TAGS: "data" would put the request body on the span: ignored'
  ])

  const { outgoing } = res.json() as { outgoing: Record<string, string> }
  t.equal(outgoing['uber-trace-id'], `${PADDED_EXECUTOR_TRACE}:${server.spanContext().spanId}:0:01`, 'inject: the active (server) span, Jaeger format')
  t.equal(outgoing.traceparent, `00-${PADDED_EXECUTOR_TRACE}-${server.spanContext().spanId}-01`, 'inject: W3C too')
})

t.test('log lines of a traced request carry its ids (pino mixin)', async t => {
  logLines.length = 0
  await memory.take()
  await predict({ 'uber-trace-id': UBER })
  const spans = await memory.take()
  const server = byName(spans, 'Predict').spanContext()
  const method = byName(spans, 'predict').spanContext()
  const handling = logLines.find(l => l.msg === 'handling')
  const inside = logLines.find(l => l.msg === 'inside the user method')
  t.match(handling, { trace_id: server.traceId, span_id: server.spanId, trace_flags: '01' })
  t.match(inside, { trace_id: method.traceId, span_id: method.spanId })
  const completed = logLines.find(l => l.msg === 'request completed')
  t.match(completed, { trace_id: server.traceId, span_id: server.spanId }, 'Fastify\'s own access line too')
  app.log.info('outside any request')
  t.notOk('trace_id' in (logLines.at(-1) ?? {}), 'no ids outside a span')
})

t.test('traceparent alone; both headers (uber-trace-id wins); flags 0 (nothing recorded); none (a new root)', async t => {
  await memory.take()
  await predict({ traceparent: TRACEPARENT })
  let server = byName(await memory.take(), 'Predict')
  t.equal(server.spanContext().traceId, W3C_TRACE)
  t.equal(server.parentSpanContext?.spanId, W3C_SPAN)

  await predict({ traceparent: TRACEPARENT, 'uber-trace-id': UBER })
  server = byName(await memory.take(), 'Predict')
  t.equal(server.spanContext().traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanContext?.spanId, EXECUTOR_SPAN)

  const res = await predict({ 'uber-trace-id': `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:0` })
  t.equal(res.statusCode, 200)
  t.same(await memory.take(), [], 'an unsampled parent: no span recorded (parent-based sampling)')
  t.equal((res.json() as { outgoing: Record<string, string> }).outgoing['uber-trace-id']?.endsWith(':0:00'), true,
    'the unsampled decision is passed on')

  await predict()
  server = byName(await memory.take(), 'Predict')
  t.equal(server.parentSpanContext, undefined, 'a root span')
})

t.test('errors: 5xx is ERROR with the exception; 4xx is not; a throwing method span is ERROR (sync and async)', async t => {
  await memory.take()
  let res = await app.inject({ method: 'POST', url: '/route', payload: {} })
  t.equal(res.statusCode, 500)
  let spans = await memory.take()
  const server = byName(spans, 'Route')
  t.equal(server.status.code, SpanStatusCode.ERROR)
  t.equal(server.status.message, 'boom')
  t.equal(server.attributes['error.type'], 'UserError')
  t.equal(server.attributes['http.response.status_code'], 500)
  t.same(server.events.map(e => e.name), ['exception'])
  const method = byName(spans, 'route')
  t.equal(method.status.code, SpanStatusCode.ERROR)
  t.equal(method.attributes['error.type'], 'UserError')
  t.same(method.events.map(e => e.name), ['exception'])

  res = await app.inject({ method: 'POST', url: '/aggregate', payload: {} })
  t.equal(res.statusCode, 400)
  const client = byName(await memory.take(), 'Aggregate')
  t.equal(client.status.code, SpanStatusCode.UNSET, 'a client error is not a server error')
  t.same(client.events, [])
  t.equal(client.attributes['http.response.status_code'], 400)

  res = await app.inject({ method: 'POST', url: '/transform-input', payload: {} })
  t.equal(res.statusCode, 500)
  spans = await memory.take()
  t.equal(byName(spans, 'transform_input').status.code, SpanStatusCode.ERROR, 'a synchronous throw')
  t.equal(byName(spans, 'transform_input').attributes['error.type'], 'TypeError')
  t.equal(byName(spans, 'TransformInput').attributes['error.type'], 'TypeError')
})

t.test('a synchronous user method stays synchronous; a route without a Seldon name gets the HTTP one', async t => {
  await memory.take()
  const res = await app.inject({ method: 'GET', url: '/health/ping' })
  t.same(res.json(), { sync: 'pong', isPromise: false })
  const spans = await memory.take()
  t.equal(byName(spans, 'health_status').parentSpanContext?.spanId, byName(spans, 'HealthPing').spanContext().spanId)
  await app.inject({ method: 'GET', url: '/other' })
  t.same((await memory.take()).map(s => s.name), ['GET /other'])
})

t.test('over real keep-alive connections each request gets its own parent, sequential or concurrent', async t => {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 })
  t.teardown(() => agent.destroy())
  const post = (traceId: string) => new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1.0/predictions', agent, headers: { 'content-type': 'application/json', 'uber-trace-id': `${traceId}:${EXECUTOR_SPAN}:0:1` } }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end('{"data":{"ndarray":[[1]]}}')
  })
  await memory.take()
  const ids = Array.from({ length: 8 }, (_, i) => `${i + 1}`.repeat(16))
  for (const id of ids.slice(0, 4)) t.equal(await post(id), 200)
  t.same(await Promise.all(ids.slice(4).map(post)), [200, 200, 200, 200])
  const spans = await memory.take()
  const servers = spans.filter(s => s.name === 'Predict')
  t.same(servers.map(s => s.spanContext().traceId).sort(), ids.map(id => id.padStart(32, '0')).sort())
  for (const s of servers) t.equal(s.parentSpanContext?.spanId, EXECUTOR_SPAN)
  for (const m of spans.filter(s => s.name === 'predict')) {
    const parent = servers.find(s => s.spanContext().spanId === m.parentSpanContext?.spanId)
    t.equal(parent?.spanContext().traceId, m.spanContext().traceId, 'each method span under its own request\'s span')
  }
  t.equal(context.active(), context.active(), 'no context left behind')
  t.equal(trace.getActiveSpan(), undefined, 'no span active in the test between requests')

  // A client that goes away before the answer: the span still ends.
  await new Promise<void>(resolve => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/slow' })
    req.on('error', () => resolve())
    req.end()
    setTimeout(() => { req.destroy(); resolve() }, 100)
  })
  await sleep(100)
  const aborted = (await memory.take()).find(s => s.name === 'GET /slow')
  t.equal(aborted?.attributes['error.type'], 'request_aborted')
})

t.test('hooks added on a context and on its child: still one span per request; parts can be off', async t => {
  const memoryNested = Fastify()
  await memoryNested.register(async outer => {
    hooks.rest?.addHooks(outer)
    await outer.register(async inner => {
      hooks.rest?.addHooks(inner)
      inner.get('/x', { config: { [ROUTE_OPERATION_KEY]: 'Metadata' } }, async () => 'x')
    })
  })
  await memory.take()
  await memoryNested.inject({ method: 'GET', url: '/x' })
  t.same((await memory.take()).map(s => s.name), ['Metadata'])
  await memoryNested.close()

  const partial = tracingHooksFromGlobal({ rest: false, grpc: false, methods: false })
  t.equal(partial.rest, undefined)
  t.equal(partial.grpc, undefined)
  t.equal(partial.methods, undefined)
  t.same(partial.logMixin(), {})

  const md = new Metadata()
  trace.getTracer('t').startActiveSpan('outer', span => {
    partial.inject(md)
    span.end()
  })
  t.match(md.get('uber-trace-id')[0], /^[0-9a-f]{32}:[0-9a-f]{16}:0:01$/, 'inject into gRPC metadata')
  t.match(md.get('traceparent')[0], /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
})
