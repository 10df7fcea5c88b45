/**
 * Every RPC of every service, through a real grpc-js client, against the wrapper's model classes
 * (ported in helpers.ts); the gRPC answers agree with what the same runtime gives REST.
 */
import t from 'tap'
import * as grpc from '@grpc/grpc-js'
import { SeldonRuntime } from '@fastify-seldon/core'
import type { SeldonMessage } from '@fastify-seldon/protocol'
import { SELDON_RPCS, SELDON_SERVICE_NAMES, methodPath, seldonServices } from '../src/index.js'
import {
  AverageCombiner, FeedbackModel, IdentityModel, RichModel, RouterModel, ScaleTransformer, call, plain, serve
} from './fixtures/helpers.js'

const ndarray = (rows: number[][], names?: string[]): SeldonMessage => ({ data: { ...(names ? { names } : {}), ndarray: rows } })
const tensor = (shape: number[], values: number[]): SeldonMessage => ({ data: { tensor: { shape, values } } })

t.test('the service table is the wrapper\'s', async t => {
  t.same([...SELDON_SERVICE_NAMES], ['Generic', 'Model', 'Router', 'Transformer', 'OutputTransformer', 'Combiner', 'Seldon'])
  const table = Object.fromEntries(SELDON_SERVICE_NAMES.map(s => [s, Object.keys(seldonServices[s])]))
  t.same(table, {
    Generic: ['TransformInput', 'TransformOutput', 'Route', 'Aggregate', 'SendFeedback'],
    Model: ['Predict', 'SendFeedback', 'Metadata'],
    Router: ['Route', 'SendFeedback'],
    Transformer: ['TransformInput'],
    OutputTransformer: ['TransformOutput'],
    Combiner: ['Aggregate'],
    Seldon: ['Predict', 'SendFeedback', 'ModelMetadata', 'GraphMetadata']
  })
  t.equal(seldonServices.Model.Predict?.path, '/seldon.protos.Model/Predict')
  t.equal(methodPath('Combiner', 'Aggregate'), '/seldon.protos.Combiner/Aggregate')
  t.equal(SELDON_RPCS.length, 17)
})

t.test('a generic client built from the definitions works', async t => {
  const server = await serve(new IdentityModel())
  t.teardown(server.close)
  const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')
  const client = new Model(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>
  t.teardown(() => client.close())
  const answer = await new Promise<SeldonMessage>((resolve, reject) => {
    (client.Predict as Function)(tensor([1, 2], [1, 2]), (err: Error | null, res: SeldonMessage) => err ? reject(err) : resolve(res))
  })
  t.same(plain(answer), { meta: {}, data: { tensor: { shape: [1, 2], values: [1, 2] }, names: ['t:0', 't:1'] } })
})

t.test('Model: Predict, SendFeedback, Metadata (rich model)', async t => {
  const server = await serve(new RichModel({ multiplier: 3 }))
  t.teardown(server.close)
  const predicted = await call(server.client, 'Model', 'Predict', tensor([1, 4], [1, 2, 3, 4]))
  t.equal(predicted.error, undefined)
  t.same(plain(predicted.message.data), { names: ['a', 'b', 'c', 'd'], tensor: { shape: [1, 4], values: [3, 6, 9, 12] } })
  t.same(plain(predicted.message.meta.tags), { model: 'rich', version: 'v1' })
  t.same(predicted.message.meta.metrics.map((m: { key: string }) => m.key), ['rich_calls_total', 'rich_multiplier', 'rich_fake_timer', 'rich_tagged'])
  t.ok(predicted.message.data.tensor.values instanceof Float64Array, 'tensor values decode as a Float64Array')

  const feedback = await call(server.client, 'Model', 'SendFeedback', { request: ndarray([[1]]), reward: 1 })
  t.equal(feedback.error, undefined)
  t.same(plain(feedback.message.data), { ndarray: [] })

  const metadata = await call(server.client, 'Model', 'Metadata', {})
  t.equal(metadata.error, undefined)
  t.equal(metadata.message.name, 'rich-model')
  t.same(metadata.message.versions, ['v1'])
  t.same(plain(metadata.message.custom), { author: 'ref' })

  const seldonMetadata = await call(server.client, 'Seldon', 'ModelMetadata', { name: 'ignored' })
  t.same(plain(seldonMetadata.message), plain(metadata.message), 'Seldon/ModelMetadata ignores the name')
})

t.test('Seldon: Predict, SendFeedback, ModelMetadata, GraphMetadata', async t => {
  const model = new FeedbackModel()
  const server = await serve(model)
  t.teardown(server.close)
  const fb = await call(server.client, 'Seldon', 'SendFeedback', { request: ndarray([[1]]), truth: ndarray([[7]]), reward: 2 })
  t.same(plain(fb.message.data), { names: ['t:0'], ndarray: [[7]] })
  t.equal(model.total_reward, 2)
  const predicted = await call(server.client, 'Seldon', 'Predict', ndarray([[0]]))
  t.same(plain(predicted.message.data), { names: ['t:0', 't:1'], ndarray: [[2, 1]] })
  const md = await call(server.client, 'Seldon', 'ModelMetadata', {})
  t.same(md.message.versions, [''], 'default metadata')
  const graph = await call(server.client, 'Seldon', 'GraphMetadata', {})
  t.equal(graph.error?.code, grpc.status.UNIMPLEMENTED)
  t.equal(graph.error?.details, 'GraphMetadata not available on the Model level.')
})

t.test('invalid metadata answers INTERNAL as REST answers 500 (the wrapper: an empty message; C-31)', async t => {
  const server = await serve({ predict: (x: unknown) => x, initMetadata: () => ({ name: 42 }) })
  t.teardown(server.close)
  t.equal(server.runtime.metadataOrNull(), null)
  const md = await call(server.client, 'Model', 'Metadata', {})
  t.equal(md.error?.code, grpc.status.INTERNAL)
  t.equal(md.error?.details, 'Model metadata unavailable')
})

t.test('Router and Generic: Route, SendFeedback with routing', async t => {
  const model = new RouterModel()
  const server = await serve(model, {}, { unitId: 'router' })
  t.teardown(server.close)
  for (const service of ['Router', 'Generic']) {
    const low = await call(server.client, service, 'Route', tensor([1, 1], [0.2]))
    t.same(plain(low.message.data), { names: ['t:0'], tensor: { shape: [1, 1], values: [0] } }, `${service}/Route → 0`)
    const high = await call(server.client, service, 'Route', ndarray([[0.9]]))
    t.same(plain(high.message.data), { names: ['t:0'], ndarray: [[1]] }, `${service}/Route → 1`)
    const fb = await call(server.client, service, 'SendFeedback', { request: ndarray([[0.9]]), response: { meta: { routing: { router: 1 } } }, reward: 0.5 })
    t.equal(fb.error, undefined)
  }
  t.same([...model.rewards], [[1, 1]], 'routing taken from response.meta.routing[unitId]')
})

t.test('Transformer, OutputTransformer and Generic transforms', async t => {
  const server = await serve(new ScaleTransformer())
  t.teardown(server.close)
  const input = ndarray([[1, 2]])
  for (const [service, rpc, expected] of [
    ['Transformer', 'TransformInput', [[2, 3]]],
    ['Generic', 'TransformInput', [[2, 3]]],
    ['OutputTransformer', 'TransformOutput', [[10, 20]]],
    ['Generic', 'TransformOutput', [[10, 20]]]
  ] as const) {
    const r = await call(server.client, service, rpc, input)
    t.same(plain(r.message.data), { names: ['t:0', 't:1'], ndarray: expected }, `${service}/${rpc}`)
  }
})

t.test('Combiner and Generic: Aggregate', async t => {
  const server = await serve(new AverageCombiner())
  t.teardown(server.close)
  const list = { seldonMessages: [tensor([1, 2], [1, 2]), tensor([1, 2], [3, 6])] }
  for (const service of ['Combiner', 'Generic']) {
    const r = await call(server.client, service, 'Aggregate', list)
    t.same(plain(r.message.data), { names: ['t:0', 't:1'], tensor: { shape: [1, 2], values: [2, 4] } }, service)
  }
  const empty = await call(server.client, 'Combiner', 'Aggregate', { seldonMessages: [] })
  t.equal(empty.error?.code, grpc.status.INVALID_ARGUMENT, 'an empty list is the client\'s mistake')
})

t.test('every RPC answers on an identity model (no route/aggregate: INVALID_ARGUMENT)', async t => {
  const server = await serve(new IdentityModel())
  t.teardown(server.close)
  const requests: Record<string, unknown> = {
    SeldonMessage: ndarray([[1, 2]]),
    SeldonMessageList: { seldonMessages: [ndarray([[1, 2]])] },
    Feedback: { request: ndarray([[1]]), reward: 1 },
    Empty: {},
    SeldonModelMetadataRequest: { name: 'x' }
  }
  for (const spec of SELDON_RPCS) {
    const r = await call(server.client, spec.service, spec.rpc, requests[spec.request])
    if (spec.endpoint === 'route') {
      t.equal(r.error?.code, grpc.status.INVALID_ARGUMENT, `${spec.service}/${spec.rpc}`)
      t.equal(r.error?.details, 'Route not defined')
    } else if (spec.endpoint === 'aggregate') {
      t.equal(r.error?.code, grpc.status.INVALID_ARGUMENT, `${spec.service}/${spec.rpc}`)
      t.equal(r.error?.details, 'Aggregate not defined')
    } else if (spec.endpoint === 'graphMetadata') {
      t.equal(r.error?.code, grpc.status.UNIMPLEMENTED)
    } else {
      t.equal(r.error, undefined, `${spec.service}/${spec.rpc} OK`)
    }
  }
})

t.test('payload kinds round-trip: strData, binData, jsonData, customData, tftensor', async t => {
  const server = await serve(new IdentityModel())
  t.teardown(server.close)
  const str = await call(server.client, 'Model', 'Predict', { strData: 'héllo' })
  t.equal(str.message.strData, 'héllo')
  const bin = await call(server.client, 'Model', 'Predict', { binData: Buffer.from([0, 1, 254, 255]) })
  t.same([...bin.message.binData], [0, 1, 254, 255])
  const json = await call(server.client, 'Model', 'Predict', { jsonData: { a: [1, 'x', true, null], b: { c: 1.5 } } })
  t.same(plain(json.message.jsonData), { a: [1, 'x', true, null], b: { c: 1.5 } })
  const custom = await call(server.client, 'Model', 'Predict', { customData: { typeUrl: 'type.googleapis.com/x.Y', value: Buffer.from('abc') } })
  t.equal(custom.error, undefined, 'customData is accepted over gRPC')
  const tf = await call(server.client, 'Model', 'Predict', {
    data: { tftensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: 2 }] }, floatVal: [1.5, 2.5] } }
  })
  t.equal(tf.error, undefined)
  t.ok(tf.message.data.tftensor, 'a tftensor request gets a tftensor answer')
})

t.test('REST and gRPC agree for the same input and component', async t => {
  const cases: Array<[string, () => object, SeldonMessage]> = [
    ['identity ndarray', () => new IdentityModel(), ndarray([[1.5, 2, 3]], ['a', 'b', 'c'])],
    ['identity tensor', () => new IdentityModel(), tensor([2, 2], [1, 2, 3, 4.5])],
    ['rich ndarray', () => new RichModel({ multiplier: 3 }), { meta: { puid: 'p1', tags: { t: 'x' } }, ...ndarray([[1, 2, 3, 4]]) }],
    ['rich tensor', () => new RichModel({ multiplier: 2 }), tensor([1, 4], [1, 2, 3, 4])],
    ['transformer', () => new ScaleTransformer(), ndarray([[1, 2]])],
    ['strData', () => new IdentityModel(), { strData: 'text' }]
  ]
  for (const [name, make, message] of cases) {
    const component = make()
    const server = await serve(component)
    const rest = new SeldonRuntime(make())
    await rest.load()
    const viaRest = (await rest.predict(structuredClone(message), 'rest')).message as SeldonMessage
    const viaGrpc = (await call(server.client, 'Model', 'Predict', message)).message as SeldonMessage
    await server.close()
    const restData = plain(viaRest.data) as Record<string, unknown> | undefined
    const grpcData = plain(viaGrpc.data) as Record<string, unknown> | undefined
    if (restData !== undefined) {
      t.same(grpcData?.names ?? [], restData.names ?? [], `${name}: names`)
      const values = (d: Record<string, unknown> | undefined): unknown =>
        d?.tensor !== undefined ? (d.tensor as { values: unknown }).values : d?.ndarray
      t.same(values(grpcData), values(restData), `${name}: data values`)
    } else {
      t.equal(viaGrpc.strData, viaRest.strData, `${name}: payload`)
    }
    t.same(Object.keys(viaGrpc.meta ?? {}).sort(), Object.keys(viaRest.meta ?? {}).sort(), `${name}: meta keys`)
    t.same(plain(viaGrpc.meta?.tags), plain(viaRest.meta?.tags), `${name}: tags`)
    t.equal(viaGrpc.meta?.puid, viaRest.meta?.puid, `${name}: puid`)
  }
})
