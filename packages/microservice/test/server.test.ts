/**
 * The composition in-process (inject): load protection, request timeout, body limit, the metrics
 * recorder wired into the component's runtime.
 */
import t from 'tap'
import { buildServer } from '../src/server.js'
import { testConfig } from './helpers.js'

const base = testConfig({ bodyLimit: 10 * 1024 * 1024, maxEventLoopDelay: 1000 })

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))
const PREDICT = { method: 'POST' as const, url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1, 2]] } } }

t.test('under pressure: 503 with the Seldon envelope and Retry-After; /health/ping exempt', async t => {
  const app = await buildServer({ predict: (X: unknown) => X }, { ...base, maxHeapUsedBytes: 1 }, { env: {}, pressureSampleInterval: 5 })
  t.teardown(() => app.close())
  await app.ready()
  await sleep(50) // a few samples: the heap is always above 1 byte
  const res = await app.inject(PREDICT)
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '10')
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.body, '{"status":{"code":-1,"info":"Service Unavailable: server under pressure","reason":"MICROSERVICE_OVERLOADED","status":1}}\n')
  const ping = await app.inject({ method: 'GET', url: '/health/ping' })
  t.equal(ping.statusCode, 200, 'liveness still answers')
  t.equal(ping.body, 'pong')
})

t.test('thresholds not reached: served; all thresholds 0: no load protection at all', async t => {
  // (event-loop delay off: with a 5 ms sample interval its histogram can be empty, which
  // under-pressure reads as an infinite delay)
  const app = await buildServer({ predict: (X: unknown) => X }, { ...base, maxEventLoopDelay: 0, maxRssBytes: 2 ** 50 }, { env: {}, pressureSampleInterval: 5 })
  t.teardown(() => app.close())
  await app.ready()
  await sleep(50)
  t.ok(app.hasDecorator('isUnderPressure'), 'under-pressure registered')
  t.equal((await app.inject(PREDICT)).statusCode, 200)
  const off = await buildServer({ predict: (X: unknown) => X }, { ...base, maxEventLoopDelay: 0 }, { env: {} })
  t.teardown(() => off.close())
  await off.ready()
  t.notOk(off.hasDecorator('isUnderPressure'), 'under-pressure not registered')
  t.equal((await off.inject(PREDICT)).statusCode, 200)
})

t.test('--request-timeout: 504 with the Seldon envelope', async t => {
  const slow = { predict: async (X: unknown) => { await sleep(400); return X } }
  const app = await buildServer(slow, { ...base, requestTimeout: 50 }, { env: {} })
  t.teardown(() => app.close())
  const res = await app.inject(PREDICT)
  t.equal(res.statusCode, 504)
  t.equal(res.body, '{"status":{"code":-1,"info":"Request timed out after 50 ms","reason":"MICROSERVICE_TIMEOUT","status":1}}\n')
  const fast = await app.inject({ method: 'GET', url: '/health/ping' })
  t.equal(fast.statusCode, 200, 'a fast request is untouched')
  await sleep(400) // let the slow handler finish before closing
})

t.test('--body-limit: a larger body is refused', async t => {
  const app = await buildServer({ predict: (X: unknown) => X }, { ...base, bodyLimit: 64 }, { env: {} })
  t.teardown(() => app.close())
  const res = await app.inject({ ...PREDICT, payload: { data: { ndarray: [Array.from({ length: 100 }, (_, i) => i)] } } })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { status: { code: -1, status: 1 } })
  t.equal((await app.inject(PREDICT)).statusCode, 200)
})

t.test('custom metrics reach the worker registry; the environment reaches the runtime', async t => {
  const component = {
    predict: (X: unknown) => X,
    metrics: () => [{ type: 'COUNTER', key: 'my_counter', value: 2 }]
  }
  const app = await buildServer(component, base, { env: { PREDICTIVE_UNIT_ID: 'unit-a', SELDON_DEPLOYMENT_ID: 'dep' } })
  t.teardown(() => app.close())
  const res = await app.inject(PREDICT)
  t.equal(res.statusCode, 200)
  t.same(res.json().meta.requestPath, { 'unit-a': 'NOT_IMPLEMENTED:NOT_IMPLEMENTED' })
  const text = await app.seldonMetrics.metrics()
  t.match(text, /my_counter_total\{[^}]*deployment_name="dep"[^}]*model_name="unit-a"[^}]*\} 2/)
})

t.test('gRPC gets the same limits: --request-timeout → DEADLINE_EXCEEDED, under pressure → UNAVAILABLE', async t => {
  const { Client, credentials, status } = await import('@grpc/grpc-js')
  const { encodeSeldonMessage, decodeSeldonMessage } = await import('@fastify-seldon/protocol')
  const unary = async (port: number): Promise<{ code: number, details: string }> => {
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure())
    try {
      return await new Promise(resolve => {
        client.makeUnaryRequest('/seldon.protos.Model/Predict', (m: object) => Buffer.from(encodeSeldonMessage(m)), decodeSeldonMessage,
          { strData: 'x' }, { deadline: Date.now() + 5000 }, (err) => { resolve({ code: err?.code ?? status.OK, details: err?.details ?? '' }) })
      })
    } finally { client.close() }
  }

  const slow = { predict: async (X: unknown) => { await sleep(400); return X } }
  const timed = await buildServer(slow, { ...base, grpcEnabled: true, requestTimeout: 50 }, { env: {} })
  t.teardown(() => timed.close())
  await timed.ready()
  const cut = await unary(timed.seldonGrpc.port as number)
  t.equal(cut.code, status.DEADLINE_EXCEEDED)
  t.equal(cut.details, 'Request timed out after 50 ms')

  const pressed = await buildServer({ predict: (X: unknown) => X }, { ...base, grpcEnabled: true, maxHeapUsedBytes: 1 }, { env: {}, pressureSampleInterval: 5 })
  t.teardown(() => pressed.close())
  await pressed.ready()
  await sleep(50)
  const shed = await unary(pressed.seldonGrpc.port as number)
  t.equal(shed.code, status.UNAVAILABLE)
  await sleep(400)
})
