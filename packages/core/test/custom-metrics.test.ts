/**
 * Custom metrics: proto3 defaults (an absent type is COUNTER, an absent value 0; C-10), what is
 * still refused, how they are echoed per transport, and the Python json.dumps text of a bad list.
 */
import t, { type Test } from 'tap'
import { JsonFloat, SeldonError, errorEnvelopeText, errorStatus, type Metric } from '@fastify-seldon/protocol'
import {
  SeldonResponse, SeldonRuntime, isPrometheusLabelName, isPrometheusMetricName,
  type MethodLabel, type MetricsRecorder
} from '../src/index.js'
import { pyJsonDumps } from '../src/internal.js'

async function ready (component: object, options = {}): Promise<SeldonRuntime> {
  const runtime = new SeldonRuntime(component, options)
  await runtime.load()
  return runtime
}

function recorder (): MetricsRecorder & { calls: Array<[readonly Metric[], MethodLabel]> } {
  const calls: Array<[readonly Metric[], MethodLabel]> = []
  return { calls, record: (m, method) => { calls.push([m, method]) }, feedback: () => {} }
}

async function failure (p: Promise<unknown>): Promise<SeldonError> {
  try {
    await p
  } catch (err) {
    if (err instanceof SeldonError) return err
    throw err
  }
  throw new Error('expected a rejection')
}

async function refused (t: Test, p: Promise<unknown>, statusCode: number, info: string): Promise<void> {
  const err = await failure(p)
  t.equal(err.statusCode, statusCode, info)
  t.equal(err.message, info)
}

const DEFAULTED: Metric[] = [{ key: 'c', value: 2 }, { key: 'g', type: 'GAUGE' }, { key: 'z' }]

t.test('metrics() entries without type or value: a COUNTER, a zero; echoed as returned, recorded', async t => {
  const rec = recorder()
  const runtime = await ready({ predict: () => [1], metrics: () => DEFAULTED }, { metrics: rec })
  for (const transport of ['rest', 'grpc'] as const) {
    const msg = (await runtime.predict({ data: { ndarray: [1] } }, transport)).message as { meta: { metrics: Metric[] } }
    t.same(msg.meta.metrics, DEFAULTED, `${transport}: verbatim (the gRPC encoder writes the defaults as absent)`)
    t.strictSame(Object.keys(msg.meta.metrics[0] as object), ['key', 'value'], 'no type added')
  }
  t.same(rec.calls[0], [DEFAULTED, 'predict'], 'handed to the recorder, which applies the same defaults')
})

t.test('SeldonResponse metrics follow the same defaults', async t => {
  const rec = recorder()
  const runtime = await ready({ predict: () => new SeldonResponse([1], undefined, [{ key: 'c' }]) }, { metrics: rec })
  const msg = (await runtime.predict({ data: { ndarray: [1] } }, 'rest')).message as { meta: { metrics: Metric[] } }
  t.same(msg.meta.metrics, [{ key: 'c' }])
  t.same(rec.calls[0]?.[0], [{ key: 'c' }])
})

t.test('request meta.metrics without type or value are echoed, over both transports', async t => {
  const runtime = await ready({ predict: (X: unknown) => X })
  for (const transport of ['rest', 'grpc'] as const) {
    const msg = (await runtime.predict({ strData: 'x', meta: { metrics: DEFAULTED } }, transport)).message as { meta: { metrics: Metric[] } }
    t.same(msg.meta.metrics, DEFAULTED, transport)
  }
})

t.test('a request metric value beyond 2^53 (a bigint from the codec) is a number: echoed exact', async t => {
  const runtime = await ready({ predict: (X: unknown) => X })
  const metrics = [{ key: 'big', type: 'GAUGE', value: 12345678901234567890123n }]
  const msg = (await runtime.predict({ strData: 'x', meta: { metrics } }, 'rest')).message as { meta: { metrics: unknown[] } }
  t.same(msg.meta.metrics, metrics)
})

t.test('still refused: a missing key, a present but wrong type or value', async t => {
  const runtime = await ready({ predict: (X: unknown) => X })
  const cases: Array<[unknown, string]> = [
    [{ value: 1, type: 'GAUGE' }, 'a metric needs a key'],
    [{ key: 'c', type: 'NOPE' }, 'type must be COUNTER, GAUGE or TIMER'],
    [{ key: 'c', type: null }, 'type must be COUNTER, GAUGE or TIMER'],
    [{ key: 'c', type: 0 }, 'type must be COUNTER, GAUGE or TIMER'],
    [{ key: 'c', value: '1' }, 'value must be a number'],
    [{ key: 'c', value: null }, 'value must be a number'],
    [{ key: 'bad key' }, 'key must be a valid Prometheus metric name'],
    [{ key: 'c', tags: { 'a-b': 'x' } }, 'tags must map label names to strings'],
    ['c', 'a metric must be an object']
  ]
  for (const [metric, problem] of cases) {
    await refused(t, runtime.predict({ strData: 'x', meta: { metrics: [{ key: 'ok' }, metric] } }, 'rest'), 400, `meta.metrics[1]: ${problem}`)
    const bad = await ready({ predict: () => [1], metrics: () => [metric] })
    await refused(t, bad.predict({ data: { ndarray: [1] } }, 'grpc'), 500, `Bad metric created during request: ${pyJsonDumps([metric])}`)
  }
})

t.test('feedback rendered as protobuf JSON (REST): defaults omitted, as MessageToDict does', async t => {
  const runtime = await ready({
    sendFeedback: () => [],
    metrics: () => [
      { key: 'c', type: 'COUNTER', value: 1 }, { key: 'g', type: 'GAUGE', value: 0 },
      { key: 'tiny', type: 'GAUGE', value: 1e-50 }, { key: 'n', type: 'GAUGE', value: -0.5 }, { key: 'bare' }
    ]
  })
  const msg = (await runtime.sendFeedback({ request: { data: { ndarray: [[1]] } }, reward: 1 }, 'rest')).message as { meta: { metrics: Metric[] } }
  const metrics = msg.meta.metrics
  t.same(metrics, [{ key: 'c', value: 1 }, { key: 'g', type: 'GAUGE' }, { key: 'tiny', type: 'GAUGE' }, { key: 'n', type: 'GAUGE', value: -0.5 }, { key: 'bare' }],
    'COUNTER loses its type, a float32 zero its value')
  t.ok(metrics[0]?.value instanceof JsonFloat, 'other values print as floats (1.0)')
})

t.test('the bad-metric text is Python\'s json.dumps: every control character, DEL and non-ASCII escaped', async t => {
  const key = 'k\u007f\u0000\u0001\u001f\b\t\n\f\r"\\/~ é\u2028😀'
  const escaped = 'k\\u007f\\u0000\\u0001\\u001f\\b\\t\\n\\f\\r\\"\\\\/~ \\u00e9\\u2028\\ud83d\\ude00'
  t.equal(pyJsonDumps(key), `"${escaped}"`)
  for (let c = 0; c < 0x20; c++) {
    const short: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' }
    t.equal(pyJsonDumps(String.fromCharCode(c)), `"${short[c] ?? `\\u${c.toString(16).padStart(4, '0')}`}"`, `U+${c.toString(16).padStart(4, '0')}`)
  }
  t.equal(pyJsonDumps('\u007f'), '"\\u007f"', 'DEL')

  const runtime = await ready({ predict: () => [1], metrics: () => [{ type: 'BAD', key, value: 1 }] })
  const err = await failure(runtime.predict({ data: { ndarray: [1] } }, 'rest'))
  const info = `Bad metric created during request: [{"type": "BAD", "key": "${escaped}", "value": 1}]`
  t.equal(err.message, info)
  t.match(info, /^[ -~]*$/, 'printable ASCII only')
  t.equal(errorEnvelopeText(errorStatus(err)), `{"status":{"code":-1,"info":${JSON.stringify(info)},"reason":"MICROSERVICE_BAD_METRIC","status":1}}\n`,
    'the REST envelope quotes that text once more')
})

t.test('Prometheus names: one rule for validation and recording', async t => {
  for (const ok of ['a', '_a', 'a:b_1', ':x']) t.ok(isPrometheusMetricName(ok), ok)
  for (const bad of ['', '1a', 'a-b', 'a b', 'é']) t.notOk(isPrometheusMetricName(bad), bad)
  for (const ok of ['a', '_a', 'a_1']) t.ok(isPrometheusLabelName(ok), ok)
  for (const bad of ['', '1a', 'a:b', 'a-b']) t.notOk(isPrometheusLabelName(bad), bad)
})
