import t from 'tap'
import Fastify from 'fastify'
import seldonComponentDefault, { seldonComponent } from '../src/index.js'
import { optionsFromEnv } from '@fastify-seldon/core'

const JSON_CT = { 'content-type': 'application/json' }
const DATA = '{"data":{"ndarray":[[1.0,2.0]]}}'

class Everything {
  predict (): string { return 'predicted' }
  transform_input (): string { return 'in' }
  transform_output (): string { return 'out' }
  route (): number { return 1 }
  aggregate (): string { return 'agg' }
  send_feedback (): string { return 'fed' }
}

t.test('exports', async t => {
  t.equal(seldonComponentDefault, seldonComponent)
})

t.test('every route of the Python wrapper, CORS on', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: new Everything() })
  const cases: Array<[string, string, string]> = [
    ['/predict', DATA, '{"meta":{},"strData":"predicted"}\n'],
    ['/api/v1.0/predictions', DATA, '{"meta":{},"strData":"predicted"}\n'],
    ['/api/v0.1/predictions', DATA, '{"meta":{},"strData":"predicted"}\n'],
    ['/transform-input', DATA, '{"meta":{},"strData":"in"}\n'],
    ['/transform-output', DATA, '{"meta":{},"strData":"out"}\n'],
    ['/route', DATA, '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{}}\n'],
    ['/aggregate', `[${DATA}]`, '{"meta":{},"strData":"agg"}\n'],
    ['/send-feedback', '{"reward":1}', '{"meta":{},"strData":"fed"}\n'],
    ['/api/v1.0/feedback', '{"reward":1}', '{"meta":{},"strData":"fed"}\n'],
    ['/api/v0.1/feedback', '{"reward":1}', '{"meta":{},"strData":"fed"}\n']
  ]
  for (const [url, payload, body] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: JSON_CT, payload })
    t.equal(res.body, body, url)
    t.equal(res.headers['access-control-allow-origin'], '*', `${url}: CORS`)
  }
  for (const url of ['/health/ping', '/health/status', '/api/v1.0/health/status', '/metadata', '/api/v1.0/metadata', '/seldon.json']) {
    t.equal((await app.inject(url)).statusCode, 200, url)
  }
  const preflight = await app.inject({ method: 'OPTIONS', url: '/aggregate', headers: { origin: 'http://e.test', 'access-control-request-method': 'POST' } })
  t.equal(preflight.statusCode, 200)
  t.equal(preflight.headers['access-control-allow-origin'], 'http://e.test')
  t.equal((await app.inject('/nope')).statusCode, 404)
})

t.test('cors: false, and a component that is not an object', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: new Everything(), cors: false })
  t.notOk((await app.inject('/health/ping')).headers['access-control-allow-origin'])
  const bad = Fastify()
  t.teardown(() => bad.close())
  bad.register(seldonComponent, { component: 'nope' as never })
  await t.rejects(async () => { await bad.ready() }, { code: 'SELDON_ERR_INVALID_COMPONENT' })
})

t.test('Swagger UI at /docs by default; docs: false and SELDON_DOCS=false remove it', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: new Everything(), prefix: '/unit' })
  const page = await app.inject('/unit/docs')
  t.equal(page.statusCode, 200)
  t.match(page.body, /Swagger UI/)
  const doc = (await app.inject('/unit/docs/json')).json() as { paths: Record<string, unknown> }
  t.ok(doc.paths['/unit/api/v1.0/predictions'], 'the paths carry the prefix')
  t.same(doc, (await app.inject('/unit/seldon.json')).json(), 'the same document as /seldon.json')

  for (const options of [{ docs: false }, optionsFromEnv({ SELDON_DOCS: 'false' })]) {
    const off = Fastify()
    t.teardown(() => off.close())
    await off.register(seldonComponent, { component: new Everything(), ...options })
    t.equal((await off.inject('/docs')).statusCode, 404, JSON.stringify(options))
    t.equal((await off.inject('/seldon.json')).statusCode, 200, '/seldon.json stays')
  }
})
