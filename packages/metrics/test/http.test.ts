import t, { type Test } from 'tap'
import { fastify } from 'fastify'
import { request } from 'node:http'
import {
  createSeldonMetrics, seldonMetrics, startMetricsServer, metricsServerConfigFromEnv, PROMETHEUS_CONTENT_TYPE,
  DEFAULT_METRICS_PORT, DEFAULT_METRICS_ENDPOINT, type MetricsSource
} from '../src/index.js'
import { captureLogger, find, parseSamples, value, withTimeout } from './fixtures/helper.js'

interface Got { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** A real HTTP request (GET unless told), bounded. */
async function exchange (port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return await withTimeout(new Promise<Got>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end()
  }), 5000, `${method} ${path}`)
}

async function buildApp (t: Test, opts: Parameters<typeof seldonMetrics>[1] = {}) {
  const app = fastify()
  t.teardown(async () => { await app.close() })
  await app.register(seldonMetrics, { logger: captureLogger(), ...opts })
  app.post('/api/v1.0/predictions', async () => ({ ok: true }))
  app.get('/boom', async () => { throw new Error('boom') })
  return app
}

t.test('embedded: decorator, /metrics on the same app, custom metrics via the decorated recorder', async t => {
  const app = await buildApp(t, { deployment: { deploymentName: 'dep' } })
  await app.ready()
  t.ok(app.hasDecorator('seldonMetrics'))
  app.seldonMetrics.recorder.record([{ key: 'calls', value: 2 }], 'predict')
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], PROMETHEUS_CONTENT_TYPE)
  t.equal(value(parseSamples(res.body), 'calls_total', { deployment_name: 'dep', method: 'predict' }), 2)
})

t.test('REST route histograms after requests (method, route template, status code)', async t => {
  const app = await buildApp(t)
  app.get('/items/:id', async () => 'x')
  for (let i = 0; i < 3; i++) {
    const r = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: {} } })
    t.equal(r.statusCode, 200)
  }
  t.equal((await app.inject({ method: 'GET', url: '/boom' })).statusCode, 500)
  await app.inject({ method: 'GET', url: '/items/1' })
  await app.inject({ method: 'GET', url: '/items/2' })
  await app.inject({ method: 'GET', url: '/nowhere' })
  await app.inject({ method: 'HEAD', url: '/items/1' })
  await app.inject({ method: 'GET', url: '/metrics' })
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  const s = parseSamples(text)
  t.match(text, /^# TYPE http_request_duration_seconds histogram$/m)
  t.equal(value(s, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/v1.0/predictions', status_code: '200' }), 3)
  t.equal(value(s, 'http_request_duration_seconds_count', { method: 'GET', route: '/boom', status_code: '500' }), 1, 'errors are counted by status code')
  t.equal(value(s, 'http_request_duration_seconds_count', { route: '/items/:id' }), 2, 'one series per route template, not per URL')
  t.equal(value(s, 'http_request_duration_seconds_count', { route: '__unknown__', status_code: '404' }), 1)
  t.equal(find(s, 'http_request_duration_seconds_count', { route: '/metrics' }).length, 0, 'the scrape endpoint is not measured')
  t.equal(find(s, 'http_request_duration_seconds_count', { method: 'HEAD' }).length, 0)
  t.same(find(s, 'http_request_duration_seconds_bucket', { route: '/boom' }).map(b => b.labels.le),
    ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf'])
  t.notMatch(text, /http_request_summary_seconds/, 'no summary: summaries cannot be summed across workers')
  t.notMatch(text, /process_cpu/, 'no default metrics unless asked')
})

t.test('routes registered before the plugin are measured too', async t => {
  const app = fastify()
  t.teardown(async () => { await app.close() })
  app.get('/early', async () => 'x')
  await app.register(seldonMetrics, { logger: captureLogger() })
  await app.inject({ method: 'GET', url: '/early' })
  const s = parseSamples((await app.inject({ method: 'GET', url: '/metrics' })).body)
  t.equal(value(s, 'http_request_duration_seconds_count', { route: '/early' }), 1)
})

t.test('endpoint path option, endpoint false, routeMetrics false, a given metrics object', async t => {
  const shared = createSeldonMetrics({ logger: captureLogger() })
  const a = await buildApp(t, { metrics: shared, endpoint: '/prometheus' })
  const b = await buildApp(t, { metrics: shared, endpoint: false }) // a second app on one metrics object: no clash
  const c = await buildApp(t, { endpoint: false, routeMetrics: false })
  t.equal(a.seldonMetrics, shared)
  t.equal(b.seldonMetrics, shared)
  await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: {} })
  await b.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: {} })
  await c.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: {} })
  t.equal((await a.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
  const s = parseSamples((await a.inject({ method: 'GET', url: '/prometheus' })).body)
  t.equal(value(s, 'http_request_duration_seconds_count', { route: '/api/v1.0/predictions' }), 2, 'both apps report into the shared registry')
  t.equal((await b.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
  t.equal((await c.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
  t.equal(await c.seldonMetrics.metrics(), '', 'routeMetrics false: nothing measured')
  t.not(c.seldonMetrics, shared)
})

t.test('two apps in one process, each with its own metrics: no clash, no cross-talk', async t => {
  const a = await buildApp(t)
  const b = await buildApp(t)
  await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: {} })
  a.seldonMetrics.recorder.record([{ key: 'only_a', value: 1 }], 'predict')
  const sa = parseSamples((await a.inject({ method: 'GET', url: '/metrics' })).body)
  const sb = parseSamples((await b.inject({ method: 'GET', url: '/metrics' })).body)
  t.equal(value(sa, 'http_request_duration_seconds_count'), 1)
  t.equal(find(sb, 'http_request_duration_seconds_count').length, 0)
  t.equal(find(sb, 'only_a_total').length, 0)
})

t.test('the plugin logs dropped metrics through fastify.log by default', async t => {
  const lines: string[] = []
  const app = fastify({ logger: { level: 'warn', stream: { write: (l: string) => { lines.push(l) } } } })
  t.teardown(async () => { await app.close() })
  await app.register(seldonMetrics)
  app.seldonMetrics.recorder.record([{ key: 'x', type: 'COUNTER', value: -1 }], 'predict')
  t.equal(lines.length, 1)
  t.match(JSON.parse(lines[0] as string), { level: 40, metric: 'x', reason: 'negative_value' })
})

t.test('separate metrics server: real listen on port 0, content type, 404 elsewhere, CORS', async t => {
  const metrics = createSeldonMetrics()
  metrics.recorder.record([{ key: 'served', value: 1 }], 'predict')
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics })
  t.teardown(server.close)
  t.ok(server.port > 0)
  const res = await exchange(server.port, '/metrics')
  t.equal(res.status, 200)
  t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.equal(res.headers.vary, undefined, 'flask-cors: no Vary when it answers *')
  t.equal(value(parseSamples(res.body), 'served_total'), 1)
  const fromPage = await exchange(server.port, '/metrics', { origin: 'http://dash.test' })
  t.equal(fromPage.headers['access-control-allow-origin'], 'http://dash.test', 'flask-cors: the Origin echoed')
  t.equal(fromPage.headers.vary, 'Origin')
  t.equal((await exchange(server.port, '/other')).status, 404)
  t.equal((await exchange(server.port, '/')).status, 404)

  const custom = await startMetricsServer({ port: 0, host: '127.0.0.1', endpoint: '/prometheus', metrics })
  t.teardown(custom.close)
  t.equal((await exchange(custom.port, '/prometheus')).status, 200)
  t.equal((await exchange(custom.port, '/metrics')).status, 404)
})

t.test('metrics server: the scrape path\'s other methods get 405 with Allow, preflights are answered as flask-cors answers them', async t => {
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: createSeldonMetrics() })
  t.teardown(server.close)
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'TRACE']) {
    const res = await exchange(server.port, '/metrics?x=1', {}, method)
    t.equal(res.status, 405, method)
    t.equal(res.headers.allow, 'GET, HEAD, OPTIONS')
    t.same(JSON.parse(res.body), { message: `Method ${method} not allowed on /metrics`, error: 'Method Not Allowed', statusCode: 405 })
    t.equal(res.headers['access-control-allow-origin'], '*', 'a 405 carries the CORS headers of an answer')
  }
  const elsewhere = await exchange(server.port, '/other', { origin: 'http://dash.test' }, 'POST')
  t.equal(elsewhere.status, 404, 'another path stays a 404 whatever the method')
  t.equal(elsewhere.headers['access-control-allow-origin'], 'http://dash.test', 'a 404 carries the CORS headers too')

  // The wrapper's recorded preflight (OPTIONS /predict) on its REST port, here on the metrics port.
  const preflight = await exchange(server.port, '/metrics', { origin: 'http://dash.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-token' }, 'OPTIONS')
  t.equal(preflight.status, 200)
  t.equal(preflight.headers['access-control-allow-origin'], 'http://dash.test')
  t.equal(preflight.headers['access-control-allow-methods'], 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT')
  t.equal(preflight.headers['access-control-allow-headers'], 'x-token')
  t.equal(preflight.headers.vary, 'Origin, Access-Control-Request-Headers')
  t.equal(preflight.body, '')
  const scrape = await exchange(server.port, '/metrics', { origin: 'http://dash.test' })
  t.equal(scrape.status, 200, 'the scrape is unchanged beside the preflight route')
  t.equal(scrape.headers.vary, 'Origin', 'a simple request keeps flask-cors\'s Vary, not @fastify/cors\'s')
})

t.test('metrics server: a failing source gives 500 text; option errors', async t => {
  const failing: MetricsSource = { contentType: PROMETHEUS_CONTENT_TYPE, metrics: async () => { throw new Error('worker timed out') } }
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', aggregator: failing })
  t.teardown(server.close)
  const res = await exchange(server.port, '/metrics')
  t.equal(res.status, 500)
  t.match(res.body, /metrics unavailable: worker timed out/)
  // eslint-disable-next-line no-throw-literal -- a source that throws a non-Error must be survived too
  const odd: MetricsSource = { contentType: PROMETHEUS_CONTENT_TYPE, metrics: async () => { throw 'plain' as unknown as Error } }
  const server2 = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: odd, logger: false })
  t.teardown(server2.close)
  t.match((await exchange(server2.port, '/metrics')).body, /metrics unavailable: plain/)

  const m = createSeldonMetrics()
  await t.rejects(startMetricsServer({ port: 0 }), TypeError)
  await t.rejects(startMetricsServer({ port: 0, metrics: m, aggregator: m }), TypeError)
  await t.rejects(startMetricsServer({ port: 0, metrics: m, endpoint: 'metrics' }), TypeError)
  // a port in use: the listen error surfaces and the half-built app is closed
  await t.rejects(startMetricsServer({ port: server.port, host: '127.0.0.1', metrics: m }), { code: 'EADDRINUSE' })
})

t.test('metrics server config from the environment', async t => {
  t.same(metricsServerConfigFromEnv({}), { port: DEFAULT_METRICS_PORT, endpoint: DEFAULT_METRICS_ENDPOINT })
  t.same(metricsServerConfigFromEnv({}), { port: 6000, endpoint: '/metrics' })
  t.same(metricsServerConfigFromEnv({ PREDICTIVE_UNIT_METRICS_SERVICE_PORT: '6001', PREDICTIVE_UNIT_METRICS_ENDPOINT: '/prometheus' }), { port: 6001, endpoint: '/prometheus' })
  t.same(metricsServerConfigFromEnv({ PREDICTIVE_UNIT_METRICS_SERVICE_PORT: '', PREDICTIVE_UNIT_METRICS_ENDPOINT: '' }), { port: 6000, endpoint: '/metrics' })
  t.throws(() => metricsServerConfigFromEnv({ PREDICTIVE_UNIT_METRICS_SERVICE_PORT: 'abc' }), TypeError)
  t.throws(() => metricsServerConfigFromEnv({ PREDICTIVE_UNIT_METRICS_SERVICE_PORT: '70000' }), TypeError)
})
