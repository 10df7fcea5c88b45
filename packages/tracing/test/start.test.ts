/**
 * startTracing end to end in one process: the environment in, a real OTLP exporter out to the
 * local receiver of `@fastify-seldon/tracing/testing`, over http/json and http/protobuf (gzip),
 * with the resource, the start-up line, OpenTelemetry's own errors routed to our logger, the
 * bounded shutdown, and OTEL_SDK_DISABLED.
 */
import net from 'node:net'
import t from 'tap'
import Fastify from 'fastify'
import { context, diag, propagation, trace } from '@opentelemetry/api'
import { ROUTE_OPERATION_KEY } from '../src/contract.js'
import { startTracing, type Tracing } from '../src/start.js'
import { startOtlpReceiver, type ReceivedSpan } from '../src/testing.js'
import { EXECUTOR_SPAN, PADDED_EXECUTOR_TRACE, UBER } from './fixtures/memory.js'

const savedEnv = { ...process.env }
function setEnv (values: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (/^(OTEL_|JAEGER_|SELDON_|PREDICT)/.test(key)) delete process.env[key]
  Object.assign(process.env, values)
}
t.teardown(() => { process.env = savedEnv })

function captureLogger () {
  const lines: Array<[string, string]> = []
  return {
    lines,
    logger: {
      info: (m: string) => { lines.push(['info', m]) },
      warn: (m: string) => { lines.push(['warn', m]) },
      error: (m: string) => { lines.push(['error', m]) }
    }
  }
}

/** Back to no OpenTelemetry globals, so the next test can start afresh. */
function unregister (): void {
  trace.disable()
  propagation.disable()
  context.disable()
  diag.disable()
}

async function serveOnce (tracing: Tracing): Promise<void> {
  const app = Fastify()
  await app.register(async instance => {
    tracing.hooks.rest?.addHooks(instance)
    const instrument = tracing.hooks.methods?.forComponent('MyModel')
    instance.post('/api/v1.0/predictions', { config: { [ROUTE_OPERATION_KEY]: 'Predict' } }, async () =>
      instrument?.('predict', () => ({ data: { ndarray: [[1]] } }), 'p-1', 'ndarray'))
  })
  const res = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', headers: { 'uber-trace-id': UBER }, payload: {} })
  if (res.statusCode !== 200) throw new Error(`predict answered ${res.statusCode}`)
  await app.close()
}

function twoSpans (spans: ReceivedSpan[]): boolean {
  return spans.some(s => s.name === 'Predict') && spans.some(s => s.name === 'predict')
}

t.test('OTEL_SDK_DISABLED=true: undefined, and no OpenTelemetry global registered', async t => {
  setEnv({ OTEL_SDK_DISABLED: 'true' })
  const { lines, logger } = captureLogger()
  t.equal(await startTracing({ componentName: 'MyModel', logger }), undefined)
  t.equal((globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')], undefined)
  t.match(lines, [['info', /disabled by OTEL_SDK_DISABLED/]])
})

t.test('http/json: spans, parents, kinds and the resource reach the collector', async t => {
  const receiver = await startOtlpReceiver()
  t.teardown(() => receiver.close())
  setEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '20',
    SELDON_DEPLOYMENT_ID: 'dep',
    PREDICTOR_ID: 'main',
    PREDICTIVE_UNIT_ID: 'classifier',
    JAEGER_TAGS: 'team=ml',
    JAEGER_EXTRA_TAGS: 'path,data'
  })
  const { lines, logger } = captureLogger()
  const tracing = await startTracing({ componentName: 'MyModel', logger })
  if (tracing === undefined) throw new Error('on')
  t.equal(tracing.description,
    `tracing on: service MyModel, OTLP http/json to ${receiver.url}/v1/traces, sampler parentbased_always_on, propagators tracecontext,baggage,jaeger`)
  t.same(lines, [['warn', 'tracing: JAEGER_EXTRA_TAGS: "data" would put the request body on the span: ignored'], ['info', tracing.description]],
    'warnings then one start-up line')

  await serveOnce(tracing)
  const spans = await receiver.waitForSpans(twoSpans)
  const server = spans.find(s => s.name === 'Predict') as ReceivedSpan
  const method = spans.find(s => s.name === 'predict') as ReceivedSpan
  t.equal(server.traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanId, EXECUTOR_SPAN)
  t.equal(server.kind, 2, 'OTLP SERVER')
  t.equal(method.kind, 1, 'OTLP INTERNAL')
  t.equal(method.parentSpanId, server.spanId)
  t.match(server.attributes, { 'http.route': '/api/v1.0/predictions', 'http.response.status_code': 200, path: '/api/v1.0/predictions' })
  t.match(method.attributes, { 'seldon.method': 'predict', 'seldon.puid': 'p-1' })
  t.match(server.resource, {
    'service.name': 'MyModel',
    'seldon.deployment.id': 'dep',
    'seldon.predictor.id': 'main',
    'seldon.predictive_unit.id': 'classifier',
    team: 'ml',
    'telemetry.sdk.language': 'nodejs',
    'process.pid': process.pid
  })
  t.equal(server.scope, '@fastify-seldon/tracing')
  t.match(receiver.requests[0], { path: '/v1/traces', contentType: /application\/json/ })
  await tracing.shutdown()
  unregister()
})

t.test('http/protobuf (the default), gzip, OTEL_SERVICE_NAME over the component name', async t => {
  const receiver = await startOtlpReceiver()
  t.teardown(() => receiver.close())
  setEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    OTEL_SERVICE_NAME: 'iris-service',
    OTEL_RESOURCE_ATTRIBUTES: 'team=data',
    JAEGER_TAGS: 'team=ml',
    OTEL_BSP_SCHEDULE_DELAY: '20',
    SELDON_TRACING_METHOD_SPAN: '0'
  })
  const tracing = await startTracing({ componentName: 'MyModel', logger: captureLogger().logger })
  if (tracing === undefined) throw new Error('on')
  t.equal(tracing.hooks.methods, undefined, 'SELDON_TRACING_METHOD_SPAN=0')
  t.match(tracing.description, /service iris-service, OTLP http\/protobuf .*, no user-method spans$/)
  await serveOnce(tracing)
  const spans = await receiver.waitForSpans(s => s.some(x => x.name === 'Predict'))
  t.same(spans.map(s => s.name), ['Predict'])
  const server = spans[0] as ReceivedSpan
  t.equal(server.traceId, PADDED_EXECUTOR_TRACE)
  t.equal(server.parentSpanId, EXECUTOR_SPAN)
  t.equal(server.kind, 2)
  t.equal(server.attributes['http.response.status_code'], 200, 'an int64 attribute decoded')
  t.equal(server.resource['service.name'], 'iris-service')
  t.equal(server.resource.team, 'data', 'OTEL_RESOURCE_ATTRIBUTES over JAEGER_TAGS')
  t.match(receiver.requests[0], { contentType: 'application/x-protobuf', contentEncoding: 'gzip' })
  await tracing.shutdown()
  unregister()
})

t.test('export failures reach our logger (once), and shutdown is bounded when the collector hangs', async t => {
  // A collector that accepts connections and never answers.
  const sockets = new Set<net.Socket>()
  const silent = net.createServer(socket => { sockets.add(socket) })
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close() })
  const receiver = await startOtlpReceiver()
  t.teardown(() => receiver.close())

  setEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/not-traces`, OTEL_BSP_SCHEDULE_DELAY: '20' })
  const failing = captureLogger()
  let tracing = await startTracing({ componentName: 'MyModel', logger: failing.logger, announce: false })
  if (tracing === undefined) throw new Error('on')
  t.same(failing.lines, [], 'announce: false writes no start-up line')
  await serveOnce(tracing)
  await serveOnce(tracing)
  const deadline = Date.now() + 5000
  while (!failing.lines.some(([level]) => level === 'error') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  const errors = failing.lines.filter(([level]) => level === 'error')
  t.equal(errors.length, 1, 'the same failure is logged once')
  t.match(errors[0]?.[1], /^OpenTelemetry: .*404/)
  await tracing.shutdown()
  unregister()

  const port = (silent.address() as net.AddressInfo).port
  setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '60000' })
  const hanging = captureLogger()
  tracing = await startTracing({ componentName: 'MyModel', logger: hanging.logger, announce: false })
  if (tracing === undefined) throw new Error('on')
  await serveOnce(tracing)
  const started = Date.now()
  await tracing.shutdown(300)
  const took = Date.now() - started
  t.ok(took < 2000, `shutdown(300) returned after ${took} ms though the collector never answered`)
  t.match(hanging.lines, [['warn', /not exported within 300 ms/]])
  t.equal(tracing.shutdown(), tracing.shutdown(), 'idempotent')
  unregister()
})

t.test('grpc protocol: the gRPC exporter, loaded only then; b3 when the Jaeger config asks', async t => {
  setEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', JAEGER_AGENT_HOST: '127.0.0.1', JAEGER_TRACE_PROPAGATION_TYPE: 'b3' })
  const { lines, logger } = captureLogger()
  const tracing = await startTracing({ componentName: 'MyModel', logger })
  if (tracing === undefined) throw new Error('on')
  t.equal(tracing.description,
    'tracing on: service MyModel, OTLP grpc to http://127.0.0.1:4317, sampler parentbased_always_on, propagators tracecontext,baggage,b3multi,jaeger')
  t.match(lines[0], ['warn', /Jaeger agent host 127\.0\.0\.1: exporting OTLP to it on port 4317/])
  const out: Record<string, string> = {}
  trace.getTracer('t').startActiveSpan('x', span => { tracing.hooks.inject(out); span.end() })
  t.same(Object.keys(out).sort(), ['traceparent', 'uber-trace-id', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'])
  await tracing.shutdown(500)
  unregister()
})
