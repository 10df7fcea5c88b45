// Metrics wire themselves: a scope's seldonMetrics is found by the component plugins of that scope
// (REST kind plugins, seldonComponent, seldonFeedback, seldonGrpc's call metrics) in either
// registration order; the explicit `metrics` / `onCall` options still win; a sibling scope's
// metrics are not used.
import * as grpc from '@grpc/grpc-js'
import { seldonComponent } from '@fastify-seldon/component'
import type { MetricsRecorder } from '@fastify-seldon/core'
import type { Metric } from '@fastify-seldon/protocol'
import { seldonFeedback } from '@fastify-seldon/feedback'
import { seldonGrpc, seldonServices } from '@fastify-seldon/grpc'
import { seldonMetrics } from '@fastify-seldon/metrics'
import { seldonModel } from '@fastify-seldon/model'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'

class Counted {
  predict (X: unknown): unknown { return X }
  metrics (): Metric[] { return [{ type: 'COUNTER', key: 'wired_predictions', value: 1 }] }
}

const predictBody = { data: { ndarray: [[1, 2]] } }

async function predict (app: FastifyInstance, url: string): Promise<void> {
  const res = await app.inject({ method: 'POST', url, payload: predictBody })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
}

const scrape = async (app: FastifyInstance, url = '/metrics'): Promise<string> => (await app.inject(url)).body

const COUNTER = /^wired_predictions_total\{[^}]*method="predict"[^}]*\} (\d+)$/m

t.test('seldonModel: metrics registered first', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonMetrics)
  await app.register(seldonModel, { component: new Counted(), prefix: '/m' })
  await predict(app, '/m/predict')
  t.match(await scrape(app), COUNTER)
  t.equal((await scrape(app)).match(COUNTER)?.[1], '1')
})

t.test('seldonModel: metrics registered after the plugin (connected when the app gets ready)', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonModel, { component: new Counted(), prefix: '/m' })
  await app.register(seldonMetrics)
  await predict(app, '/m/predict')
  t.equal((await scrape(app)).match(COUNTER)?.[1], '1')
})

t.test('seldonComponent and seldonFeedback: the feedback counters and custom metrics', async t => {
  for (const metricsFirst of [true, false]) {
    const app = Fastify()
    t.teardown(() => app.close())
    if (metricsFirst) await app.register(seldonMetrics)
    await app.register(seldonComponent, { component: new Counted() })
    const learner = new Counted()
    await app.register(seldonModel, { component: learner, prefix: '/learner' })
    await app.register(seldonFeedback, { component: learner, prefix: '/learner' })
    if (!metricsFirst) await app.register(seldonMetrics)
    await predict(app, '/predict')
    const feedback = await app.inject({ method: 'POST', url: '/learner/send-feedback', payload: { request: predictBody, reward: 2.5 } })
    t.equal(feedback.statusCode, 200)
    const text = await scrape(app)
    t.match(text, COUNTER, `custom metrics (metrics first: ${metricsFirst})`)
    t.match(text, /^seldon_api_model_feedback_reward_total\{[^}]*\} 2\.5$/m, `feedback reward (metrics first: ${metricsFirst})`)
  }
})

t.test('the explicit metrics option wins over the scope', async t => {
  const recorded: string[] = []
  const own: MetricsRecorder = { record: metrics => { recorded.push(...metrics.map(m => m.key)) }, feedback: () => {} }
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonMetrics)
  await app.register(seldonModel, { component: new Counted(), prefix: '/m', metrics: own })
  await predict(app, '/m/predict')
  t.same(recorded, ['wired_predictions'])
  t.notMatch(await scrape(app), COUNTER)
})

t.test("a sibling scope's metrics are not used", async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async scope => { await scope.register(seldonMetrics, { endpoint: '/scoped-metrics' }) })
  await app.register(seldonModel, { component: new Counted(), prefix: '/m' })
  await predict(app, '/m/predict')
  t.notMatch(await scrape(app, '/scoped-metrics'), COUNTER)
})

async function grpcPredict (port: number): Promise<void> {
  const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')
  const client = new Model(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
    Predict: (req: unknown, cb: (err: Error | null) => void) => void, close: () => void
  }
  try {
    await new Promise<void>((resolve, reject) => {
      client.Predict({ data: { tensor: { shape: [1, 2], values: [1, 2] } } }, err => { if (err !== null) reject(err); else resolve() })
    })
  } finally {
    client.close()
  }
}

const HANDLED = /^seldon_grpc_server_handled_total\{(?=[^}]*grpc_code="OK")(?=[^}]*grpc_method="Predict")[^}]*grpc_service="seldon\.protos\.Model"[^}]*\} 1$/m

t.test('seldonGrpc: call metrics and custom metrics from the scope, either order', async t => {
  for (const metricsFirst of [true, false]) {
    const app = Fastify()
    t.teardown(() => app.close())
    if (metricsFirst) await app.register(seldonMetrics)
    await app.register(seldonGrpc, { component: new Counted(), port: 0, host: '127.0.0.1' })
    if (!metricsFirst) await app.register(seldonMetrics)
    await app.ready()
    await grpcPredict(app.seldonGrpc.port ?? 0)
    const text = await scrape(app)
    t.match(text, HANDLED, `seldon_grpc_server_handled_total (metrics first: ${metricsFirst})`)
    t.match(text, /^seldon_grpc_server_handling_seconds_count\{(?=[^}]*grpc_method="Predict")[^}]*grpc_service="seldon\.protos\.Model"[^}]*\} 1$/m)
    t.equal(text.match(COUNTER)?.[1], '1', `custom metrics over gRPC (metrics first: ${metricsFirst})`)
  }
})

t.test('seldonGrpc: an explicit onCall wins over the scope', async t => {
  const calls: string[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonMetrics)
  await app.register(seldonGrpc, { component: new Counted(), port: 0, host: '127.0.0.1', onCall: (service, method, code) => { calls.push(`${service}/${method} ${code}`) } })
  await app.ready()
  await grpcPredict(app.seldonGrpc.port ?? 0)
  t.same(calls, ['seldon.protos.Model/Predict OK'])
  t.notMatch(await scrape(app), /seldon_grpc_server_handled_total\{/)
  t.match(await scrape(app), COUNTER, 'custom metrics still go to the scope')
})
