/**
 * `seldon-microservice --tracing` end to end (docs/tracing.md): two workers, each with its own
 * tracer, exporting over OTLP to a loopback receiver; REST and gRPC spans with the wrapper's names
 * in the trace the caller's uber-trace-id / traceparent names, the user-method child span, ERROR
 * on a 5xx, trace ids in the log lines, spans flushed on SIGTERM. And tracing off: no
 * OpenTelemetry SDK module loaded in the worker, no global registered.
 */
import * as grpc from '@grpc/grpc-js'
import { seldonServices } from '@fastify-seldon/grpc'
import { startOtlpReceiver, type ReceivedSpan } from '@fastify-seldon/tracing/testing'
import t from 'tap'
import { freePorts, request, startCli, waitForHttp, type Response } from './helpers.js'

const EXECUTOR_TRACE = 'a1b2c3d4e5f60718'
const EXECUTOR_SPAN = '1122334455667788'
const UBER = `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:1`
const PADDED = EXECUTOR_TRACE.padStart(32, '0')
const W3C_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const W3C_SPAN = '00f067aa0ba902b7'
const TRACEPARENT = `00-${W3C_TRACE}-${W3C_SPAN}-01`
const SERVER = 2 // OTLP's SpanKind
const INTERNAL = 1
const ERROR = 2 // OTLP's status code

// Workers that import and start an SDK take seconds on a loaded 2-core machine: generous bounds.
t.setTimeout(300_000)
const START_MS = 90_000

const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')

function tagsOf (res: Response): { pid: number, otelModules: number, otelGlobal: boolean } {
  return (JSON.parse(res.body) as { meta: { tags: { pid: number, otelModules: number, otelGlobal: boolean } } }).meta.tags
}

async function predict (port: number, value: number, headers: Record<string, string> = {}): Promise<Response> {
  return await request(`http://127.0.0.1:${port}/api/v1.0/predictions`, { body: JSON.stringify({ data: { ndarray: [[value]] } }), headers })
}

async function grpcPredict (port: number, metadata: Record<string, string>): Promise<number> {
  const client = new Model(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  const md = new grpc.Metadata()
  for (const [k, v] of Object.entries(metadata)) md.set(k, v)
  try {
    return await new Promise((resolve, reject) => {
      ;(client as any).Predict({ data: { ndarray: [[7]] } }, md, { deadline: new Date(Date.now() + 10_000) }, (err: Error | null, reply: any) => {
        if (err !== null) reject(err); else resolve(Number(reply.meta.tags.pid))
      })
    })
  } finally {
    client.close()
  }
}

function only (spans: ReceivedSpan[], test: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(test)
  if (found.length !== 1) throw new Error(`${found.length} spans for ${what} among ${spans.map(s => `${s.name}@${s.traceId}`).join(', ')}`)
  return found[0] as ReceivedSpan
}

t.test('--workers 2 --tracing: REST and gRPC spans in the caller\'s trace, from the worker that served', async t => {
  const receiver = await startOtlpReceiver()
  t.teardown(() => receiver.close())
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, [
    'TracedModel', '--workers', '2', '--tracing', '--log-level', 'DEBUG',
    '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--grace-period', '20'
  ], {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' }
  })
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli, START_MS)
  await cli.waitForOutput(/serving TracedModel/, 1, START_MS)

  // uber-trace-id, as the executor sends it: each request on a new connection, until both workers answered.
  const servedBy = new Set<number>()
  const byPid = new Map<number, number>()
  for (let i = 1; i <= 20 && servedBy.size < 2; i++) {
    const res = await predict(http, i, { 'uber-trace-id': UBER })
    t.equal(res.status, 200)
    const { pid, otelModules, otelGlobal } = tagsOf(res)
    t.ok(otelModules > 0 && otelGlobal, 'the worker runs an OpenTelemetry SDK')
    servedBy.add(pid)
    byPid.set(pid, i)
  }
  t.equal(servedBy.size, 2, 'both workers served')
  const traceparentRes = await predict(http, 50, { traceparent: TRACEPARENT })
  const bothRes = await predict(http, 51, { traceparent: TRACEPARENT, 'uber-trace-id': UBER.replace(EXECUTOR_SPAN, 'aaaaaaaaaaaaaaaa') })
  const failed = await predict(http, 0, { traceparent: TRACEPARENT.replace(W3C_SPAN, 'bbbbbbbbbbbbbbbb') })
  t.equal(failed.status, 500)
  const grpcPid = await grpcPredict(grpcPort, { 'uber-trace-id': UBER.replace(EXECUTOR_SPAN, 'cccccccccccccccc') })

  const spans = await receiver.waitForSpans(all =>
    all.filter(s => s.name === 'Predict').length >= servedBy.size + 3 && all.some(s => s.name === '/seldon.protos.Model/Predict'), 15_000)

  // Every worker that served exported its own spans: service.name is the class, process.pid the worker.
  for (const pid of servedBy) {
    const server = spans.find(s => s.name === 'Predict' && s.resource['process.pid'] === pid && s.parentSpanId === EXECUTOR_SPAN)
    t.ok(server, `worker ${pid}: a Predict span under the executor's span`)
    if (server === undefined) continue
    t.equal(server.resource['service.name'], 'TracedModel')
    t.equal(server.traceId, PADDED, 'in the executor\'s (64-bit, padded) trace')
    t.equal(server.kind, SERVER)
    t.equal(server.attributes['http.route'], '/api/v1.0/predictions')
    t.equal(server.attributes['http.response.status_code'], 200)
    const method = spans.find(s => s.name === 'predict' && s.parentSpanId === server.spanId)
    t.ok(method, 'the user-method span is its child')
    t.equal(method?.kind, INTERNAL)
    t.equal(method?.attributes['seldon.component'], 'TracedModel')
  }

  const w3c = only(spans, s => s.name === 'Predict' && s.parentSpanId === W3C_SPAN, 'traceparent alone')
  t.equal(w3c.traceId, W3C_TRACE)
  t.equal(w3c.resource['process.pid'], tagsOf(traceparentRes).pid)
  const both = only(spans, s => s.name === 'Predict' && s.parentSpanId === 'aaaaaaaaaaaaaaaa', 'both headers')
  t.equal(both.traceId, PADDED, 'uber-trace-id wins over traceparent')
  t.equal(both.resource['process.pid'], tagsOf(bothRes).pid)

  const error = only(spans, s => s.name === 'Predict' && s.parentSpanId === 'bbbbbbbbbbbbbbbb', 'the 500')
  t.equal(error.status.code, ERROR, 'a 5xx is an ERROR span')
  t.equal(error.attributes['http.response.status_code'], 500)
  const errorMethod = only(spans, s => s.name === 'predict' && s.parentSpanId === error.spanId, 'the failing predict')
  t.equal(errorMethod.status.code, ERROR)
  t.ok(errorMethod.events.includes('exception'), 'the exception is recorded')

  const rpc = only(spans, s => s.name === '/seldon.protos.Model/Predict', 'the gRPC call')
  t.equal(rpc.parentSpanId, 'cccccccccccccccc')
  t.equal(rpc.traceId, PADDED)
  t.equal(rpc.kind, SERVER)
  t.equal(rpc.attributes['rpc.method'], 'seldon.protos.Model/Predict')
  t.equal(rpc.attributes['rpc.status_code'], 'OK')
  t.equal(rpc.resource['process.pid'], grpcPid)
  t.ok(spans.some(s => s.name === 'predict' && s.parentSpanId === rpc.spanId), 'the gRPC call\'s user-method span')

  t.match(cli.stdout(), new RegExp(`"trace_id":"${PADDED}"`), 'log lines of a traced request carry its trace id')
  t.match(cli.stdout(), /tracing on: service TracedModel, OTLP http\/json/)
  t.same(Object.keys((JSON.parse(bothRes.body) as { meta: object }).meta), ['tags'], 'no trace context in meta')
  t.notMatch(bothRes.body, /uber|traceparent|trace_id/, 'nor anywhere in the answer')

  // SIGTERM: the drain flushes what is still queued.
  const before = receiver.spans().length
  await predict(http, 99, { 'uber-trace-id': UBER.replace(EXECUTOR_SPAN, 'dddddddddddddddd') })
  cli.child.kill('SIGTERM')
  t.same(await cli.exited(30_000), { code: 0, signal: null }, `exit 0 after the drain\n${cli.stdout().split('\n').slice(-8).join('\n')}`)
  t.ok(receiver.spans().some(s => s.parentSpanId === 'dddddddddddddddd'), `the last request's spans exported by the drain (${receiver.spans().length - before} new)`)
})

t.test('tracing off (no flag, TRACING=0): no OpenTelemetry SDK module in the worker, nothing registered', async t => {
  for (const env of [{}, { TRACING: '0' }]) {
    const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
    const cli = startCli(t, [
      'TracedModel', '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--grace-period', '1'
    ], { env })
    await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli, START_MS)
    const res = await predict(http, 1, { 'uber-trace-id': UBER })
    t.equal(res.status, 200)
    t.same({ ...tagsOf(res), pid: 0 }, { pid: 0, otelModules: 0, otelGlobal: false }, `off with ${JSON.stringify(env)}`)
    t.notMatch(cli.stdout(), /trace_id|tracing on/)
    cli.child.kill('SIGTERM')
    await cli.exited(10_000)
  }
})

t.test('TRACING=true is on (the wrapper crashes on it); an unreadable value is a usage error', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const receiver = await startOtlpReceiver()
  t.teardown(() => receiver.close())
  const cli = startCli(t, [
    'TracedModel', '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--grace-period', '1'
  ], { env: { TRACING: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SELDON_TRACING_METHOD_SPAN: '0' } })
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli, START_MS)
  const res = await predict(http, 1)
  t.ok(tagsOf(res).otelGlobal, 'on')
  cli.child.kill('SIGTERM')
  await cli.exited(10_000)
  const spans = await receiver.waitForSpans(all => all.some(s => s.name === 'Predict'), 5000)
  t.notOk(spans.some(s => s.name === 'predict'), 'SELDON_TRACING_METHOD_SPAN=0: no user-method span (the wrapper\'s shape)')

  const bad = startCli(t, ['TracedModel'], { env: { TRACING: 'yes' } })
  t.same(await bad.exited(10_000), { code: 2, signal: null })
  t.match(bad.stderr(), /TRACING must be an integer \(0: off\) or true\/false, got "yes"/)
})
