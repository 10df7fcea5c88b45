/**
 * REST and gRPC on one app for one component (`seldonComponent` + `seldonGrpc`): one shared
 * runtime (load() once, one state), and the same data, names and meta for the same input, except
 * where the wrapper itself differs by transport (REST keeps JSON ints; gRPC numbers are doubles).
 */
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import type { SeldonMessage } from '@fastify-seldon/protocol'
import { seldonGrpc } from '../src/index.js'
import {
  AverageCombiner, FeedbackModel, IdentityModel, RichModel, RouterModel, ScaleTransformer, call, newClient, plain
} from './fixtures/helpers.js'

async function both (component: object) {
  const app = Fastify({ logger: false })
  await app.register(seldonComponent, { component } as never)
  await app.register(seldonGrpc, { component, host: '127.0.0.1', port: 0 })
  await app.ready()
  const client = newClient(app.seldonGrpc.port as number)
  return {
    app,
    rest: async (url: string, body: unknown): Promise<any> => {
      const res = await app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
      return { status: res.statusCode, body: res.json() }
    },
    grpc: async (service: string, rpc: string, message: unknown): Promise<any> => await call(client, service, rpc, message),
    close: async () => { client.close(); await app.close() }
  }
}

/** data values whichever the payload kind. */
function values (data: any): unknown {
  if (data === undefined) return undefined
  return data.tensor !== undefined ? { shape: data.tensor.shape, values: data.tensor.values } : data.ndarray
}

function same (t: Test, viaRest: SeldonMessage, viaGrpc: SeldonMessage, what: string): void {
  const r = plain(viaRest) as any
  const g = plain(viaGrpc) as any
  t.same(g.data?.names ?? [], r.data?.names ?? [], `${what}: names`)
  t.same(values(g.data), values(r.data), `${what}: data`)
  t.equal(g.strData, r.strData, `${what}: strData`)
  t.same(g.jsonData, r.jsonData, `${what}: jsonData`)
  t.same(Object.keys(g.meta ?? {}).sort(), Object.keys(r.meta ?? {}).sort(), `${what}: meta keys`)
  t.same(g.meta?.tags, r.meta?.tags, `${what}: tags`)
  t.equal(g.meta?.puid, r.meta?.puid, `${what}: puid`)
  t.same((g.meta?.metrics ?? []).map((m: any) => [m.key, m.value]), (r.meta?.metrics ?? []).map((m: any) => [m.key, m.value]), `${what}: metrics`)
}

t.test('one runtime, one load()', async t => {
  let loads = 0
  const component = { predict: (x: unknown) => x, load: () => { loads++ } }
  const s = await both(component)
  t.equal(loads, 1)
  await s.close()
})

t.test('predict: identity, rich (class names, tags, metrics, puid)', async t => {
  for (const [name, component] of [['identity', new IdentityModel()], ['rich', new RichModel({ multiplier: 3 })]] as const) {
    const s = await both(component)
    const inputs: SeldonMessage[] = [
      { data: { ndarray: [[1.5, 2.5, 3.5, 4.5]] } },
      { data: { names: ['a', 'b'], tensor: { shape: [2, 2], values: [1.5, 2, 3, 4.5] } } },
      { meta: { puid: 'abc', tags: { t: 'x' } }, data: { ndarray: [[0.5, 1.5, 2.5, 3.5]] } }
    ]
    for (const [i, input] of inputs.entries()) {
      const rest = await s.rest('/predict', input)
      const grpc = await s.grpc('Model', 'Predict', input)
      t.equal(rest.status, 200)
      t.equal(grpc.error, undefined)
      same(t, rest.body, grpc.message, `${name} #${i}`)
    }
    await s.close()
  }
})

t.test('state is shared: feedback over REST shows in gRPC predict', async t => {
  const s = await both(new FeedbackModel())
  const fb = await s.rest('/send-feedback', { request: { data: { ndarray: [[1.0]] } }, reward: 2.5 })
  t.equal(fb.status, 200)
  const grpc = await s.grpc('Model', 'Predict', { data: { ndarray: [[1.0]] } })
  t.same(plain(grpc.message.data.ndarray), [[2.5, 1]])
  const grpcFb = await s.grpc('Model', 'SendFeedback', { request: { data: { ndarray: [[1.0]] } }, truth: { data: { ndarray: [[3.0]] } }, reward: 0.5 })
  const restFb = await s.rest('/send-feedback', { request: { data: { ndarray: [[1.0]] } }, truth: { data: { ndarray: [[3.0]] } }, reward: 0.5 })
  t.same(plain(grpcFb.message.meta.metrics), [{ key: 'feedback_total_reward', type: 'GAUGE', value: 3 }], 'gRPC feedback saw 2.5 + 0.5')
  t.same(restFb.body.meta.metrics, [{ key: 'feedback_total_reward', type: 'GAUGE', value: 3.5 }], 'then REST feedback saw 3 + 0.5')
  delete grpcFb.message.meta.metrics
  delete restFb.body.meta.metrics
  same(t, restFb.body, grpcFb.message, 'feedback (proto rendering on both transports)')
  await s.close()
})

t.test('route, transform-input, transform-output, aggregate', async t => {
  const router = await both(new RouterModel())
  same(t, (await router.rest('/route', { data: { ndarray: [[0.9]] } })).body, (await router.grpc('Router', 'Route', { data: { ndarray: [[0.9]] } })).message, 'route')
  await router.close()

  const transformer = await both(new ScaleTransformer())
  const input = { data: { ndarray: [[1.5, 2.5]] } }
  same(t, (await transformer.rest('/transform-input', input)).body, (await transformer.grpc('Transformer', 'TransformInput', input)).message, 'transform-input')
  same(t, (await transformer.rest('/transform-output', input)).body, (await transformer.grpc('OutputTransformer', 'TransformOutput', input)).message, 'transform-output')
  await transformer.close()

  const combiner = await both(new AverageCombiner())
  const list = [{ data: { tensor: { shape: [1, 2], values: [1.5, 2] } } }, { data: { tensor: { shape: [1, 2], values: [3.5, 6] } } }]
  same(t, (await combiner.rest('/aggregate', list)).body, (await combiner.grpc('Combiner', 'Aggregate', { seldonMessages: list })).message, 'aggregate')
  await combiner.close()
})

t.test('the same error on both transports', async t => {
  const s = await both(new IdentityModel())
  const rest = await s.rest('/predict', { data: { tensor: { shape: [2, 2], values: [1, 2, 3] } } })
  const grpc = await s.grpc('Model', 'Predict', { data: { tensor: { shape: [2, 2], values: [1, 2, 3] } } })
  t.equal(rest.status, 400)
  t.equal(grpc.error.details, rest.body.status.info, 'details = REST info')
  t.same(grpc.error.metadata.get('seldon-reason'), [rest.body.status.reason])
  t.same(grpc.error.metadata.get('seldon-http-status'), [String(rest.status)])
  await s.close()
})
