/**
 * Embedded use: a host app that runs OpenTelemetry itself (its own provider, W3C propagation,
 * @fastify/otel for HTTP). The hooks from the global API register nothing; the component's
 * user-method span joins the host's trace under @fastify/otel's spans, and our REST span steps
 * aside for the host's server span (it is made only when the host has no HTTP instrumentation).
 */
import t from 'tap'
import Fastify from 'fastify'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { propagation, ProxyTracerProvider, SpanKind, trace } from '@opentelemetry/api'
import { W3CBaggagePropagator, W3CTraceContextPropagator, CompositePropagator } from '@opentelemetry/core'
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { ROUTE_OPERATION_KEY } from '../src/contract.js'
import { tracingHooksFromGlobal } from '../src/hooks.js'
import { byName, TRACEPARENT, W3C_SPAN, W3C_TRACE } from './fixtures/memory.js'

// The host's own SDK, registered before the plugins exist (W3C only: the host knows no Jaeger).
const exporter = new InMemorySpanExporter()
const host = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
host.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) })
const hostPropagator = (propagation as unknown as { _getGlobalPropagator: () => unknown })._getGlobalPropagator()

async function take () {
  await host.forceFlush()
  const spans = exporter.getFinishedSpans().slice()
  exporter.reset()
  return spans
}

const hooks = tracingHooksFromGlobal()

t.test('the hooks register nothing: the host\'s provider and propagator stay', async t => {
  t.equal((trace.getTracerProvider() as ProxyTracerProvider).getDelegate(), host)
  t.equal((propagation as unknown as { _getGlobalPropagator: () => unknown })._getGlobalPropagator(), hostPropagator)
})

async function componentApp (withFastifyOtel: boolean) {
  const app = Fastify()
  if (withFastifyOtel) {
    const otel = new FastifyOtelInstrumentation()
    await app.register(otel.plugin())
  }
  // What a Seldon plugin does with `tracing: hooks`: the hooks on its own context, before its routes.
  await app.register(async instance => {
    hooks.rest?.addHooks(instance)
    const instrument = hooks.methods?.forComponent('MyModel')
    instance.post('/api/v1.0/predictions', { config: { [ROUTE_OPERATION_KEY]: 'Predict' } }, async () => {
      return instrument?.('predict', async () => {
        trace.getActiveSpan()?.setAttribute('user.note', 'seen')
        return { data: { ndarray: [[1]] } }
      }, undefined, 'ndarray')
    })
  })
  app.get('/host-route', async () => 'the host\'s own')
  return app
}

t.test('with @fastify/otel: the method span joins the host trace under its spans; no REST span of ours', async t => {
  const app = await componentApp(true)
  t.teardown(() => app.close())
  await take()
  const res = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', headers: { traceparent: TRACEPARENT }, payload: {} })
  t.equal(res.statusCode, 200)
  const spans = await take()
  t.notOk(spans.some(s => s.name === 'Predict'), 'the host\'s server span is the server span')
  const request = spans.find(s => s.kind === SpanKind.SERVER)
  t.ok(request, '@fastify/otel made the server span')
  t.equal(request?.spanContext().traceId, W3C_TRACE)
  t.equal(request?.parentSpanContext?.spanId, W3C_SPAN)
  const method = byName(spans, 'predict')
  t.equal(method.spanContext().traceId, W3C_TRACE, 'in the host\'s trace')
  const parent = spans.find(s => s.spanContext().spanId === method.parentSpanContext?.spanId)
  t.ok(parent, 'parented to one of the host\'s spans')
  t.equal(method.attributes['user.note'], 'seen', 'the user\'s code sees its span')
  t.equal(method.attributes['seldon.component'], 'MyModel')
  // Walk up: the method span's ancestry reaches @fastify/otel's server span.
  let cursor = parent
  while (cursor !== undefined && cursor.kind !== SpanKind.SERVER) cursor = spans.find(s => s.spanContext().spanId === cursor?.parentSpanContext?.spanId)
  t.equal(cursor, request)
})

t.test('without HTTP instrumentation in the host: our REST span is the server span, in the host\'s provider', async t => {
  const app = await componentApp(false)
  t.teardown(() => app.close())
  await take()
  await app.inject({ method: 'POST', url: '/api/v1.0/predictions', headers: { traceparent: TRACEPARENT }, payload: {} })
  const spans = await take()
  const server = byName(spans, 'Predict')
  t.equal(server.kind, SpanKind.SERVER)
  t.equal(server.spanContext().traceId, W3C_TRACE)
  t.equal(byName(spans, 'predict').parentSpanContext?.spanId, server.spanContext().spanId)
  t.equal(server.instrumentationScope.name, '@fastify-seldon/tracing')

  await app.inject({ method: 'GET', url: '/host-route' })
  t.same(await take(), [], 'the host\'s routes outside the plugin\'s context are not ours to trace')
})
