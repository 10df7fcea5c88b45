import t, { type Test } from 'tap'
import { NDArray, SeldonError, type Metric } from '@fastify-seldon/protocol'
import {
  NotImplementedError, SeldonResponse, SeldonRuntime, implementsEndpoint, resolveMethods, runtimeOptionsFromEnv,
  type MetricsRecorder, type MethodLabel
} from '../src/index.js'

async function ready (component: object, options = {}): Promise<SeldonRuntime> {
  const runtime = new SeldonRuntime(component, options)
  await runtime.load()
  return runtime
}

function recorder (): MetricsRecorder & { calls: Array<[readonly Metric[], MethodLabel]>, rewards: number[] } {
  const calls: Array<[readonly Metric[], MethodLabel]> = []
  const rewards: number[] = []
  return { calls, rewards, record: (m, method) => { calls.push([m, method]) }, feedback: r => { rewards.push(r) } }
}

async function rejectsWith (t: Test, p: Promise<unknown>, statusCode: number, info: string | RegExp): Promise<void> {
  try {
    await p
    t.fail('expected a rejection')
  } catch (err) {
    t.ok(err instanceof SeldonError, 'a SeldonError')
    t.equal((err as SeldonError).statusCode, statusCode)
    if (typeof info === 'string') t.equal((err as Error).message, info)
    else t.match((err as Error).message, info)
  }
}

t.test('predict: ndarray in, user sees an NDArray, ndarray out with t:i names', async t => {
  let seen: unknown
  const runtime = await ready({ predict (X: NDArray, names: string[], meta: unknown) { seen = { X, names, meta }; return X } })
  const answer = await runtime.predict({ data: { names: ['a', 'b'], ndarray: [[1, 2]] } }, 'rest')
  const { X, names, meta } = seen as { X: NDArray, names: string[], meta: unknown }
  t.ok(X instanceof NDArray)
  t.same(X.shape, [1, 2])
  t.equal(X.dtype, 'int64')
  t.same(names, ['a', 'b'])
  t.equal(meta, undefined, 'meta is undefined over REST when the request has none')
  t.equal(answer.statusCode, 200)
  const msg = answer.message as any
  t.same(msg.data.names, ['t:0', 't:1'], 'request names are never echoed')
  t.ok(msg.data.ndarray instanceof NDArray)
  t.same(msg.meta, {})
})

t.test('predict over gRPC hands meta {} and mirrors the request kind', async t => {
  let metaSeen: unknown
  const runtime = await ready({ predict (X: NDArray, _n: string[], meta: unknown) { metaSeen = meta; return X } })
  const answer = await runtime.predict({ data: { tensor: { shape: [2, 2], values: new Float64Array([1, 2, 3, 4.5]) } } }, 'grpc')
  t.same(metaSeen, {})
  const msg = answer.message as any
  t.same(msg.data.tensor.shape, [2, 2])
  t.same(Array.from(msg.data.tensor.values), [1, 2, 3, 4.5])
})

t.test('predict: payload kinds map to strData, jsonData, binData', async t => {
  const runtime = await ready({ predict: (X: unknown) => X })
  t.same((await runtime.predict({ strData: 'hello' }, 'rest')).message, { strData: 'hello', meta: {} })
  t.same((await runtime.predict({ jsonData: { a: [1, 2] } }, 'rest')).message, { jsonData: { a: [1, 2] }, meta: {} })
  const bin = (await runtime.predict({ binData: 'aGVsbG8=' }, 'rest')).message as any
  t.ok(Buffer.isBuffer(bin.binData))
  t.equal(bin.binData.toString(), 'hello')
})

t.test('predict: a numeric result for a non-data request becomes a tensor', async t => {
  const runtime = await ready({ predict: () => [[1, 2], [3, 4]] })
  const msg = (await runtime.predict({ strData: 'x' }, 'rest')).message as any
  t.same(msg.data.tensor.shape, [2, 2])
  t.same(msg.data.names, ['t:0', 't:1'])
})

t.test('predict: class names (method or list), tags, metrics and meta merge', async t => {
  const rec = recorder()
  const component = {
    predict: (X: NDArray) => X.map(v => v * 2),
    classNames: async () => ['a', 'b'],
    tags: () => ({ model: 'rich', client: 'model wins' }),
    metrics: () => [{ type: 'COUNTER', key: 'calls', value: 1 }, { type: 'GAUGE', key: 'g', value: 2, tags: { kind: 'x' } }]
  }
  const runtime = await ready(component, { metrics: rec, unitId: 'unit', unitImage: 'img:1' })
  const msg = (await runtime.predict({
    meta: { puid: 'p1', tags: { client: 'yes', n: 1 }, routing: { r: 1 }, requestPath: { m: 'x:1' }, metrics: [{ key: 'req', type: 'GAUGE', value: 1 }] },
    data: { ndarray: [[1.0, 2.0]] }
  }, 'rest')).message as any
  t.same(msg.data.names, ['a', 'b'])
  t.same(msg.meta.tags, { client: 'model wins', n: 1, model: 'rich' })
  t.equal(msg.meta.puid, 'p1')
  t.same(msg.meta.requestPath, { unit: 'img:1', m: 'x:1' })
  t.notOk('routing' in msg.meta, 'routing is never emitted')
  t.same(msg.meta.metrics, [
    { key: 'req', type: 'GAUGE', value: 1 },
    { type: 'COUNTER', key: 'calls', value: 1 },
    { type: 'GAUGE', key: 'g', value: 2, tags: { kind: 'x', method: 'predict' } }
  ])
  t.equal(rec.calls.length, 1)
  t.equal(rec.calls[0]?.[1], 'predict')

  const listNames = await ready({ predict: (X: NDArray) => X, class_names: ['p', 'q'] })
  t.same(((await listNames.predict({ data: { ndarray: [[1, 2]] } }, 'rest')).message as any).data.names, ['p', 'q'])
})

t.test('INCLUDE_METRICS_IN_CLIENT_RESPONSE=false hides custom metrics but still records them', async t => {
  const rec = recorder()
  const runtime = await ready({ predict: () => [1], metrics: () => [{ type: 'GAUGE', key: 'g', value: 1 }] }, { metrics: rec, includeMetricsInResponse: false })
  const msg = (await runtime.predict({ data: { ndarray: [1] }, meta: { metrics: [{ key: 'req', value: 1, type: 'COUNTER' }] } }, 'rest')).message as any
  t.same(msg.meta.metrics, [{ key: 'req', value: 1, type: 'COUNTER' }], 'request metrics still echoed')
  t.equal(rec.calls.length, 1)
})

t.test('SeldonResponse carries runtime tags and metrics', async t => {
  const rec = recorder()
  const runtime = await ready({
    predict: () => new SeldonResponse([1, 2], { run: 'yes' }, [{ type: 'TIMER', key: 't', value: 3 }]),
    tags: () => ({ run: 'no', other: 1 })
  }, { metrics: rec })
  const msg = (await runtime.predict({ data: { ndarray: [1] } }, 'rest')).message as any
  t.same(msg.meta.tags, { run: 'yes', other: 1 })
  t.same(msg.meta.metrics, [{ type: 'TIMER', key: 't', value: 3 }])
  t.same(msg.data.names, [], '1-D results have no names')
})

t.test('bad custom metrics: 500 MICROSERVICE_BAD_METRIC with the python dump', async t => {
  const runtime = await ready({ predict: () => [1], metrics: () => [{ type: 'BAD', key: 'mycounter', value: 1 }] })
  await rejectsWith(t, runtime.predict({ data: { ndarray: [1] } }, 'rest'), 500,
    'Bad metric created during request: [{"type": "BAD", "key": "mycounter", "value": 1}]')
  const badKey = await ready({ predict: () => [1], metrics: () => [{ type: 'GAUGE', key: 'bad-key', value: 1 }] })
  await rejectsWith(t, badKey.predict({ data: { ndarray: [1] } }, 'rest'), 500, /Bad metric/)
  const notList = await ready({ predict: () => [1], metrics: () => ({ key: 'x' }) })
  await rejectsWith(t, notList.predict({ data: { ndarray: [1] } }, 'rest'), 500, /Bad metric/)
})

t.test('an invalid metric in the request meta is the client\'s 400', async t => {
  const runtime = await ready({ predict: () => [1] })
  await rejectsWith(t, runtime.predict({ data: { ndarray: [1] }, meta: { metrics: [{ key: 'x', type: 'NOPE', value: 1 }] } }, 'rest'), 400, /meta.metrics\[0\]/)
  await rejectsWith(t, runtime.predict({ data: { ndarray: [1] }, meta: 'x' }, 'rest'), 400, /meta must be an object/)
})

t.test('absent methods: predict → [], transforms → identity', async t => {
  const runtime = await ready({})
  const p = (await runtime.predict({ data: { ndarray: [[1.0, 2.0]] } }, 'rest')).message as any
  t.same(p.data.ndarray, [])
  t.same(p.data.names, [])
  const ti = (await runtime.transformInput({ data: { ndarray: [[1, 2]] } }, 'rest')).message as any
  t.same(ti.data.names, ['t:0', 't:1'])
  t.same((ti.data.ndarray as NDArray).toNested(), [[1, 2]])
  const to = (await runtime.transformOutput({ strData: 's' }, 'rest')).message as any
  t.equal(to.strData, 's')
})

t.test('NotImplementedError falls through to the next candidate', async t => {
  const runtime = await ready({
    predictRaw () { throw new NotImplementedError() },
    predict: () => 'high level'
  })
  t.equal(((await runtime.predict({ strData: 'x' }, 'rest')).message as any).strData, 'high level')
  const health = await ready({ healthStatus () { throw new NotImplementedError() } })
  t.equal(((await health.health('rest')).message as any).strData, 'not implemented - assuming healthy')
})

t.test('raw methods: verbatim, metrics recorded, status.code on predict', async t => {
  const rec = recorder()
  const runtime = await ready({
    predict_raw: (msg: any) => ({ status: { code: 400, status: 'FAILURE' }, meta: { metrics: [{ type: 'COUNTER', key: 'raw', value: 1 }, { type: 'X', key: 'bad', value: 1 }] }, echo: msg })
  }, { metrics: rec })
  const answer = await runtime.predict({ strData: 'x' }, 'rest')
  t.equal(answer.statusCode, 400)
  t.equal(answer.verbatim, true)
  t.same((answer.message as any).echo, { strData: 'x' })
  t.same(rec.calls[0]?.[0], [{ type: 'COUNTER', key: 'raw', value: 1 }], 'valid metrics recorded, invalid skipped')

  const hidden = await ready({ predictRaw: () => ({ meta: { metrics: [{ type: 'COUNTER', key: 'raw', value: 1 }], puid: 'x' } }) }, { includeMetricsInResponse: false })
  t.same((await hidden.predict({}, 'rest')).message, { meta: { puid: 'x' } })
  const grpcStatus = await ready({ predictRaw: () => ({ status: { code: 400 } }) })
  t.equal((await grpcStatus.predict({}, 'grpc')).statusCode, 200, 'status override is REST-only')
})

t.test('decoding errors are the client\'s 400', async t => {
  const runtime = await ready({ predict: (X: unknown) => X })
  await rejectsWith(t, runtime.predict({}, 'rest'), 400, 'Invalid request data type: {}')
  await rejectsWith(t, runtime.predict([1], 'rest'), 400, /Invalid request data type/)
  await rejectsWith(t, runtime.predict({ data: { tensor: { shape: [2, 2], values: [1, 2, 3] } } }, 'rest'), 400, 'cannot reshape array of size 3 into shape (2,2)')
  await rejectsWith(t, runtime.predict({ data: { tensor: { values: [1] } } }, 'rest'), 400, /shape is required/)
  await rejectsWith(t, runtime.predict({ data: { ndarray: [[1, 2], [3]] } }, 'rest'), 400, /ragged/)
  await rejectsWith(t, runtime.predict({ binData: '!!!' }, 'rest'), 400, /base64/)
  await rejectsWith(t, runtime.predict({ customData: { a: 1 } }, 'rest'), 400, /Invalid request data type/)
  await rejectsWith(t, runtime.predict({}, 'grpc'), 400, 'Unknown data in SeldonMessage')
  const unknownKey = (await runtime.predict({ data: { foo: [1] } }, 'rest')).message as any
  t.same(unknownKey.data.ndarray.toNested(), [], 'unknown data key → empty array, as the wrapper')
})

t.test('user results the wrapper refuses', async t => {
  for (const [value, text] of [[1.5, '1.5'], [null, 'None'], [true, 'True'], [undefined, 'None']] as const) {
    const runtime = await ready({ predict: () => value })
    await rejectsWith(t, runtime.predict({ strData: 'x' }, 'rest'), 400, `Unknown data type returned as payload (must be list or np array):${text}`)
  }
  const ragged = await ready({ predict: () => [[1], [1, 2]] })
  await rejectsWith(t, ragged.predict({ strData: 'x' }, 'rest'), 500, /ragged/)
})

t.test('route', async t => {
  const router = await ready({ route: (X: NDArray) => (Number(X.data[0]) < 0.5 ? 0 : 1), tags: () => ({ r: 1 }) }, { unitId: 'u' })
  const msg = (await router.route({ meta: { tags: { dropped: true }, puid: 'p' }, data: { ndarray: [[0.9, 0.2]] } }, 'rest')).message as any
  t.same(msg.data.ndarray, [[1]])
  t.same(msg.data.names, ['t:0'])
  t.same(msg.meta, { puid: 'p', tags: { r: 1 }, requestPath: { u: 'NOT_IMPLEMENTED:NOT_IMPLEMENTED' } })
  const tensor = (await router.route({ data: { tensor: { shape: [1, 1], values: [0.7] } } }, 'rest')).message as any
  t.same(tensor.data.tensor.shape, [1, 1])
  t.same(Array.from(tensor.data.tensor.values.data), [1])
  await rejectsWith(t, (await ready({ predict: () => [] })).route({ data: { ndarray: [1] } }, 'rest'), 400, 'Route not defined')
  await rejectsWith(t, (await ready({ route: () => 1.5 })).route({ data: { ndarray: [1] } }, 'rest'), 400, 'Routing response must be int but got 1.5')
  t.same(((await (await ready({ route: () => -1 })).route({ data: { ndarray: [1] } }, 'rest')).message as any).data.ndarray, [[-1]])
  const raw = await ready({ route_raw: () => ({ data: { ndarray: [[3]] } }) })
  t.same((await raw.route({ strData: 'x' }, 'rest')).message, { data: { ndarray: [[3]] } })
})

t.test('aggregate', async t => {
  const combiner = await ready({
    aggregate: (features: NDArray[], names: string[][]) => {
      t.same(names, [['x'], []])
      const out = new Float64Array(features[0]!.size)
      for (const f of features) for (let i = 0; i < out.length; i++) out[i]! += Number(f.data[i]) / features.length
      return new NDArray(out, features[0]!.shape)
    }
  })
  const body = [
    { meta: { tags: { a: 1 }, puid: 'first' }, data: { names: ['x'], ndarray: [[1, 2]] } },
    { meta: { tags: { b: 2 } }, data: { ndarray: [[3, 4]] } }
  ]
  const msg = (await combiner.aggregate(body, 'rest')).message as any
  t.same((msg.data.ndarray as NDArray).toNested(), [[2, 3]])
  t.same(msg.meta, { puid: 'first', tags: { a: 1, b: 2 } })
  const wrapped = (await combiner.aggregate({ seldonMessages: body }, 'rest')).message as any
  t.same(wrapped.meta.tags, { a: 1, b: 2 })
  await rejectsWith(t, combiner.aggregate({ data: { ndarray: [1] } }, 'rest'), 400, "Invalid request data type: {'data': {'ndarray': [1]}}")
  await rejectsWith(t, combiner.aggregate([], 'rest'), 400, /at least one message/)
  await rejectsWith(t, (await ready({})).aggregate(body, 'rest'), 400, 'Aggregate not defined')
})

t.test('health: default, user value, tags and metrics under method health', async t => {
  const plain = await ready({})
  t.same((await plain.health('rest')).message, { strData: 'healthy', meta: {} })
  const rec = recorder()
  const rich = await ready({ healthStatus: () => [1, 2], metrics: () => [{ type: 'COUNTER', key: 'c', value: 1, tags: { k: 'v' } }] }, { metrics: rec })
  const msg = (await rich.health('rest')).message as any
  t.same(msg.data.tensor.shape, [2])
  t.same(msg.data.names, [])
  t.equal(rec.calls[0]?.[1], 'health')
  t.same(msg.meta.metrics[0].tags, { k: 'v', method: 'health' })
  const raw = await ready({ health_status_raw: () => ({ custom: true }) })
  t.same((await raw.health('rest')).message, { custom: true })
})

t.test('load(): runs once, readiness, failure', async t => {
  let loads = 0
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  const runtime = new SeldonRuntime({ async load () { loads++; await gate }, predict: () => [] })
  const first = runtime.load()
  const second = runtime.load()
  t.equal(runtime.ready, false)
  await rejectsWith(t, runtime.health('rest'), 503, 'Model not ready: load() has not finished')
  await rejectsWith(t, runtime.predict({ strData: 'x' }, 'rest'), 503, /not ready/)
  release()
  await Promise.all([first, second])
  t.equal(loads, 1)
  t.equal(runtime.ready, true)

  const failing = new SeldonRuntime({ load () { throw new Error('no weights') } })
  await t.rejects(failing.load(), /no weights/)
  await rejectsWith(t, failing.health('rest'), 503, 'Model not ready: load() failed')
  t.throws(() => new SeldonRuntime(null as unknown as object), /must be an object/)
})

t.test('metadata: init_metadata merged with MODEL_METADATA, defaults, validation', async t => {
  const plain = await ready({})
  t.same(plain.metadata(), { name: '', versions: [''], platform: '', inputs: [], outputs: [], custom: {} })
  const rich = await ready({
    init_metadata: () => ({ name: 'rich', versions: ['v1'], inputs: [{ messagetype: 'tensor', schema: { shape: [4] } }] })
  }, { modelMetadata: 'platform: seldon\nversions: [v2]', unitImage: 'repo/img:0.1' })
  t.same(rich.metadata(), { name: 'rich', versions: ['v2'], platform: 'seldon', inputs: [{ messagetype: 'tensor', schema: { shape: [4] } }], outputs: [], custom: {} })
  const logs: string[] = []
  const invalid = await ready({ initMetadata: () => ({ bogus: 1 }) }, { log: (m: string) => logs.push(m) })
  t.throws(() => invalid.metadata(), /Model metadata unavailable/)
  t.equal(invalid.metadataOrNull(), null)
  t.match(logs.join('\n'), /metadata is invalid/)
  const imageDefaults = await ready({}, { unitImage: 'localhost:32000/x:0.1' })
  t.same(imageDefaults.metadata().name, 'localhost:32000/x')
  t.same(imageDefaults.metadata().versions, ['0.1'])
  const badYaml = await ready({}, { modelMetadata: '{ not yaml', log: (m: string) => logs.push(m) })
  t.same(badYaml.metadata().name, '')
  const nonObject = await ready({ initMetadata: () => 'x' }, { log: (m: string) => logs.push(m) })
  t.same(nonObject.metadata().platform, '')
})

t.test('runtimeOptionsFromEnv reads the wrapper\'s environment contract', async t => {
  t.same(runtimeOptionsFromEnv({}), { unitId: undefined, unitImage: undefined, includeMetricsInResponse: true, executorEnabled: true, modelMetadata: undefined })
  const o = runtimeOptionsFromEnv({ PREDICTIVE_UNIT_ID: 'u', PREDICTIVE_UNIT_IMAGE: 'i:1', INCLUDE_METRICS_IN_CLIENT_RESPONSE: '1', SELDON_EXECUTOR_ENABLED: 'FALSE', MODEL_METADATA: 'x' })
  t.same(o, { unitId: 'u', unitImage: 'i:1', includeMetricsInResponse: false, executorEnabled: false, modelMetadata: 'x' })
})

t.test('passthrough hands the raw body to predictRaw', async t => {
  const runtime = await ready({ predictRaw: (body: string) => body.toUpperCase() })
  t.same(await runtime.predictPassthrough('{"a":1}'), { message: '{"A":1}', statusCode: 200, verbatim: true })
  await rejectsWith(t, (await ready({ predict: () => [] })).predictPassthrough('x'), 400, /needs a predictRaw/)
})

t.test('has() tells which endpoints a component implements', async t => {
  const runtime = new SeldonRuntime({ predict () {}, send_feedback () {} })
  t.ok(runtime.has('predict'))
  t.ok(runtime.has('sendFeedback'))
  t.notOk(runtime.has('route'))
  t.notOk(runtime.has('aggregate'))
  t.notOk(runtime.has('transformInput'))
  t.notOk(runtime.has('transformOutput'))
  t.ok(runtime.has('health'))
})

t.test('implementsEndpoint tells which endpoints a component has a method for', async t => {
  const methods = resolveMethods({ predict () {}, send_feedback () {} })
  t.ok(implementsEndpoint(methods, 'predict'))
  t.ok(implementsEndpoint(methods, 'sendFeedback'))
  t.notOk(implementsEndpoint(methods, 'route'))
  t.notOk(implementsEndpoint(methods, 'aggregate'))
  t.notOk(implementsEndpoint(methods, 'transformInput'))
  t.notOk(implementsEndpoint(methods, 'transformOutput'))
  t.ok(implementsEndpoint(resolveMethods({ health_status_raw () {} }), 'health'))
})

t.test('feedback (message form as gRPC gives it): reward counters, routing, proto rendering', async t => {
  const rec = recorder()
  let args: unknown[] = []
  const runtime = await ready({
    send_feedback: (...a: unknown[]) => { args = a; return a[3] },
    metrics: () => [{ type: 'GAUGE', key: 'fb', value: 1.5 }]
  }, { metrics: rec, unitId: 'router' })
  const answer = await runtime.sendFeedback({
    request: { data: { names: ['f'], ndarray: [[1]] }, meta: { puid: 'p' } },
    response: { meta: { routing: { router: 1 } } },
    reward: 0.5,
    truth: { data: { ndarray: [[1]] } }
  }, 'grpc')
  t.same(rec.rewards, [0.5])
  t.equal(rec.calls[0]?.[1], 'feedback')
  const [features, names, reward, truth, routing] = args as [NDArray, string[], number, NDArray, number]
  t.same(features.toNested(), [[1]])
  t.same(names, ['f'])
  t.equal(reward, 0.5)
  t.same(truth.toNested(), [[1]])
  t.equal(routing, 1)
  const msg = answer.message as any
  t.equal(msg.meta.puid, 'p')
  t.same(msg.data.names, ['t:0'])

  const noReward = await ready({}, { metrics: rec, executorEnabled: false })
  const empty = (await noReward.sendFeedback({ request: { data: { ndarray: [[1, 2]] } }, reward: 2 }, 'grpc')).message as any
  t.same(rec.rewards, [0.5], 'SELDON_EXECUTOR_ENABLED=false records no reward')
  t.same(empty.data.ndarray.toNested(), [])
  const noRequest = (await noReward.sendFeedback({ reward: 42 }, 'grpc')).message as any
  t.same(noRequest.data.tensor.shape, [0])
})
