import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { createSeldonMetrics, type SeldonMetrics } from '@fastify-seldon/metrics'
import MonitoredModel from '../src/MonitoredModel.js'

/** The model behind the all-in-one plugin, its metrics recorded in a per-test Prometheus registry. */
async function app (t: Test, metrics?: SeldonMetrics) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component: new MonitoredModel(), ...(metrics !== undefined ? { metrics: metrics.recorder } : {}) })
  t.teardown(() => instance.close())
  return instance
}

const PREDICT = { data: { ndarray: [[1, 2, 4, 8], [0, 0, 0, 8]] }, meta: { tags: { client: 'web' } } }

/** One sample line of the exposition: `name{...labels...} value`, the labels matched in any order. */
function sample (text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const got = Object.fromEntries([...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map(l => [l[1], l[2]]))
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3])
  }
  return undefined
}

t.test('the response meta carries tags(), metrics() and the per-call SeldonResponse tags and metrics', async t => {
  const a = await app(t)
  const res = await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: PREDICT })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(body.data, { names: ['score'], ndarray: [[4], [1]] }, 'X · [1, 0.5, 0.25, 0.125]')
  t.match(res.body, /"ndarray":\[\[4\.0\],\[1\.0\]\]/, 'scores are float64')
  t.same(body.meta.tags, { batch_size: 2, client: 'web', model: 'monitored', version: 'v1' }, 'request tags, then tags(), then the runtime tags')
  t.match(body.meta.metrics, [
    { key: 'monitored_calls', type: 'COUNTER', value: 1 },
    { key: 'monitored_last_batch_size', type: 'GAUGE', value: 2 },
    { key: 'monitored_predict_time', type: 'TIMER', value: Number },
    { key: 'monitored_rows', type: 'COUNTER', value: 2 }
  ], 'metrics() first, then the SeldonResponse metrics')
  t.equal(body.meta.metrics.length, 4)
  t.ok(body.meta.metrics[2].value >= 0 && body.meta.metrics[2].value < 1000, 'the TIMER is predict\'s own duration in ms')

  // A health probe calls tags() and metrics() too, but carries no predict timing.
  const health = await a.inject({ method: 'GET', url: '/health/status' })
  t.equal(health.body,
    '{"meta":{"metrics":[{"key":"monitored_calls","type":"COUNTER","value":1},{"key":"monitored_last_batch_size","type":"GAUGE","value":2}],' +
    '"tags":{"model":"monitored","version":"v1"}},"strData":"healthy"}\n')

  const bad = await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1, 2, 3]] } } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.body, '{"status":{"code":-1,"info":"expected rows of 4 numbers, got shape [1,3]","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')
})

t.test('the metrics reach the Prometheus exposition with a method label', async t => {
  const metrics = createSeldonMetrics()
  const a = await app(t, metrics)
  await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: PREDICT })
  await a.inject({ method: 'POST', url: '/predict', payload: { data: { ndarray: [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]] } } })
  await a.inject({ method: 'GET', url: '/health/status' })

  const text = await metrics.metrics()
  t.equal(sample(text, 'monitored_calls_total', { method: 'predict' }), 2, 'COUNTER → <key>_total, summed')
  t.equal(sample(text, 'monitored_calls_total', { method: 'health' }), 1, 'the health probe counted under method="health"')
  t.equal(sample(text, 'monitored_last_batch_size', { method: 'predict' }), 3, 'GAUGE → set to the latest value')
  t.equal(sample(text, 'monitored_rows_total', { method: 'predict' }), 5, 'the per-call COUNTER: 2 + 3 rows')
  t.equal(sample(text, 'monitored_predict_time_count', { method: 'predict' }), 2, 'TIMER → a histogram, one observation per predict')
  t.equal(sample(text, 'monitored_predict_time_count', { method: 'health' }), undefined, 'none for health probes')
  t.equal(sample(text, 'monitored_predict_time_bucket', { method: 'predict', le: '+Inf' }), 2)
  t.match(text, /monitored_predict_time_bucket\{[^}]*le="29\.999999999999996"/, 'the wrapper\'s buckets, in seconds')
  t.equal(sample(text, 'monitored_calls_total', { method: 'predict', model_name: 'NOT_IMPLEMENTED' }), 2, 'the deployment labels (NOT_IMPLEMENTED outside Kubernetes)')
})

t.test('parameters', async t => {
  const model = new MonitoredModel({ weights: '2,3' })
  t.same(model.weights, [2, 3])
  t.throws(() => new MonitoredModel({ weights: '1,x' }), /weights must be a list of numbers/)
  t.throws(() => new MonitoredModel({ weights: '1,,2' }), /weights must be a list of numbers/, 'an empty item is not 0')
  t.throws(() => new MonitoredModel({ weights: [] }), /weights must be a list of numbers/)
  t.throws(() => model.predict('text'), { statusCode: 400, message: 'expected rows of 2 numbers, got no data' })
})
