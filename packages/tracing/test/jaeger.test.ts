/**
 * The Jaeger `uber-trace-id` propagator: the formats Seldon's executor (jaeger-client-go) and the
 * Python wrapper (jaeger-client-python) write, malformed values, baggage, injection, and the
 * precedence when a `traceparent` arrives next to the executor's header.
 */
import t from 'tap'
import { context, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api'
import { JaegerPropagator, parseUberTraceId } from '../src/jaeger.js'
import { buildPropagator } from '../src/propagation.js'
import { EXECUTOR_SPAN, EXECUTOR_TRACE, PADDED_EXECUTOR_TRACE, TRACEPARENT, UBER, W3C_SPAN, W3C_TRACE } from './fixtures/memory.js'

const jaeger = new JaegerPropagator()

function extracted (headers: Record<string, string | string[]>) {
  return trace.getSpanContext(jaeger.extract(ROOT_CONTEXT, headers, defaultTextMapGetter))
}

t.test('valid headers', async t => {
  const vectors: Array<[string, string, string, string, number]> = [
    // [what, header, trace id, span id, flags]
    ['unpadded 64-bit (jaeger-client-python)', UBER, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.SAMPLED],
    ['short ids left-padded', 'abc:de:0:1', '00000000000000000000000000000abc', '00000000000000de', TraceFlags.SAMPLED],
    ['padded 64-bit (jaeger-client-go)', '00f067aa0ba902b7:00f067aa0ba902b7:0:1', '000000000000000000f067aa0ba902b7', '00f067aa0ba902b7', TraceFlags.SAMPLED],
    ['%3A-encoded', `${EXECUTOR_TRACE}%3A${EXECUTOR_SPAN}%3A0%3A1`, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.SAMPLED],
    ['128-bit', `${W3C_TRACE}:${W3C_SPAN}:0:1`, W3C_TRACE, W3C_SPAN, TraceFlags.SAMPLED],
    ['upper-case hex', `${EXECUTOR_TRACE.toUpperCase()}:${EXECUTOR_SPAN}:0:1`, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.SAMPLED],
    ['flags 0: not sampled', `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:0`, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.NONE],
    ['debug flag alone implies sampled', `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:2`, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.SAMPLED],
    ['sampled + debug', `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:3`, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.SAMPLED],
    ['a parent span id', `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:99aabb:1`, PADDED_EXECUTOR_TRACE, EXECUTOR_SPAN, TraceFlags.SAMPLED]
  ]
  for (const [what, header, traceId, spanId, flags] of vectors) {
    t.same(parseUberTraceId(header), { traceId, spanId, isRemote: true, traceFlags: flags }, what)
    t.same(extracted({ 'uber-trace-id': header })?.traceId, traceId, `${what}: through extract`)
  }
  t.equal(extracted({ 'uber-trace-id': [UBER, 'ffff:ffff:0:1'] })?.traceId, PADDED_EXECUTOR_TRACE, 'a repeated header: the first')
})

t.test('malformed headers are no context at all', async t => {
  const garbage = [
    'garbage', '', ':::', 'x:y:z:w', `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0`, `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:1:9`,
    `${'0'.repeat(16)}:${EXECUTOR_SPAN}:0:1`, `${EXECUTOR_TRACE}:0000000000000000:0:1`, `${'f'.repeat(33)}:${EXECUTOR_SPAN}:0:1`,
    `${EXECUTOR_TRACE}:${'f'.repeat(17)}:0:1`, `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:zz`, `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:100`,
    `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}:xyz:1`, `${EXECUTOR_TRACE}:${EXECUTOR_SPAN}::1`.replace('::', ':g:'), '%E0%A4%A', `${EXECUTOR_TRACE}-${EXECUTOR_SPAN}-0-1`
  ]
  for (const header of garbage) {
    t.equal(parseUberTraceId(header), undefined, JSON.stringify(header))
    t.equal(extracted({ 'uber-trace-id': header }), undefined, `${JSON.stringify(header)} through extract`)
  }
})

t.test('baggage: uberctx-* in, URL-decoded; out, URL-encoded', async t => {
  const ctx = jaeger.extract(ROOT_CONTEXT, { 'uber-trace-id': UBER, 'uberctx-user': 'ann%20lee', 'uberctx-bad': '%E0%A4%A', 'uberctx-': 'x', other: 'y' }, defaultTextMapGetter)
  const baggage = propagation.getBaggage(ctx)
  t.equal(baggage?.getEntry('user')?.value, 'ann lee')
  t.equal(baggage?.getEntry('bad')?.value, '%E0%A4%A', 'an undecodable value is kept as it came')
  t.equal(baggage?.getAllEntries().length, 2, 'an empty key and other headers are not baggage')

  const out: Record<string, string> = {}
  jaeger.inject(ctx, out, defaultTextMapSetter)
  t.equal(out['uberctx-user'], 'ann%20lee')
  t.equal(out['uber-trace-id'], `${PADDED_EXECUTOR_TRACE}:${EXECUTOR_SPAN}:0:01`)
  t.same(jaeger.fields(), ['uber-trace-id'])
})

t.test('inject: 128-bit trace id, span id, parent 0, flags 01 or 00; nothing without a valid context', async t => {
  const sampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: W3C_SPAN, traceFlags: TraceFlags.SAMPLED })
  const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: W3C_SPAN, traceFlags: TraceFlags.NONE })
  const a: Record<string, string> = {}
  const b: Record<string, string> = {}
  const c: Record<string, string> = {}
  jaeger.inject(sampled, a, defaultTextMapSetter)
  jaeger.inject(unsampled, b, defaultTextMapSetter)
  jaeger.inject(ROOT_CONTEXT, c, defaultTextMapSetter)
  t.equal(a['uber-trace-id'], `${W3C_TRACE}:${W3C_SPAN}:0:01`)
  t.equal(b['uber-trace-id'], `${W3C_TRACE}:${W3C_SPAN}:0:00`)
  t.same(c, {})
  t.same(parseUberTraceId(a['uber-trace-id'] as string), { traceId: W3C_TRACE, spanId: W3C_SPAN, isRemote: true, traceFlags: TraceFlags.SAMPLED }, 'round trip')
})

t.test('precedence: with tracecontext,baggage,jaeger the executor\'s uber-trace-id wins over a forwarded traceparent', async t => {
  const composite = await buildPropagator(['tracecontext', 'baggage', 'jaeger'])
  const both = { traceparent: TRACEPARENT, 'uber-trace-id': `${EXECUTOR_TRACE}%3A${EXECUTOR_SPAN}%3A0%3A1` }
  const ids = trace.getSpanContext(composite.extract(ROOT_CONTEXT, both, defaultTextMapGetter))
  t.equal(ids?.traceId, PADDED_EXECUTOR_TRACE)
  t.equal(ids?.spanId, EXECUTOR_SPAN)
  t.equal(trace.getSpanContext(composite.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT }, defaultTextMapGetter))?.traceId, W3C_TRACE, 'traceparent alone')
  t.equal(trace.getSpanContext(composite.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT, 'uber-trace-id': 'garbage' }, defaultTextMapGetter))?.traceId, W3C_TRACE,
    'a malformed uber-trace-id does not spoil a good traceparent')

  const out: Record<string, string> = {}
  composite.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: W3C_SPAN, traceFlags: 1 }), out, defaultTextMapSetter)
  t.same(Object.keys(out).sort(), ['traceparent', 'uber-trace-id'], 'both formats written')

  const b3 = await buildPropagator(['tracecontext', 'baggage', 'b3multi', 'jaeger'])
  const multi: Record<string, string> = {}
  b3.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: W3C_SPAN, traceFlags: 1 }), multi, defaultTextMapSetter)
  t.equal(multi['x-b3-traceid'], W3C_TRACE, 'b3multi writes the B3 headers')
  t.equal(trace.getSpanContext(b3.extract(ROOT_CONTEXT, { 'x-b3-traceid': EXECUTOR_TRACE, 'x-b3-spanid': EXECUTOR_SPAN, 'x-b3-sampled': '1' }, defaultTextMapGetter))?.traceId,
    PADDED_EXECUTOR_TRACE, 'B3 (JAEGER_TRACE_PROPAGATION_TYPE=b3 on the executor) read')
  const single = await buildPropagator(['b3'])
  const one: Record<string, string> = {}
  single.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: W3C_TRACE, spanId: W3C_SPAN, traceFlags: 1 }), one, defaultTextMapSetter)
  t.equal(one.b3, `${W3C_TRACE}-${W3C_SPAN}-1`, 'b3: the single header')
  t.equal(context.active(), ROOT_CONTEXT)
})
