/**
 * The plugin behaviour around dispatch: scoping (404/405, error handlers, parsers), several
 * components, load() and readiness, options, CORS, logging, and the dispatch rows of reference
 * 4.2-4.7 as seen over REST.
 */
import t from 'tap'
import Fastify from 'fastify'
import { Writable } from 'node:stream'
import { NotImplementedError, optionsFromEnv, PAYLOAD_ENDPOINTS, runtimeFor, SeldonResponse, type MetricsRecorder } from '@fastify-seldon/core'
import { NDArray, SeldonMicroserviceError, float } from '@fastify-seldon/protocol'
import { build, envelope, json, seldonTestPlugin } from './helper.js'
import { IdentityModel, RichModel, ScaleTransformer, UserCustomException } from '@fastify-seldon/test-models'

const DATA = '{"data":{"ndarray":[[1.0,2.0]]}}'

t.test('404 and 405 stay under the component prefix', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/host', async () => ({ host: true }))
  await app.register(seldonTestPlugin, { component: new IdentityModel(), endpoints: ['predict'], corsDefault: false, prefix: '/seldon' })
  await app.ready()

  const inside = await app.inject({ method: 'GET', url: '/seldon/nope?x=1' })
  t.equal(inside.statusCode, 404)
  t.equal(inside.body, envelope('Not Found: GET /seldon/nope'), 'unknown path under the prefix: the envelope, no query string')
  const root = await app.inject({ method: 'POST', url: '/seldon' })
  t.equal(root.statusCode, 404)
  t.equal(root.json().status.info, 'Not Found: POST /seldon')
  const outside = await app.inject({ method: 'GET', url: '/elsewhere' })
  t.equal(outside.statusCode, 404)
  t.same(outside.json(), { message: 'Route GET:/elsewhere not found', error: 'Not Found', statusCode: 404 }, "the host's own 404 is untouched")
  t.equal((await app.inject({ method: 'GET', url: '/host' })).statusCode, 200)

  const wrong = await app.inject({ method: 'DELETE', url: '/seldon/api/v0.1/predictions' })
  t.equal(wrong.statusCode, 405)
  t.equal(wrong.headers.allow, 'POST')
  t.equal(wrong.body, envelope('Method Not Allowed: DELETE /seldon/api/v0.1/predictions'))
  const options = await app.inject({ method: 'OPTIONS', url: '/seldon/predict' })
  t.equal(options.statusCode, 405, 'OPTIONS without CORS is a 405')
  t.equal(options.headers.allow, 'GET, HEAD, POST')
  const head = await app.inject({ method: 'HEAD', url: '/seldon/health/ping' })
  t.equal(head.statusCode, 200, 'HEAD comes with every GET route')
  const postPing = await app.inject({ method: 'POST', url: '/seldon/health/ping' })
  t.equal(postPing.statusCode, 405)
  t.equal(postPing.headers.allow, 'GET, HEAD')
  t.notOk(inside.headers['access-control-allow-origin'], 'no CORS headers when CORS is off')
  t.equal((await app.inject({ method: 'POST', url: '/seldon/route' })).statusCode, 404, 'endpoints not asked for are not served')
})

t.test("a host's own 404 handler at the same prefix is kept", async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.setNotFoundHandler((_request, reply) => { reply.code(404).send('host 404') })
  await app.register(seldonTestPlugin, { component: new IdentityModel(), endpoints: ['predict'], corsDefault: false })
  await app.ready()
  t.equal((await app.inject('/nope')).body, 'host 404')
  t.equal((await app.inject({ method: 'PUT', url: '/predict' })).statusCode, 405, '405s are still ours')
})

t.test('error handlers are scoped to the component', async t => {
  class Quota extends UserCustomException {}
  const component = {
    errorHandlers: [{ error: UserCustomException, handle: (err: UserCustomException) => ({ statusCode: err.statusCode, body: err.toDict(), headers: { 'x-app-code': String(err.applicationErrorCode) } }) }],
    predict (X: NDArray) {
      const first = Number(X.data[0])
      if (first === 1) throw new UserCustomException('custom', 7, 409)
      if (first === 2) throw new Quota('quota', 8, 429)
      if (first === 3) throw new SeldonMicroserviceError('teapot', { statusCode: 418, reason: 'MY_REASON' })
      if (first === 4) throw Object.assign(new TypeError('secret detail'), { statusCode: 404 })
      return X
    }
  }
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/host-error', async () => { throw new UserCustomException('host', 1, 402) })
  await app.register(seldonTestPlugin, { component, endpoints: ['predict'], corsDefault: false })
  await app.ready()

  const custom = await json(app, '/predict', '{"data":{"ndarray":[1]}}')
  t.equal(custom.statusCode, 409)
  t.equal(custom.body, '{"status":{"app_code":7,"message":"custom","status":409}}\n')
  t.equal(custom.headers['x-app-code'], '7', 'handler headers are sent')
  t.equal(custom.headers['content-type'], 'application/json')
  const sub = await json(app, '/predict', '{"data":{"ndarray":[2]}}')
  t.equal(sub.statusCode, 429, 'a subclass is matched with instanceof')
  const seldon = await json(app, '/predict', '{"data":{"ndarray":[3]}}')
  t.equal(seldon.statusCode, 418)
  t.equal(seldon.body, envelope('teapot', 'MY_REASON'), 'SeldonMicroserviceError: status and reason chosen by the user')
  const other = await json(app, '/predict', '{"data":{"ndarray":[4]}}')
  t.equal(other.statusCode, 500, 'a non-Seldon error is a 500 whatever its statusCode')
  t.equal(other.body, envelope('secret detail', 'MICROSERVICE_INTERNAL_ERROR'))

  const host = await app.inject({ method: 'GET', url: '/host-error' })
  t.equal(host.statusCode, 402, "Fastify's default handler renders the host's route")
  t.match(host.json(), { statusCode: 402, message: 'host' })
  t.notMatch(host.body, /app_code/, "the component's handler is not used outside its context")
})

t.test('a custom error handler that fails gives a 500 envelope', async t => {
  const component = {
    errorHandlers: [{ error: RangeError, handle: () => { throw new Error('handler broke') } }],
    predict () { throw new RangeError('out of range') }
  }
  const app = await build(t, component)
  const res = await json(app, '/predict', DATA)
  t.equal(res.statusCode, 500)
  t.equal(res.body, envelope('handler broke', 'MICROSERVICE_INTERNAL_ERROR'))
})

t.test('several components under several prefixes', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonTestPlugin, { component: new RichModel({ multiplier: 2 }), endpoints: PAYLOAD_ENDPOINTS, corsDefault: true, prefix: '/a' })
  await app.register(seldonTestPlugin, { component: new ScaleTransformer(), endpoints: PAYLOAD_ENDPOINTS, corsDefault: true, prefix: '/b' })
  await app.ready()
  t.equal((await json(app, '/a/predict', '{"data":{"ndarray":[1]}}')).json().data.ndarray[0], 2)
  t.equal((await json(app, '/b/transform-input', '{"data":{"ndarray":[1]}}')).json().data.ndarray[0], 2)
  t.equal((await app.inject('/a/metadata')).json().name, 'rich-model')
  t.equal((await app.inject('/b/metadata')).json().name, '')
  t.equal((await app.inject('/a/nope')).statusCode, 404)
  t.equal((await app.inject('/b/health/ping')).body, 'pong')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/b/route', headers: { origin: 'http://x.test', 'access-control-request-method': 'POST' } })
  t.equal(preflight.headers['access-control-allow-origin'], 'http://x.test')
})

t.test('two plugins at one prefix share health, 404 and CORS', async t => {
  const component = new RichModel({ multiplier: 2 })
  let loads = 0
  Object.assign(component, { load () { loads++ } })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonTestPlugin, { component, endpoints: ['predict'], corsDefault: true })
  await app.register(seldonTestPlugin, { component, endpoints: ['sendFeedback'], corsDefault: true })
  await app.ready()
  t.equal(loads, 1, 'one runtime, one load()')
  t.equal((await app.inject('/health/ping')).body, 'pong')
  const feedback = await json(app, '/send-feedback', '{"reward":1}')
  t.equal(feedback.statusCode, 200)
  t.equal(feedback.headers['access-control-allow-origin'], '*', 'the second plugin sets CORS headers too')
  const echoed = await app.inject({ method: 'POST', url: '/send-feedback', headers: { origin: 'http://o.test', 'content-type': 'application/json' }, payload: '{"reward":1}' })
  t.equal(echoed.headers['access-control-allow-origin'], 'http://o.test')
  t.equal(echoed.headers.vary, 'Origin')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/send-feedback', headers: { origin: 'http://o.test', 'access-control-request-method': 'POST' } })
  t.equal(preflight.statusCode, 200, 'the first plugin answers preflights for the prefix')
  t.equal((await app.inject('/nope')).statusCode, 404)
  t.equal(runtimeFor(component), runtimeFor(component), 'runtimeFor caches per component')
})

t.test('answers carry the headers flask-cors writes: * alone without an Origin, the origin and Vary: Origin with one', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonTestPlugin, { component: new IdentityModel(), endpoints: ['predict'], corsDefault: true })
  const cases: Array<[origin: string | undefined, allowed: string, vary: string | undefined]> = [
    [undefined, '*', undefined],
    ['', '*', undefined],
    ['*', '*', undefined],
    ['http://o.test', 'http://o.test', 'Origin']
  ]
  for (const [origin, allowed, vary] of cases) {
    const headers = { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }) }
    for (const [what, payload] of [['an answer', DATA], ['an error', '{"data":']]) {
      const res = await app.inject({ method: 'POST', url: '/predict', headers, payload })
      t.equal(res.headers['access-control-allow-origin'], allowed, `Origin ${JSON.stringify(origin)}, ${what}: allowed origin`)
      t.equal(res.headers.vary, vary, `Origin ${JSON.stringify(origin)}, ${what}: Vary`)
    }
  }
})

t.test('load(): failure stops ready with a clear error', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  const cause = new Error('weights missing')
  await app.register(seldonTestPlugin, { component: { predict: () => [], load () { throw cause } }, endpoints: ['predict'], corsDefault: false })
  const err = await app.ready().then(() => undefined, (e: Error) => e)
  t.ok(err instanceof Error)
  t.equal(err?.message, 'component load() failed: weights missing')
  t.equal(err?.cause, cause)
})

t.test('loadInBackground: 503 until load() ends, then 200', async t => {
  let finish: () => void = () => {}
  const loaded = new Promise<void>(resolve => { finish = resolve })
  const component = { predict: (X: unknown) => X, load: () => loaded }
  const app = await build(t, component, { loadInBackground: true })
  const before = await app.inject('/health/status')
  t.equal(before.statusCode, 503)
  t.equal(before.body, envelope('Model not ready: load() has not finished', 'MICROSERVICE_NOT_READY'))
  t.equal((await json(app, '/predict', DATA)).statusCode, 503, 'predict waits for load too')
  t.equal((await app.inject('/metadata')).statusCode, 503)
  t.equal((await app.inject('/health/ping')).statusCode, 200, 'ping touches no user code')
  finish()
  await loaded
  await new Promise(resolve => setImmediate(resolve))
  const after = await app.inject('/health/status')
  t.equal(after.statusCode, 200)
  t.equal(after.body, '{"meta":{},"strData":"healthy"}\n')
})

t.test('loadInBackground: a failing load() leaves the component unready', async t => {
  const app = await build(t, { predict: () => [], load: async () => { throw new Error('nope') } }, { loadInBackground: true })
  await new Promise(resolve => setImmediate(resolve))
  const res = await app.inject('/health/status')
  t.equal(res.statusCode, 503)
  t.equal(res.json().status.info, 'Model not ready: load() failed')
})

t.test('options: health, notFound, cors, metadata, unit id/image, metrics', async t => {
  const noHealth = await build(t, new IdentityModel(), { health: false, notFound: false, cors: false })
  const ping = await noHealth.inject('/health/ping')
  t.equal(ping.statusCode, 404)
  t.equal(ping.json().error, 'Not Found', "notFound: false leaves Fastify's 404")
  t.notOk((await json(noHealth, '/predict', DATA)).headers['access-control-allow-origin'])

  const meta = await build(t, new IdentityModel(), { modelMetadata: '{"name": "from-env", "custom": {"k": "v"}}', unitImage: 'repo/img:1.2' })
  t.equal((await meta.inject('/metadata')).body, '{"custom":{"k":"v"},"inputs":[],"name":"from-env","outputs":[],"platform":"","versions":["1.2"]}\n')
  const metaYaml = await build(t, new RichModel(), optionsFromEnv({ MODEL_METADATA: 'platform: yaml\n' }))
  t.equal((await metaYaml.inject('/metadata')).json().platform, 'yaml', 'MODEL_METADATA from the env')

  const bad = await build(t, new IdentityModel(), { modelMetadata: '{"unknown": 1}' })
  const badRes = await bad.inject('/api/v1.0/metadata')
  t.equal(badRes.statusCode, 500)
  t.equal(badRes.body, envelope('Model metadata unavailable', 'MICROSERVICE_BAD_METADATA'))

  const unit = await build(t, new IdentityModel(), { unitId: 'model-a', unitImage: 'img:1' })
  t.equal((await json(unit, '/predict', '{"strData":"x","meta":{"requestPath":{"up":"u:1"}}}')).body,
    '{"meta":{"requestPath":{"model-a":"img:1","up":"u:1"}},"strData":"x"}\n', 'requestPath: this unit plus the request\'s')
  const unitEnv = await build(t, new IdentityModel(), optionsFromEnv({ PREDICTIVE_UNIT_ID: 'env-unit' }))
  t.equal((await json(unitEnv, '/predict', '{"strData":"x"}')).body, '{"meta":{"requestPath":{"env-unit":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"}},"strData":"x"}\n')

  const recorded: unknown[] = []
  const recorder: MetricsRecorder = { record: (m, method) => { recorded.push([m.map(x => x.key), method]) }, feedback: r => { recorded.push(['reward', r]) } }
  const hidden = await build(t, new RichModel(), { includeMetricsInResponse: false, metrics: recorder })
  const hiddenRes = (await json(hidden, '/predict', '{"data":{"ndarray":[[1,2,3,4]]}}')).json()
  t.same(hiddenRes.meta, { tags: { model: 'rich', version: 'v1' } }, 'metrics recorded but not shown')
  t.same(recorded[0], [['rich_calls_total', 'rich_multiplier', 'rich_fake_timer', 'rich_tagged'], 'predict'])
  await json(hidden, '/send-feedback', '{"reward":2.5}')
  t.ok(recorded.some(r => Array.isArray(r) && r[0] === 'reward' && r[1] === 2.5), 'reward counted')
  const noExecutor = await build(t, new RichModel(), { executorEnabled: false, metrics: recorder })
  const before = recorded.length
  await json(noExecutor, '/send-feedback', '{"reward":2.5}')
  t.notOk(recorded.slice(before).some(r => Array.isArray(r) && r[0] === 'reward'), 'SELDON_EXECUTOR_ENABLED=false: no reward counters')
})

t.test('options are checked at registration', async t => {
  const register = async (opts: Record<string, unknown>): Promise<Error | undefined> => {
    const app = Fastify()
    t.teardown(() => app.close())
    return app.register(seldonTestPlugin, { endpoints: ['predict'], corsDefault: false, component: {}, ...opts } as never).ready().then(() => undefined, (e: Error) => e)
  }
  t.match(await register({ component: null }), { code: 'SELDON_ERR_INVALID_COMPONENT', message: 'option component must be an object (an instance of your class)' })
  t.match(await register({ cors: 'yes' }), { code: 'SELDON_ERR_INVALID_OPTION', message: 'option cors must be a boolean' })
  t.match(await register({ unitId: 5 }), { code: 'SELDON_ERR_INVALID_OPTION', message: 'option unitId must be a string' })
  t.match(await register({ metrics: {} }), { code: 'SELDON_ERR_INVALID_OPTION' })
  t.match(await register({ env: 'x' }), { code: 'SELDON_ERR_INVALID_OPTION' })
  t.match(await register({ component: { errorHandlers: {} } }), { code: 'SELDON_ERR_INVALID_OPTION', message: 'component.errorHandlers must be an array of { error, handle } entries' })
  t.match(await register({ component: { model_error_handlers: [{ error: Error }] } }), { code: 'SELDON_ERR_INVALID_OPTION', message: /^component\.model_error_handlers\[0\] must be/ })
})

t.test('dispatch over REST: raw methods, status override, fallthrough, async, snake_case', async t => {
  const rawFirst = await build(t, {
    predictRaw: async (msg: { strData?: string }) => {
      if (msg.strData === 'fail') return { status: { code: 400, info: 'raw says no', status: 'FAILURE' } }
      if (msg.strData === 'odd') return { status: { code: 42 } }
      if (msg.strData === 'pass') throw new NotImplementedError()
      return { jsonData: { raw: true } }
    },
    predict: () => ['high-level']
  })
  t.equal((await json(rawFirst, '/predict', '{"strData":"x"}')).body, '{"jsonData":{"raw":true}}\n', 'predictRaw wins, verbatim')
  const failed = await json(rawFirst, '/api/v1.0/predictions', '{"strData":"fail"}')
  t.equal(failed.statusCode, 400, 'status.code of a predict result becomes the HTTP status')
  t.equal(failed.body, '{"status":{"code":400,"info":"raw says no","status":"FAILURE"}}\n')
  t.equal((await json(rawFirst, '/predict', '{"strData":"odd"}')).statusCode, 200, 'an out-of-range code is ignored')
  t.equal((await json(rawFirst, '/predict', '{"strData":"pass"}')).body, '{"data":{"names":[],"ndarray":["high-level"]},"meta":{}}\n', 'NotImplementedError falls through')

  const rawRoute = await build(t, { route_raw: () => ({ status: { code: 500 }, data: { ndarray: [[3]] } }) })
  const routed = await json(rawRoute, '/route', DATA)
  t.equal(routed.statusCode, 200, 'status.code is honoured on predict routes only')

  const asyncModel = await build(t, {
    async predict (X: NDArray) { await new Promise(resolve => setTimeout(resolve, 1)); return X.map(v => v * 2) },
    async route () { return 2 },
    async class_names () { return ['x', 'y'] },
    async tags () { return { a: 1 } },
    async transform_output () { throw new NotImplementedError() }
  })
  t.equal((await json(asyncModel, '/predict', DATA)).body, '{"data":{"names":["x","y"],"ndarray":[[2.0,4.0]]},"meta":{"tags":{"a":1}}}\n')
  t.equal((await json(asyncModel, '/route', DATA)).body, '{"data":{"names":["x","y"],"ndarray":[[2]]},"meta":{"tags":{"a":1}}}\n',
    'route: class_names used (not checked against the width), user tags kept')
  t.equal((await json(asyncModel, '/route', '{"data":{"ndarray":[[1]]},"meta":{"puid":"p","tags":{"r":1},"requestPath":{"u":"i"}}}')).body,
    '{"data":{"names":["x","y"],"ndarray":[[2]]},"meta":{"puid":"p","tags":{"a":1}}}\n', 'route: request tags and requestPath dropped, puid kept')
  t.equal((await json(asyncModel, '/transform-output', '{"data":{"ndarray":[[1,2]]},"meta":{"tags":{"r":1}}}')).body,
    '{"data":{"names":["x","y"],"ndarray":[[1,2]]},"meta":{"tags":{"a":1,"r":1}}}\n', 'NotImplementedError → identity')

  const runtimeMeta = await build(t, {
    predict: () => new SeldonResponse([[1, 2]], { run: 'time', a: 2 }, [{ key: 'per_call', type: 'COUNTER', value: 1 }]),
    tags: () => ({ a: 1, user: true }),
    metrics: () => [{ key: 'user_metric', type: 'GAUGE', value: float(2) }],
    classNames: ['p', 'q']
  })
  t.equal((await json(runtimeMeta, '/predict', '{"data":{"ndarray":[[1,2]]},"meta":{"tags":{"req":1,"a":0},"metrics":[{"key":"req_m","type":"TIMER","value":3}]}}')).body,
    '{"data":{"names":["p","q"],"ndarray":[[1,2]]},"meta":{"metrics":[{"key":"req_m","type":"TIMER","value":3},{"key":"user_metric","type":"GAUGE","value":2.0},{"key":"per_call","type":"COUNTER","value":1}],"tags":{"a":2,"req":1,"run":"time","user":true}}}\n',
    'tags: request < tags() < runtime; metrics: request, then metrics(), then runtime; class_names attribute')

  const scalar = await build(t, { predict: (X: NDArray) => (Number(X.data[0]) === 1 ? 5 : null), route: () => 0.5 })
  t.equal((await json(scalar, '/predict', '{"data":{"ndarray":[1]}}')).body, envelope('Unknown data type returned as payload (must be list or np array):5'))
  t.equal((await json(scalar, '/predict', '{"data":{"ndarray":[2]}}')).body, envelope('Unknown data type returned as payload (must be list or np array):None'))
  t.equal((await json(scalar, '/route', DATA)).body, envelope('Routing response must be int but got 0.5'))

  const badMetric = await build(t, { predict: () => [1], metrics: () => [{ type: 'BAD', key: 'mycounter', value: 1 }] })
  const bm = await json(badMetric, '/predict', DATA)
  t.equal(bm.statusCode, 500)
  t.equal(bm.body, envelope('Bad metric created during request: [{"type": "BAD", "key": "mycounter", "value": 1}]', 'MICROSERVICE_BAD_METRIC'))

  const healthRaw = await build(t, { health_status_raw: () => ({ raw: 'health' }) })
  t.equal((await healthRaw.inject('/health/status')).body, '{"raw":"health"}\n', 'health_status_raw verbatim')
  const healthList = await build(t, { healthStatus: () => [1, 2] })
  t.equal((await healthList.inject('/api/v1.0/health/status')).body, '{"data":{"names":[],"tensor":{"shape":[2],"values":[1,2]}},"meta":{}}\n')

  const feedback = await build(t, new IdentityModel())
  const unknownField = await json(feedback, '/send-feedback', '{"reward":1,"bogus":2}')
  t.equal(unknownField.statusCode, 400)
  t.match(unknownField.json().status.info, /^Invalid JSON: /)
})

t.test('logging: 5xx at error with the stack, 4xx at info', async t => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb() } })
  const app = await build(t, { predict (X: NDArray) { if (Number(X.data[0]) === 0) throw new Error('boom'); return X } }, {}, { logger: { level: 'info', stream } })
  await json(app, '/predict', '{"data":{"ndarray":[0]}}')
  await json(app, '/predict', '{}')
  const error = lines.find(l => l.level === 50)
  t.ok(error, 'an error line for the 500')
  t.match((error?.err as { stack?: string })?.stack, /Error: boom/)
  t.ok(lines.some(l => l.level === 30 && l.msg === 'MICROSERVICE_BAD_DATA: Invalid request data type: {}'), 'an info line for the 400')
})
