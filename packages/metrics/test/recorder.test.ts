import t from 'tap'
import promClient from 'prom-client'
import {
  createSeldonMetrics, DEFAULT_MAX_SERIES_PER_METRIC, deploymentLabelsFromEnv, resolveDeploymentLabels, splitImage,
  SELDON_TIMER_BUCKETS, NOT_IMPLEMENTED, DEPLOYMENT_LABEL_NAMES, METRIC_NAMES, PROMETHEUS_CONTENT_TYPE
} from '../src/index.js'
import { captureLogger, find, parseSamples, value } from './fixtures/helper.js'

const NI = NOT_IMPLEMENTED
const DEFAULTS = {
  deployment_name: NI,
  image_name: NI,
  image_version: NI,
  model_image: NI,
  model_name: NI,
  model_version: NI,
  predictor_name: NI,
  predictor_version: NI,
  seldon_deployment_name: NI
}

/** The Python wrapper's list (seldon-core v1.18.2 python/seldon_core/metrics.py), verbatim. */
const WRAPPER_LE = '0.001, 0.0012341553253454693, 0.0015231393670785815, 0.0018797905611233593, 0.0023199535315445415, 0.002863183005509725, 0.0035336125536884733, 0.004361026750842238, 0.005382184388525997, 0.006642451525090608, 0.008197816923039709, 0.010117379411776668, 0.012486417679584786, 0.015410178873747385, 0.019018554321561593, 0.02347185009632733, 0.028967908792092944, 0.03575089889988335, 0.04412216226317852, 0.05445360152285871, 0.06720420230367624, 0.0829404241586763, 0.10236136616184238, 0.12632982515827532, 0.15591062646904755, 0.19241792993472334, 0.2374736129208902, 0.2930793240153456, 0.3617054084821892, 0.44640065608455204, 0.5509277469444613, 0.6799304127720881, 0.8391397397870157, 1.035628778567157, 1.2781267721496807, 1.5774069623151439, 1.9467652027782552, 2.402610642206036, 2.965194718810281, 3.65951085290597, 4.516404807273444, 5.573945044312399, 6.879113959621136, 8.489895126924782, 10.477849282518772, 12.931293490187748, 15.959224724520412, 19.696162182151948, 24.30812344597087, 29.999999999999996, +Inf'.split(', ')

t.test('a fresh object exposes nothing, like the wrapper\'s empty store', async t => {
  const m = createSeldonMetrics()
  t.equal(await m.metrics(), '')
  t.equal(m.contentType, 'text/plain; version=0.0.4; charset=utf-8')
  t.equal(m.contentType, PROMETHEUS_CONTENT_TYPE)
  t.not(m.registry, promClient.register, 'never the global registry')
})

t.test('COUNTER: <key>_total, summed per tag set, HELP/TYPE lines as the wrapper', async t => {
  const m = createSeldonMetrics({ logger: captureLogger() })
  m.recorder.record([{ key: 'rich_calls', type: 'COUNTER', value: 1 }], 'predict')
  m.recorder.record([{ key: 'rich_calls', type: 'COUNTER', value: 2.5 }], 'predict')
  m.recorder.record([{ key: 'rich_calls', value: 1 }], 'health') // absent type = COUNTER (proto-JSON)
  m.recorder.record([{ key: 'already_total', type: 'COUNTER', value: 3 }], 'predict')
  const text = await m.metrics()
  t.match(text, /^# HELP rich_calls_total \n# TYPE rich_calls_total counter\n/m, 'empty HELP text with the trailing space')
  t.match(text, /^# TYPE already_total counter$/m, '_total is not doubled')
  t.notMatch(text, /already_total_total/)
  t.equal((text.match(/# TYPE rich_calls_total/g) ?? []).length, 1, 'one family per name')
  const s = parseSamples(text)
  t.equal(value(s, 'rich_calls_total', { method: 'predict' }), 3.5)
  t.equal(value(s, 'rich_calls_total', { method: 'health' }), 1)
  t.equal(value(s, 'already_total'), 3)
  t.same(find(s, 'rich_calls_total', { method: 'predict' })[0]?.labels, { ...DEFAULTS, method: 'predict' })
})

t.test('GAUGE: set, last value wins', async t => {
  const m = createSeldonMetrics()
  m.recorder.record([{ key: 'rich_multiplier', type: 'GAUGE', value: 3 }], 'predict')
  m.recorder.record([{ key: 'rich_multiplier', type: 'GAUGE', value: -1.5 }], 'predict')
  const text = await m.metrics()
  t.match(text, /^# HELP rich_multiplier \n# TYPE rich_multiplier gauge$/m)
  t.equal(value(parseSamples(text), 'rich_multiplier'), -1.5, 'negative gauges are fine')
})

t.test('TIMER: milliseconds into a seconds histogram with the wrapper\'s 50 edges + Inf', async t => {
  const m = createSeldonMetrics()
  m.recorder.record([{ key: 'rich_fake_timer', type: 'TIMER', value: 12.5 }], 'predict')
  m.recorder.record([{ key: 'rich_fake_timer', type: 'TIMER', value: 12.5 }], 'predict')
  m.recorder.record([{ key: 'rich_fake_timer', type: 'TIMER', value: 60000 }], 'predict') // 60 s, over the last edge
  const text = await m.metrics()
  t.match(text, /^# HELP rich_fake_timer \n# TYPE rich_fake_timer histogram$/m)
  const s = parseSamples(text)
  const buckets = find(s, 'rich_fake_timer_bucket')
  t.same(buckets.map(b => b.labels.le), WRAPPER_LE, 'exactly the wrapper\'s le values, printed identically')
  t.equal(buckets.length, 51)
  t.equal(value(s, 'rich_fake_timer_bucket', { le: '0.015410178873747385' }), 2, '0.0125 s is in the (0.01248.., 0.01541..] bucket')
  t.equal(value(s, 'rich_fake_timer_bucket', { le: '0.012486417679584786' }), 0)
  t.equal(value(s, 'rich_fake_timer_bucket', { le: '29.999999999999996' }), 2)
  t.equal(value(s, 'rich_fake_timer_bucket', { le: '+Inf' }), 3)
  t.equal(value(s, 'rich_fake_timer_count'), 3)
  t.equal(value(s, 'rich_fake_timer_sum'), 60.025)
  for (const b of buckets) t.same(b.labelOrder, [...b.labelOrder].sort(), 'le sorted in among the other labels')
})

t.test('the bucket table is the wrapper\'s formula, numbers exactly as Python prints them', async t => {
  t.equal(SELDON_TIMER_BUCKETS.length, 50)
  t.same(SELDON_TIMER_BUCKETS.map(String), WRAPPER_LE.slice(0, 50), 'JS shortest repr == Python repr')
  // [0] + 10 ** linspace(-3, log10(30), 50): numpy's linspace (i * step + start, last = stop).
  const start = -3
  const stop = Math.log10(30)
  const step = (stop - start) / 49
  for (let i = 0; i < 50; i++) {
    const y = i === 49 ? stop : i * step + start
    const computed = 10 ** y
    const edge = SELDON_TIMER_BUCKETS[i] as number
    t.ok(Math.abs(computed - edge) <= 2 * Number.EPSILON * edge, `edge ${i}: ${edge} is 10**${y} within one ulp (V8 gives ${computed})`)
  }
  t.ok(Object.isFrozen(SELDON_TIMER_BUCKETS))
})

t.test('labels: tags, method, deployment labels; defaults override tags; printed sorted as the wrapper', async t => {
  const deployment = deploymentLabelsFromEnv({
    SELDON_DEPLOYMENT_ID: 'mydep',
    PREDICTIVE_UNIT_ID: 'classifier',
    PREDICTIVE_UNIT_IMAGE: 'localhost:32000/x:0.1',
    PREDICTOR_ID: 'default',
    PREDICTOR_LABELS: '{"version":"v7","other":"x"}'
  })
  const m = createSeldonMetrics({ deployment })
  m.recorder.record([{
    key: 'rich_tagged',
    type: 'COUNTER',
    value: 1,
    tags: { kind: 'x', method: 'user-value', model_name: 'user-value', zeta: 'z' }
  }], 'predict')
  const [sample] = parseSamples(await m.metrics())
  t.same(sample?.labels, {
    deployment_name: 'mydep',
    image_name: 'localhost:32000/x',
    image_version: '0.1',
    kind: 'x',
    method: 'predict',
    model_image: 'localhost:32000/x',
    model_name: 'classifier',
    model_version: '0.1',
    predictor_name: 'default',
    predictor_version: 'v7',
    seldon_deployment_name: 'mydep',
    zeta: 'z'
  })
  t.same(sample?.labelOrder, Object.keys(sample?.labels ?? {}).sort(), 'sorted by name, as prometheus_client prints them (rich.7)')
  t.same(m.deploymentLabels, {
    deployment_name: 'mydep',
    model_name: 'classifier',
    model_image: 'localhost:32000/x',
    model_version: '0.1',
    predictor_name: 'default',
    predictor_version: 'v7',
    seldon_deployment_name: 'mydep',
    image_name: 'localhost:32000/x',
    image_version: '0.1'
  })
  t.same(Object.keys(m.deploymentLabels), [...DEPLOYMENT_LABEL_NAMES])
})

t.test('the exposition of rich.7 / feedback.8, line for line (values aside)', async t => {
  const m = createSeldonMetrics()
  m.recorder.record([
    { key: 'rich_calls_total', value: 1 },
    { key: 'rich_multiplier', type: 'GAUGE', value: 3 },
    { key: 'rich_tagged', value: 1, tags: { kind: 'x', method: 'predict' } }
  ], 'predict')
  m.recorder.feedback(1.5)
  const text = await m.metrics()
  const L = 'deployment_name="NOT_IMPLEMENTED",image_name="NOT_IMPLEMENTED",image_version="NOT_IMPLEMENTED"'
  const R = 'model_image="NOT_IMPLEMENTED",model_name="NOT_IMPLEMENTED",model_version="NOT_IMPLEMENTED",predictor_name="NOT_IMPLEMENTED",predictor_version="NOT_IMPLEMENTED",seldon_deployment_name="NOT_IMPLEMENTED"'
  t.equal(text, [
    '# HELP rich_calls_total ',
    '# TYPE rich_calls_total counter',
    `rich_calls_total{${L},method="predict",${R}} 1`,
    '',
    '# HELP rich_multiplier ',
    '# TYPE rich_multiplier gauge',
    `rich_multiplier{${L},method="predict",${R}} 3`,
    '',
    '# HELP rich_tagged_total ',
    '# TYPE rich_tagged_total counter',
    `rich_tagged_total{${L},kind="x",method="predict",${R}} 1`,
    '',
    '# HELP seldon_api_model_feedback_total ',
    '# TYPE seldon_api_model_feedback_total counter',
    `seldon_api_model_feedback_total{${L},method="feedback",${R}} 1`,
    '',
    '# HELP seldon_api_model_feedback_reward_total ',
    '# TYPE seldon_api_model_feedback_reward_total counter',
    `seldon_api_model_feedback_reward_total{${L},method="feedback",${R}} 1.5`,
    ''
  ].join('\n'), 'the wrapper prints 1.0 where prom-client prints 1, and adds worker_id; otherwise identical')
})

t.test('feedback counters: count += 1, reward += reward, method="feedback"', async t => {
  const logger = captureLogger()
  const m = createSeldonMetrics({ logger, deployment: { deploymentName: 'd1' } })
  m.recorder.feedback(1)
  m.recorder.feedback(1.5)
  m.recorder.feedback(2.5)
  const s = parseSamples(await m.metrics())
  t.equal(value(s, 'seldon_api_model_feedback_total', { method: 'feedback', deployment_name: 'd1' }), 3)
  t.equal(value(s, 'seldon_api_model_feedback_reward_total', { method: 'feedback', seldon_deployment_name: 'd1' }), 5)
  // A user COUNTER with the same key lands in the same family (one name, one family).
  m.recorder.record([{ key: 'seldon_api_model_feedback', type: 'COUNTER', value: 1 }], 'predict')
  const s2 = parseSamples(await m.metrics())
  t.equal(value(s2, 'seldon_api_model_feedback_total', { method: 'predict' }), 1)
  // A negative reward cannot go into a counter: the count still moves, the reward is skipped and reported.
  m.recorder.feedback(-1)
  const s3 = parseSamples(await m.metrics())
  t.equal(value(s3, 'seldon_api_model_feedback_total', { method: 'feedback' }), 4)
  t.equal(value(s3, 'seldon_api_model_feedback_reward_total', { method: 'feedback' }), 5)
  t.equal(value(s3, 'seldon_metrics_errors_total', { reason: 'negative_value' }), 1)
  m.recorder.feedback(Number.NaN)
  t.equal(value(parseSamples(await m.metrics()), 'seldon_metrics_errors_total', { reason: 'invalid_value' }), 1)
  t.equal(logger.lines.length, 2)
})

t.test('a tag set seen again with other tag names: one family, each series with its own labels', async t => {
  const m = createSeldonMetrics()
  m.recorder.record([{ key: 'mixed', value: 1 }], 'predict')
  m.recorder.record([{ key: 'mixed', value: 2, tags: { a: '1' } }], 'predict')
  m.recorder.record([{ key: 'mixed', value: 4, tags: { b: '2' } }], 'predict')
  m.recorder.record([{ key: 'mixed', value: 8, tags: { a: '1' } }], 'predict')
  m.recorder.record([{ key: 'mixed', value: 16, tags: { a: '1', b: '2' } }], 'predict')
  m.recorder.record([{ key: 'mixed_t', type: 'TIMER', value: 1 }], 'predict')
  m.recorder.record([{ key: 'mixed_t', type: 'TIMER', value: 2, tags: { a: '1' } }], 'predict')
  m.recorder.record([{ key: 'mixed_g', type: 'GAUGE', value: 1, tags: {} }], 'predict')
  m.recorder.record([{ key: 'mixed_g', type: 'GAUGE', value: 2, tags: { c: '3' } }], 'predict')
  const text = await m.metrics()
  t.equal((text.match(/# TYPE mixed_total counter/g) ?? []).length, 1)
  const s = parseSamples(text)
  const series = find(s, 'mixed_total')
  t.equal(series.length, 4)
  t.same(series.map(x => [x.labels.a, x.labels.b, x.value]), [
    [undefined, undefined, 1], ['1', undefined, 10], [undefined, '2', 4], ['1', '2', 16]
  ], 'no empty-string padding: an absent label is absent')
  t.equal(find(s, 'mixed_t_count').length, 2)
  t.equal(find(s, 'mixed_g').length, 2)
  t.equal((text.match(/# TYPE mixed_t histogram/g) ?? []).length, 1)
})

t.test('bad input never throws out of record(): dropped, logged once per key/reason, counted', async t => {
  const logger = captureLogger()
  const m = createSeldonMetrics({ logger })
  const bad: unknown[] = [
    null, 42, 'x', [1], {},
    { key: 'bad-name', type: 'COUNTER', value: 1 },
    { key: '1abc', type: 'COUNTER', value: 1 },
    { key: 7, type: 'COUNTER', value: 1 },
    { key: 'k_type', type: 'BAD', value: 1 },
    { key: 'k_value', type: 'COUNTER', value: '1' },
    { key: 'k_value', type: 'COUNTER', value: Infinity },
    { key: 'k_timer', type: 'TIMER', value: Number.NaN },
    { key: 'k_gauge', type: 'GAUGE', value: null },
    { key: 'k_neg', type: 'COUNTER', value: -1 },
    { key: 'k_neg_t', type: 'TIMER', value: -5 },
    { key: 'k_tags', type: 'COUNTER', value: 1, tags: 'x' },
    { key: 'k_tags', type: 'COUNTER', value: 1, tags: ['x'] },
    { key: 'k_label', type: 'COUNTER', value: 1, tags: { 'bad-label': 'x' } },
    { key: 'k_label2', type: 'COUNTER', value: 1, tags: { __reserved: 'x' } },
    { key: 'k_le', type: 'TIMER', value: 1, tags: { le: 'x' } }
  ]
  t.doesNotThrow(() => { m.recorder.record(bad as never, 'predict') })
  t.doesNotThrow(() => { m.recorder.record(null as never, 'predict') })
  t.doesNotThrow(() => { m.recorder.record({ length: 1 } as never, 'predict') })
  t.doesNotThrow(() => { m.recorder.feedback('x' as never) })
  const hostile = { get key (): string { throw new Error('getter') }, value: 1 }
  t.doesNotThrow(() => { m.recorder.record([hostile as never], 'predict') })
  // good metrics next to bad ones still land
  m.recorder.record([{ key: 'bad-again', value: 1 } as never, { key: 'good', value: 1 }, { key: 'counter_le', type: 'COUNTER', value: 1, tags: { le: 'fine on a counter', n: 5 as never } }], 'predict')
  m.recorder.record([{ key: 'bad-name', type: 'COUNTER', value: 1 }], 'predict')
  const text = await m.metrics()
  const s = parseSamples(text)
  t.equal(value(s, 'good_total'), 1)
  t.equal(value(s, 'counter_le_total', { le: 'fine on a counter', n: '5' }), 1, 'non-string tag values are stringified')
  t.notMatch(text, /bad-name|1abc|k_type|k_value|k_timer|k_gauge|k_neg|k_tags|k_label|k_le/, 'none of them reached the registry')
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'invalid_metric' }), 6, 'null, 42, "x", [1], and two non-array inputs')
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'invalid_name' }), 6, '{}, bad-name x2, 1abc, 7, bad-again')
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'invalid_type' }), 1)
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'invalid_value' }), 5, '"1", Infinity, NaN timer, null gauge, feedback("x")')
  t.equal(find(s, 'seldon_api_model_feedback_total').length, 0, 'a non-number reward records no feedback at all')
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'negative_value' }), 2)
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'invalid_label' }), 5)
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'internal' }), 1, 'the throwing getter')
  t.match(text, /^# HELP seldon_metrics_errors_total \S/m, 'our own series have help text')
  // logged once per (reason, key): the repeated bad-name is not logged again
  t.equal(logger.lines.filter(l => l.obj.metric === 'bad-name').length, 1)
  t.ok(logger.lines.every(l => typeof l.msg === 'string' && typeof l.obj.reason === 'string'))
})

t.test('a COUNTER and a GAUGE with one key: the second type is refused, the scrape still works', async t => {
  const logger = captureLogger()
  const m = createSeldonMetrics({ logger })
  m.recorder.record([{ key: 'clash', type: 'COUNTER', value: 1 }], 'predict')
  m.recorder.record([{ key: 'clash', type: 'GAUGE', value: 5 }], 'predict')
  m.recorder.record([{ key: 'clash_total', type: 'GAUGE', value: 5 }], 'predict')
  m.recorder.record([{ key: 'clash', type: 'TIMER', value: 5 }], 'predict')
  m.recorder.record([{ key: 'gauge_first', type: 'GAUGE', value: 1 }], 'predict')
  m.recorder.record([{ key: 'gauge_first', type: 'COUNTER', value: 1 }], 'predict')
  m.recorder.record([{ key: 'h', type: 'TIMER', value: 1 }], 'predict')
  m.recorder.record([{ key: 'h_count', type: 'GAUGE', value: 1 }], 'predict') // would clash with h's samples
  m.recorder.record([{ key: 'seldon_metrics_errors', type: 'COUNTER', value: 1 }], 'predict') // builtin name
  m.recorder.record([{ key: 'http_request_duration_seconds', type: 'TIMER', value: 1 }], 'predict')
  m.recorder.record([{ key: 'clash', type: 'COUNTER', value: 1 }], 'predict')
  const text = await m.metrics()
  const s = parseSamples(text)
  t.equal(value(s, 'clash_total'), 2)
  t.equal(find(s, 'clash').length, 0)
  t.equal(value(s, 'gauge_first'), 1)
  t.equal(find(s, 'gauge_first_total').length, 0)
  t.equal(find(s, 'h_count').length, 1, 'only the histogram\'s own h_count')
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'type_conflict' }), 4)
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'name_conflict' }), 3)
  t.ok(logger.lines.some(l => /clash/.test(l.msg) && l.obj.reason === 'type_conflict'))
  // a name registered directly in a passed registry is respected too
  const registry = new promClient.Registry()
  new promClient.Gauge({ name: 'mine', help: 'h', registers: [registry] }).set(1)
  const m2 = createSeldonMetrics({ registry, logger })
  t.equal(m2.registry, registry)
  m2.recorder.record([{ key: 'mine', type: 'GAUGE', value: 9 }], 'predict')
  const s2 = parseSamples(await m2.metrics())
  t.equal(value(s2, 'mine'), 1)
  t.equal(value(s2, METRIC_NAMES.errors, { reason: 'name_conflict' }), 1)
})

t.test('values: booleans and boxed floats (JsonFloat) are numbers; zero is a value', async t => {
  const m = createSeldonMetrics()
  // eslint-disable-next-line no-new-wrappers
  m.recorder.record([{ key: 'b', value: true as never }, { key: 'f', type: 'GAUGE', value: new Number(2.5) as never }, { key: 'z', value: 0 }], 'predict')
  const s = parseSamples(await m.metrics())
  t.equal(value(s, 'b_total'), 1)
  t.equal(value(s, 'f'), 2.5)
  t.equal(value(s, 'z_total'), 0)
})

t.test('values: a bigint (a JSON integer beyond 2^53, as the codec reads it) is a number', async t => {
  const m = createSeldonMetrics()
  m.recorder.record([{ key: 'big', type: 'GAUGE', value: 2n ** 60n as never }], 'predict')
  t.equal(value(parseSamples(await m.metrics()), 'big'), 2 ** 60)
})

t.test('proto3 defaults: an absent value is 0, an absent type COUNTER (C-10), never an error', async t => {
  const logger = captureLogger()
  const m = createSeldonMetrics({ logger })
  m.recorder.record([{ key: 'bare' }, { key: 'level', type: 'GAUGE' }, { key: 'lat', type: 'TIMER' }], 'predict')
  m.recorder.record([{ key: 'level', type: 'GAUGE', value: 3 }, { key: 'level', type: 'GAUGE' }], 'predict')
  const s = parseSamples(await m.metrics())
  t.equal(value(s, 'bare_total'), 0, 'a COUNTER of 0: the series exists')
  t.equal(value(s, 'level'), 0, 'a GAUGE set to 0')
  t.equal(value(s, 'lat_count'), 1, 'a TIMER observing 0')
  t.equal(value(s, 'lat_bucket', { le: '0.001' }), 1)
  t.equal(find(s, METRIC_NAMES.errors).length, 0, 'nothing dropped')
  t.same(logger.lines, [])
})

t.test('two metrics objects in one process never clash', async t => {
  const a = createSeldonMetrics({ deployment: { deploymentName: 'a' } })
  const b = createSeldonMetrics({ deployment: { deploymentName: 'b' } })
  a.recorder.record([{ key: 'shared', value: 1 }, { key: 'g', type: 'GAUGE', value: 1 }], 'predict')
  b.recorder.record([{ key: 'shared', value: 5 }, { key: 'g', type: 'TIMER', value: 1 }], 'predict')
  a.recorder.feedback(1)
  b.recorder.feedback(2)
  const sa = parseSamples(await a.metrics())
  const sb = parseSamples(await b.metrics())
  t.equal(value(sa, 'shared_total', { deployment_name: 'a' }), 1)
  t.equal(value(sb, 'shared_total', { deployment_name: 'b' }), 5)
  t.equal(value(sa, 'g'), 1)
  t.equal(value(sb, 'g_count'), 1, 'each registry has its own types')
  t.equal(value(sb, 'seldon_api_model_feedback_reward_total'), 2)
  t.equal(find(sa, METRIC_NAMES.errors).length, 0)
  t.equal(await promClient.register.metrics(), '\n', 'nothing in the global registry')
})

t.test('series per metric name are capped (maxSeriesPerMetric): the excess dropped, counted, logged once', async t => {
  const logger = captureLogger()
  const m = createSeldonMetrics({ logger, maxSeriesPerMetric: 3 })
  for (let i = 0; i < 10; i++) {
    m.recorder.record([
      { key: 'by_client', value: 1, tags: { client: `c${i}` } },
      { key: 'by_client_t', type: 'TIMER', value: 5, tags: { client: `c${i}` } },
      { key: 'fixed', value: 1 }
    ], 'predict')
  }
  m.recorder.record([{ key: 'by_client', value: 1, tags: { client: 'c0' } }], 'predict')
  m.recorder.record([{ key: 'by_client', value: 1, tags: { client: 'c1' } }], 'health')
  const s = parseSamples(await m.metrics())
  t.same(find(s, 'by_client_total').map(x => x.labels.client), ['c0', 'c1', 'c2'], 'the first three label sets')
  t.equal(value(s, 'by_client_total', { client: 'c0', method: 'predict' }), 2, 'an existing series keeps counting')
  t.equal(find(s, 'by_client_t_count').length, 3, 'a histogram too')
  t.equal(value(s, 'fixed_total'), 10, 'other names are not affected')
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'series_limit' }), 7 + 7 + 1, 'every dropped sample counted (method is a label too)')
  t.same(logger.lines.filter(l => l.obj.reason === 'series_limit').map(l => l.obj.metric), ['by_client', 'by_client_t'], 'logged once per name')
  t.throws(() => createSeldonMetrics({ maxSeriesPerMetric: 0 }), /maxSeriesPerMetric must be a number >= 1/)
  m.reset()
  m.recorder.record([{ key: 'by_client', value: 1, tags: { client: 'c9' } }], 'predict')
  t.equal(value(parseSamples(await m.metrics()), 'by_client_total', { client: 'c9' }), 1, 'reset() frees the places')
})

t.test('the default cap: 1000 series per name', async t => {
  const m = createSeldonMetrics({ logger: captureLogger() })
  for (let i = 0; i < 1005; i++) m.recorder.record([{ key: 'many', value: 1, tags: { i: String(i) } }], 'predict')
  const s = parseSamples(await m.metrics())
  t.equal(find(s, 'many_total').length, DEFAULT_MAX_SERIES_PER_METRIC)
  t.equal(DEFAULT_MAX_SERIES_PER_METRIC, 1000)
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'series_limit' }), 5)
})

t.test('reset() drops the series', async t => {
  const m = createSeldonMetrics()
  m.recorder.record([{ key: 'c', value: 1 }, { key: 't', type: 'TIMER', value: 1 }], 'predict')
  m.observeGrpc('s', 'm', 0, 0.1)
  m.reset()
  const s = parseSamples(await m.metrics())
  t.equal(find(s, 'c_total').length, 0)
  t.equal(find(s, 't_count').length, 0)
  m.recorder.record([{ key: 'c', value: 1 }], 'predict')
  t.equal(value(parseSamples(await m.metrics()), 'c_total'), 1)
})

t.test('a failing collector costs its own lines, never the scrape; a broken logger is survived', async t => {
  const logger = captureLogger()
  const m = createSeldonMetrics({ logger })
  m.recorder.record([{ key: 'fine', value: 1 }], 'predict')
  // eslint-disable-next-line no-new
  new promClient.Gauge({ name: 'broken', help: 'h', registers: [m.registry], collect () { throw new Error('boom') } })
  const text = await m.metrics()
  t.match(text, /^fine_total\{/m)
  t.notMatch(text, /^broken/m)
  t.ok(logger.lines.some(l => l.obj.reason === 'scrape' && /boom/.test(l.msg)))
  const m2 = createSeldonMetrics({ logger: { warn () { throw new Error('logger down') } } })
  t.doesNotThrow(() => { m2.recorder.record([{ key: 'x-y', value: 1 }], 'predict') })
  // errors counter name taken in a passed registry: still no throw
  const registry = new promClient.Registry()
  // eslint-disable-next-line no-new
  new promClient.Gauge({ name: METRIC_NAMES.errors, help: 'h', registers: [registry] })
  const m3 = createSeldonMetrics({ registry, logger })
  t.doesNotThrow(() => { m3.recorder.record([{ key: 'x-y', value: 1 }], 'predict') })
})

t.test('the default logger is console.warn', async t => {
  const warned: unknown[][] = []
  const original = console.warn
  console.warn = (...args: unknown[]) => { warned.push(args) }
  t.teardown(() => { console.warn = original })
  createSeldonMetrics().recorder.record([{ key: 'x-y', value: 1 }], 'predict')
  t.equal(warned.length, 1)
  t.match(String(warned[0]?.[0]), /@fastify-seldon\/metrics.*x-y/)
})

t.test('deployment labels', async t => {
  t.same(resolveDeploymentLabels(), DEFAULTS, 'every label NOT_IMPLEMENTED by default')
  t.same(deploymentLabelsFromEnv({}), {
    deploymentName: undefined, modelName: undefined, image: undefined, predictorName: undefined, predictorVersion: undefined
  })
  t.same(resolveDeploymentLabels(deploymentLabelsFromEnv({})), DEFAULTS)
  t.same(splitImage('seldonio/sklearn-iris:0.1'), { modelImage: 'seldonio/sklearn-iris', modelVersion: '0.1' })
  t.same(splitImage('localhost:32000/x:0.1'), { modelImage: 'localhost:32000/x', modelVersion: '0.1' }, 'at the LAST colon')
  t.same(splitImage('noversion'), { modelImage: '', modelVersion: 'noversion' }, 'as Python\'s `*name, version = tag.split(":")`')
  t.same(splitImage(''), { modelImage: '', modelVersion: '' })
  const fromEnv = (labels: string): string | undefined => deploymentLabelsFromEnv({ PREDICTOR_LABELS: labels }).predictorVersion
  t.equal(fromEnv('{"version":"v1"}'), 'v1')
  t.equal(fromEnv('{"version":3}'), '3')
  t.equal(fromEnv('{}'), undefined)
  t.equal(fromEnv('not json'), undefined, 'malformed JSON: the default (the wrapper would crash at import)')
  t.equal(fromEnv('[1]'), undefined)
  t.equal(fromEnv('{"version":{"a":1}}'), undefined)
  t.same(resolveDeploymentLabels({ image: 'img:1', modelVersion: 'override' }), {
    ...DEFAULTS, model_image: 'img', image_name: 'img', model_version: 'override', image_version: 'override'
  }, 'explicit modelImage/modelVersion beat the split image')
  t.equal(resolveDeploymentLabels({ deploymentName: '' }).deployment_name, '', 'a set-but-empty value stays empty, as os.environ.get')
})

t.test('gRPC series', async t => {
  const m = createSeldonMetrics({ logger: captureLogger(), requestBuckets: [0.1, 1] })
  t.same(m.requestBuckets, [0.1, 1])
  m.observeGrpc('seldon.protos.Model', 'Predict', 0, 0.05)
  m.observeGrpc('seldon.protos.Model', 'Predict', 0, 0.5)
  m.observeGrpc('seldon.protos.Model', 'Predict', 2, 0.01)
  m.observeGrpc('seldon.protos.Model', 'SendFeedback', 'InvalidArgument', 2)
  m.observeGrpc('seldon.protos.Model', 'SendFeedback', 'INVALID_ARGUMENT', 2)
  m.observeGrpc('seldon.protos.Model', 'SendFeedback', 'CANCELLED', 2)
  m.observeGrpc('seldon.protos.Model', 'Predict', 99, -1)
  const text = await m.metrics()
  const s = parseSamples(text)
  t.match(text, /^# TYPE seldon_grpc_server_handled_total counter$/m)
  t.match(text, /^# TYPE seldon_grpc_server_handling_seconds histogram$/m)
  t.equal(value(s, 'seldon_grpc_server_handled_total', { grpc_service: 'seldon.protos.Model', grpc_method: 'Predict', grpc_code: 'OK' }), 2)
  t.equal(value(s, 'seldon_grpc_server_handled_total', { grpc_method: 'Predict', grpc_code: 'Unknown' }), 1)
  t.equal(value(s, 'seldon_grpc_server_handled_total', { grpc_method: 'Predict', grpc_code: 'Code(99)' }), 1, 'an unknown code as Go prints it')
  t.equal(value(s, 'seldon_grpc_server_handled_total', { grpc_method: 'SendFeedback', grpc_code: 'InvalidArgument' }), 2,
    'the canonical name (what the gRPC server reports) and Go\'s spelling are one series, labelled as Go prints it')
  t.equal(value(s, 'seldon_grpc_server_handled_total', { grpc_method: 'SendFeedback', grpc_code: 'Canceled' }), 1, 'Go spells it Canceled')
  t.notMatch(text, /grpc_code="[A-Z_]+_[A-Z_]+"/, 'no canonical spelling in a label')
  t.equal(value(s, 'seldon_grpc_server_handling_seconds_count', { grpc_method: 'Predict' }), 3, 'the negative duration is not observed')
  t.equal(value(s, 'seldon_grpc_server_handling_seconds_bucket', { grpc_method: 'Predict', le: '0.1' }), 2)
  t.same(find(s, 'seldon_grpc_server_handling_seconds_bucket', { grpc_method: 'Predict' }).map(b => b.labels.le), ['0.1', '1', '+Inf'])
  t.equal(value(s, METRIC_NAMES.errors, { reason: 'invalid_value' }), 1)
  // the gRPC label names are fixed: an impossible label value type is caught, not thrown
  t.doesNotThrow(() => { m.observeGrpc(undefined as never, {} as never, 0, 1) })
})

t.test('gauge aggregator option and default metrics option', async t => {
  const m = createSeldonMetrics({ gaugeAggregator: 'sum', defaultMetrics: true })
  m.recorder.record([{ key: 'g', type: 'GAUGE', value: 1 }, { key: 'c', value: 1 }], 'predict')
  const json = await m.registry.getMetricsAsJSON()
  t.equal(json.find(x => x.name === 'g')?.aggregator, 'sum')
  t.equal(json.find(x => x.name === 'c_total')?.aggregator, 'sum')
  t.match(await m.metrics(), /^process_cpu_user_seconds_total/m, 'process metrics in this registry')
  const d = createSeldonMetrics()
  d.recorder.record([{ key: 'g', type: 'GAUGE', value: 1 }], 'predict')
  t.equal((await d.registry.getMetricsAsJSON()).find(x => x.name === 'g')?.aggregator, 'max', 'default: max')
  t.notMatch(await d.metrics(), /process_cpu/)
})

t.test('adaptive batching: seldon_batch_size and seldon_batch_wait_seconds appear with the first batch', async t => {
  const m = createSeldonMetrics({ logger: captureLogger() })
  t.notMatch(await m.metrics(), /seldon_batch_/, 'nothing before a batch (batching off: never)')
  m.recorder.batch?.(3, [0.004, 0.002, 0.0001])
  m.recorder.batch?.(1, [0.01])
  const text = await m.metrics()
  t.match(text, /^seldon_batch_size_count 2$/m)
  t.match(text, /^seldon_batch_size_sum 4$/m)
  t.match(text, /^seldon_batch_size_bucket\{le="2"\} 1$/m)
  t.match(text, /^seldon_batch_wait_seconds_count 4$/m)
  t.match(text, /^seldon_batch_wait_seconds_bucket\{le="0.0005"\} 1$/m)
  m.recorder.record([{ key: 'seldon_batch_size', type: 'GAUGE', value: 1 }], 'predict')
  t.match(await m.metrics(), /^seldon_batch_size_count 2$/m, 'a custom metric cannot take the name')
})
