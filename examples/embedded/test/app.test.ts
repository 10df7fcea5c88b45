import t, { type Test } from 'tap'
import { buildApp, IrisModel } from '../src/app.js'

const TOKEN = 'test-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const json = { 'content-type': 'application/json' }

const SETOSA = [5.1, 3.5, 1.4, 0.2]
const VIRGINICA = [6.3, 3.3, 6.0, 2.5]

async function app (t: Test, maxBatch = 2) {
  const instance = await buildApp({ token: TOKEN, maxQuantity: 10, model: new IrisModel({ maxBatch }) })
  t.teardown(() => instance.close())
  await instance.ready()
  return instance
}

t.test('the auth hook guards the host routes and the model routes alike', async t => {
  const a = await app(t)
  for (const [method, url] of [
    ['GET', '/hello'],
    ['POST', '/orders'],
    ['POST', '/models/iris/api/v1.0/predictions'],
    ['POST', '/models/iris/predict'],
    ['GET', '/models/iris/health/ping'],
    ['GET', '/models/iris/metadata'],
    ['GET', '/nope'],
    ['GET', '/models/iris/nope']
  ] as const) {
    const res = await a.inject({ method, url, headers: json, payload: '{"data":{"ndarray":[[1,2,3,4]]}}' })
    t.equal(res.statusCode, 401, `${method} ${url} without a token`)
    t.same(res.json(), { error: 'unauthorized' }, 'the host\'s 401 body')
    t.equal(res.headers['www-authenticate'], 'Bearer')
  }
  const wrong = await a.inject({ method: 'POST', url: '/models/iris/predict', headers: { ...json, authorization: 'Bearer nope' }, payload: '{"data":{"ndarray":[[1,2,3,4]]}}' })
  t.equal(wrong.statusCode, 401, 'a wrong token is refused too')

  const hello = await a.inject({ method: 'GET', url: '/hello', headers: auth })
  t.equal(hello.statusCode, 200)
  t.same(hello.json(), { hello: 'world' })
})

t.test('the model answers under its prefix, byte for byte as Seldon', async t => {
  const a = await app(t)
  const payload = JSON.stringify({ data: { ndarray: [SETOSA, VIRGINICA] } })
  for (const url of ['/models/iris/api/v1.0/predictions', '/models/iris/predict', '/models/iris/api/v0.1/predictions']) {
    const res = await a.inject({ method: 'POST', url, headers: { ...auth, ...json }, payload })
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['content-type'], 'application/json')
    t.equal(res.body, '{"data":{"names":["setosa","versicolor","virginica"],"ndarray":[[1.0,0.0,0.0],[0.0,0.0,1.0]]},"meta":{}}\n')
  }
  const tensor = await a.inject({
    method: 'POST',
    url: '/models/iris/api/v1.0/predictions',
    headers: { ...auth, ...json },
    payload: '{"data":{"tensor":{"shape":[1,4],"values":[6.0,2.7,4.5,1.5]}}}'
  })
  t.equal(tensor.body, '{"data":{"names":["setosa","versicolor","virginica"],"tensor":{"shape":[1,3],"values":[0.0,1.0,0.0]}},"meta":{}}\n')

  const ping = await a.inject({ method: 'GET', url: '/models/iris/health/ping', headers: auth })
  t.equal(ping.statusCode, 200)
  t.equal(ping.body, 'pong')
  const status = await a.inject({ method: 'GET', url: '/models/iris/health/status', headers: auth })
  t.equal(status.statusCode, 200)
  t.equal(status.body, '{"meta":{},"strData":"healthy"}\n')
  const metadata = await a.inject({ method: 'GET', url: '/models/iris/metadata', headers: auth })
  t.equal(metadata.statusCode, 200)
  t.same(metadata.json(), { custom: {}, inputs: [], name: '', outputs: [], platform: '', versions: [''] })

  for (const url of ['/predict', '/api/v1.0/predictions', '/health/ping']) {
    const res = await a.inject({ method: url === '/health/ping' ? 'GET' : 'POST', url, headers: { ...auth, ...json }, payload: url === '/health/ping' ? undefined : payload })
    t.equal(res.statusCode, 404, `${url} is not served outside the prefix`)
  }
})

t.test('the model\'s error handler renders QuotaExceeded inside the prefix', async t => {
  const a = await app(t, 2)
  const res = await a.inject({
    method: 'POST',
    url: '/models/iris/api/v1.0/predictions',
    headers: { ...auth, ...json },
    payload: JSON.stringify({ data: { ndarray: [SETOSA, SETOSA, VIRGINICA] } })
  })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], '60')
  t.match(res.headers['content-type'], /^application\/json/)
  t.same(res.json(), { error: 'quota_exceeded', limit: 2, requested: 3 })

  // Other errors inside the prefix keep the Seldon envelope.
  const bad = await a.inject({ method: 'POST', url: '/models/iris/predict', headers: { ...auth, ...json }, payload: 'notjson' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.body, '{"status":{"code":-1,"info":"Can\'t find JSON in data","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')
  const shape = await a.inject({ method: 'POST', url: '/models/iris/predict', headers: { ...auth, ...json }, payload: '{"data":{"ndarray":[[1,2]]}}' })
  t.equal(shape.statusCode, 500, 'a TypeError thrown by predict is the model\'s 500')
  t.same(shape.json(), { status: { code: -1, info: 'expected rows of 4 features, got shape (1,2)', reason: 'MICROSERVICE_INTERNAL_ERROR', status: 1 } })
})

t.test('the model\'s error handling does not leak into the host', async t => {
  const a = await app(t)
  // The host route throws the very class the model renders as 429: the host's handler answers.
  const quota = await a.inject({ method: 'POST', url: '/orders', headers: auth, payload: { item: 'seeds', quantity: 11 } })
  t.equal(quota.statusCode, 500, 'QuotaExceeded on a host route is the host\'s 500')
  t.same(quota.json(), { error: 'internal_error' })
  t.notOk(quota.headers['retry-after'], 'not the model\'s rendering')

  const order = await a.inject({ method: 'POST', url: '/orders', headers: auth, payload: { item: 'seeds', quantity: 0 } })
  t.equal(order.statusCode, 422)
  t.same(order.json(), { error: 'invalid_order', message: 'quantity must be a positive integer' })
  const noItem = await a.inject({ method: 'POST', url: '/orders', headers: auth, payload: { quantity: 1 } })
  t.equal(noItem.statusCode, 422)
  t.same(noItem.json(), { error: 'invalid_order', message: 'item must be a non-empty string' })

  const badJson = await a.inject({ method: 'POST', url: '/orders', headers: { ...auth, ...json }, payload: 'notjson' })
  t.equal(badJson.statusCode, 400, 'a host body error is the host\'s 400, not the Seldon envelope')
  t.equal(badJson.json().error, 'bad_request')
  t.notOk(badJson.json().status, 'no Seldon envelope')

  const ok = await a.inject({ method: 'POST', url: '/orders', headers: auth, payload: { item: 'seeds', quantity: 3 } })
  t.equal(ok.statusCode, 201)
  t.same(ok.json(), { item: 'seeds', quantity: 3, status: 'accepted' })

  // 404s outside the prefix stay Fastify's; inside the prefix they are the Seldon envelope.
  const hostMissing = await a.inject({ method: 'GET', url: '/nope', headers: auth })
  t.equal(hostMissing.statusCode, 404)
  t.same(hostMissing.json(), { message: 'Route GET:/nope not found', error: 'Not Found', statusCode: 404 })
  const modelMissing = await a.inject({ method: 'GET', url: '/models/iris/nope', headers: auth })
  t.equal(modelMissing.statusCode, 404)
  t.equal(modelMissing.body, '{"status":{"code":-1,"info":"Not Found: GET /models/iris/nope","reason":"MICROSERVICE_BAD_DATA","status":1}}\n', 'the Seldon envelope inside the prefix')
  const wrongMethod = await a.inject({ method: 'GET', url: '/models/iris/api/v1.0/predictions', headers: auth })
  t.equal(wrongMethod.statusCode, 405, 'a wrong method inside the prefix is the model\'s 405')
  t.equal(wrongMethod.headers.allow, 'POST')
  const hostWrongMethod = await a.inject({ method: 'PUT', url: '/hello', headers: auth })
  t.equal(hostWrongMethod.statusCode, 404, 'a wrong method on a host route stays Fastify\'s 404')
  t.equal(hostWrongMethod.json().error, 'Not Found')
})

t.test('defaults: API_TOKEN from the environment, a fresh IrisModel of 8 rows', async t => {
  const saved = process.env.API_TOKEN
  process.env.API_TOKEN = 'from-env'
  t.teardown(() => { if (saved === undefined) delete process.env.API_TOKEN; else process.env.API_TOKEN = saved })
  const a = await buildApp()
  t.teardown(() => a.close())
  const rows = Array.from({ length: 8 }, () => SETOSA)
  const ok = await a.inject({ method: 'POST', url: '/models/iris/predict', headers: { ...json, authorization: 'Bearer from-env' }, payload: JSON.stringify({ data: { ndarray: rows } }) })
  t.equal(ok.statusCode, 200, 'eight rows are within the default quota')
  const tooMany = await a.inject({ method: 'POST', url: '/models/iris/predict', headers: { ...json, authorization: 'Bearer from-env' }, payload: JSON.stringify({ data: { ndarray: [...rows, SETOSA] } }) })
  t.equal(tooMany.statusCode, 429)
  const order = await a.inject({ method: 'POST', url: '/orders', headers: { authorization: 'Bearer from-env' }, payload: { item: 'seeds', quantity: 100 } })
  t.equal(order.statusCode, 201, 'orders up to 100 items by default')
  delete process.env.API_TOKEN
  const b = await buildApp()
  t.teardown(() => b.close())
  const dev = await b.inject({ method: 'GET', url: '/hello', headers: { authorization: 'Bearer dev-token' } })
  t.equal(dev.statusCode, 200, 'dev-token when API_TOKEN is not set')
})
