import t from 'tap'
import Fastify from 'fastify'
import seldonModelDefault, { seldonModel } from '../src/index.js'

const JSON_CT = { 'content-type': 'application/json' }
const envelope = (info: string, reason = 'MICROSERVICE_BAD_DATA'): string => `{"status":{"code":-1,"info":${JSON.stringify(info)},"reason":"${reason}","status":1}}\n`

class Identity { predict (X: unknown): unknown { return X } }

t.test('exports', async t => {
  t.equal(seldonModelDefault, seldonModel)
  t.equal(typeof seldonModel, 'function')
})

t.test('serves the predict routes and health under a prefix, nothing else', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/', async () => 'host')
  await app.register(seldonModel, { component: new Identity(), prefix: '/iris' })
  await app.ready()
  for (const url of ['/iris/predict', '/iris/api/v1.0/predictions', '/iris/api/v0.1/predictions']) {
    const res = await app.inject({ method: 'POST', url, headers: JSON_CT, payload: '{"data":{"ndarray":[[1.0,2.0]]}}' })
    t.equal(res.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{}}\n', url)
    t.notOk(res.headers['access-control-allow-origin'], 'CORS off by default when embedded')
  }
  t.equal((await app.inject('/iris/predict?json=%7B%22strData%22%3A%22x%22%7D')).body, '{"meta":{},"strData":"x"}\n')
  t.equal((await app.inject('/iris/health/ping')).body, 'pong')
  t.equal((await app.inject('/iris/health/status')).body, '{"meta":{},"strData":"healthy"}\n')
  t.equal((await app.inject('/iris/metadata')).statusCode, 200)
  t.equal((await app.inject('/iris/seldon.json')).json().paths['/iris/predict'] !== undefined, true)
  const route = await app.inject({ method: 'POST', url: '/iris/route', headers: JSON_CT, payload: '{}' })
  t.equal(route.statusCode, 404)
  t.equal(route.body, envelope('Not Found: POST /iris/route'))
  t.equal((await app.inject({ method: 'GET', url: '/iris/api/v1.0/predictions' })).statusCode, 405)
  t.equal((await app.inject('/')).body, 'host')
})

t.test('a component without predict fails registration', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  // @ts-expect-error a model needs predict: a type error too
  app.register(seldonModel, { component: { route: () => 0 } })
  await t.rejects(async () => { await app.ready() }, { code: 'SELDON_ERR_INVALID_COMPONENT', message: 'a model component needs a predict() method (or predictRaw / predict_raw)' })
})

t.test('predict_raw is enough; cors: true; two models under two prefixes', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonModel, { component: { predict_raw: () => ({ jsonData: 'a' }) }, prefix: '/a', cors: true })
  await app.register(seldonModel, { component: { predict: () => 'b' }, prefix: '/b' })
  await app.ready()
  const a = await app.inject({ method: 'POST', url: '/a/predict', headers: { ...JSON_CT, origin: 'http://o.test' }, payload: '{"strData":""}' })
  t.equal(a.body, '{"jsonData":"a"}\n')
  t.equal(a.headers['access-control-allow-origin'], 'http://o.test')
  t.equal((await app.inject({ method: 'POST', url: '/b/predict', headers: JSON_CT, payload: '{"strData":""}' })).body, '{"meta":{},"strData":"b"}\n')
})
