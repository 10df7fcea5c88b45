/**
 * The plugin's HTTP surface: routes and methods, bodies and content types, the puid, readiness
 * and liveness, CORS, options, and staying inside its prefix.
 */
import t from 'tap'
import Fastify from 'fastify'
import { GraphEngine, seldonGraph, type PredictiveUnit } from '../src/index.js'
import { Probe, graphApp, predict, sleep } from './fixtures.js'

const model: PredictiveUnit = { name: 'm', type: 'MODEL' }

t.test('routes: v1.0 and v0.1, 405 with Allow, 404 under the prefix only', async t => {
  const app = Fastify({ logger: false })
  app.get('/host', async () => ({ host: true }))
  await app.register(seldonGraph, { prefix: '/g', graph: model, components: { m: new Probe('m') } })
  t.teardown(async () => { await app.close() })
  for (const url of ['/g/api/v1.0/predictions', '/g/api/v0.1/predictions']) {
    const res = await app.inject({ method: 'POST', url, payload: { strData: 'x' } })
    t.equal(res.statusCode, 200, url)
    t.equal(res.body, '{"meta":{"requestPath":{"m":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"},"routing":{"m":-1}},"strData":"x>m.p"}\n')
  }
  for (const url of ['/g/api/v1.0/feedback', '/g/api/v0.1/feedback']) {
    t.equal((await app.inject({ method: 'POST', url, payload: { reward: 1 } })).statusCode, 200, url)
  }
  const get = await app.inject('/g/api/v1.0/predictions')
  t.equal(get.statusCode, 405)
  t.equal(get.headers.allow, 'POST')
  t.equal(get.body, '{"status":{"code":405,"info":"Method Not Allowed: GET /g/api/v1.0/predictions","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}')
  const put = await app.inject({ method: 'PUT', url: '/g/ready' })
  t.same([put.statusCode, put.headers.allow], [405, 'GET, HEAD'])
  const options = await app.inject({ method: 'OPTIONS', url: '/g/api/v1.0/predictions' })
  t.equal(options.statusCode, 405, 'no CORS by default: OPTIONS is not served')
  const missing = await app.inject('/g/nope?x=1')
  t.equal(missing.statusCode, 404)
  t.equal(missing.body, '{"status":{"code":404,"info":"Not Found: GET /g/nope","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}')
  t.equal(missing.headers['content-type'], 'application/json')
  const outside = await app.inject('/elsewhere')
  t.equal(outside.statusCode, 404)
  t.match(outside.json(), { message: 'Route GET:/elsewhere not found' }, 'the host keeps its own 404')
  t.same((await app.inject('/host')).json(), { host: true })
})

t.test('bodies: JSON, +json, the form field json; anything else is a 400', async t => {
  const app = await graphApp(t, { graph: model, components: { m: new Probe('m') } })
  const send = async (type: string | undefined, payload: string) =>
    await app.inject({ method: 'POST', url: '/g/api/v1.0/predictions', headers: type === undefined ? {} : { 'content-type': type }, payload })
  t.equal((await send('application/json', '{"strData":"a"}')).statusCode, 200)
  t.equal((await send('application/vnd.seldon+json; charset=utf-8', '{"strData":"a"}')).statusCode, 200)
  const form = await send('application/x-www-form-urlencoded', `json=${encodeURIComponent('{"strData":"f"}')}`)
  t.equal(form.statusCode, 200)
  t.match(form.body, '"strData":"f>m.p"')
  const noJson = '{"status":{"code":400,"info":"Can\'t find JSON in data","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}'
  t.equal((await send('application/x-www-form-urlencoded', 'other=1')).body, noJson)
  t.equal((await send('text/plain', '{"strData":"a"}')).body, noJson, 'a JSON text declared as text/plain')
  t.equal((await send('application/json', '')).body, noJson, 'empty body')
  t.equal((await send('application/json', 'null')).body, noJson)
  t.equal((await send(undefined, '')).body, noJson, 'no body at all')
  const multipart = await send('multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="strData"\r\n\r\nhi\r\n--x--\r\n')
  t.equal(multipart.statusCode, 400)
  t.match(multipart.body, 'multipart/form-data is not read by the graph')
  const malformed = await send('application/json', '{"strData":')
  t.equal(malformed.statusCode, 400)
  t.match(malformed.body, '"info":"Invalid JSON: Expecting value: line 1 column 12 (char 11)"')
  const badForm = await send('application/x-www-form-urlencoded', 'json=%7Bnope')
  t.match(badForm.body, '"info":"form field json: Invalid JSON: ')

  const small = Fastify({ logger: false, bodyLimit: 64 })
  await small.register(seldonGraph, { graph: model, components: { m: new Probe('m') } })
  t.teardown(async () => { await small.close() })
  const large = await small.inject({ method: 'POST', url: '/api/v1.0/predictions', headers: { 'content-type': 'application/json' }, payload: `{"strData":"${'x'.repeat(100)}"}` })
  t.equal(large.statusCode, 413)
  t.equal(large.body, '{"status":{"code":413,"info":"Request body is larger than 64 bytes","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}')
})

t.test('answers: application/json exactly, no HTML escaping, the puid, nosniff', async t => {
  const app = await graphApp(t, { graph: model, components: { m: new Probe('m') } })
  const res = await predict(app, '{"strData":"<a href=\\"x\\">&amp;</a>"}')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json')
  t.match(res.body, '"strData":"<a href=\\"x\\">&amp;</a>>m.p"', '<, > and & as they are (the executor escapes them)')
  t.match(res.headers['seldon-puid'], /^[0-9a-f-]{36}$/)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  const given = await predict(app, '{"strData":"x"}', { 'seldon-puid': 'abc-123' })
  t.equal(given.headers['seldon-puid'], 'abc-123', 'a given puid is echoed')
  const failed = await app.inject({ method: 'POST', url: '/g/api/v1.0/predictions', headers: { 'content-type': 'text/plain', 'seldon-puid': 'p' } })
  t.equal(failed.headers['seldon-puid'], 'p', 'on errors too')
})

t.test('liveness and readiness: ready when every node is', async t => {
  let release = (): void => {}
  class SlowLoad extends Probe {
    async load (): Promise<void> { await new Promise<void>(resolve => { release = resolve }) }
  }
  const app = await graphApp(t, { graph: model, components: { m: new SlowLoad('m') }, loadInBackground: true })
  t.same([(await app.inject('/g/live')).statusCode, (await app.inject('/g/live')).body], [200, ''])
  const ping = await app.inject('/g/health/ping')
  t.same([ping.statusCode, ping.body, ping.headers['content-type']], [200, 'pong', 'text/html; charset=utf-8'])
  for (const url of ['/g/ready', '/g/api/v1.0/status', '/g/api/v1.0/health/status', '/g/health/status']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 503, url)
    t.equal(res.body, '{"status":{"code":503,"info":"Graph not ready: node m: Model not ready: load() has not finished","reason":"GRAPH_NOT_READY","status":"FAILURE"}}')
  }
  const early = await predict(app, '{"strData":"x"}')
  t.equal(early.statusCode, 503, 'a node not loaded yet answers 503, as its container would')
  release()
  await sleep(20)
  const ready = await app.inject('/g/ready')
  t.same([ready.statusCode, ready.body], [200, ''])
  t.equal((await predict(app, '{"strData":"x"}')).statusCode, 200)

  class FailingLoad extends Probe { async load (): Promise<void> { throw new Error('no weights') } }
  const broken = Fastify({ logger: false })
  await broken.register(seldonGraph, { graph: model, components: { m: new FailingLoad('m') } })
  await t.rejects(async () => { await broken.ready() }, /node m: component load\(\) failed: no weights/, 'a load() failure stops start-up, naming the node')
})

t.test('CORS as the executor does it, when asked', async t => {
  const app = await graphApp(t, { graph: model, components: { m: new Probe('m') }, cors: true, corsAllowedOrigins: 'https://ui.example' })
  const preflight = await app.inject({ method: 'OPTIONS', url: '/g/api/v1.0/predictions' })
  t.equal(preflight.statusCode, 200)
  t.equal(preflight.body, '')
  t.equal(preflight.headers['access-control-allow-origin'], 'https://ui.example')
  t.equal(preflight.headers['access-control-allow-methods'], 'POST, OPTIONS')
  t.match(preflight.headers['access-control-allow-headers'], 'Content-Type')
  const res = await predict(app, '{"strData":"x"}')
  t.equal(res.headers['access-control-allow-origin'], 'https://ui.example')
})

t.test('options are checked at registration; a shared engine stays open', async t => {
  const attempts: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /needs option graph \(or engine\)/],
    [{ engine: {} }, /option engine must be a GraphEngine/],
    [{ graph: model, components: { m: new Probe('m') }, cors: 'yes' }, /option cors must be a boolean/],
    [{ graph: model, components: { m: new Probe('m') }, onApiCall: 'log' }, /option onApiCall must be a function/],
    [{ graph: model }, /MODEL calls \/predict, \/send-feedback, but it has no in-process component and no endpoint/]
  ]
  for (const [options, message] of attempts) {
    const app = Fastify({ logger: false })
    await t.rejects(async () => { await app.register(seldonGraph, options as never); await app.ready() }, message)
    await app.close().catch(() => {})
  }
  const engine = new GraphEngine({ name: 'r', type: 'ROUTER', children: [model, { name: 'n', type: 'MODEL', endpoint: { httpPort: 1 } }] }, {
    components: { r: new Probe('r', [], { route: () => 0 }), m: new Probe('m') }
  })
  const app = await graphApp(t, { engine })
  t.equal((await predict(app, '{"strData":"x"}')).statusCode, 200)
  await app.close()
  t.equal(await engine.predict({ strData: 'y' }).then(out => (out as { strData: string }).strData), 'y>m.p', 'the engine still works after the app closed')
  await engine.close()
  await engine.close()
})
