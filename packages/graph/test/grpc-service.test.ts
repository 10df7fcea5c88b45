/**
 * The graph's gRPC front end (the `Seldon` service on @fastify-seldon/grpc's server): gRPC in →
 * gRPC out, the same protobuf bytes whether the nodes run in-process, behind gRPC or behind REST;
 * the puid header; feedback; model and graph metadata; failures as meaningful statuses.
 */
import t from 'tap'
import * as grpc from '@grpc/grpc-js'
import { createGrpcServer } from '@fastify-seldon/grpc'
import {
  decodeSeldonGraphMetadata, decodeSeldonMessage, decodeSeldonModelMetadata, encodeFeedback, encodeSeldonMessage,
  encodeSeldonModelMetadataRequest, type SeldonMessage
} from '@fastify-seldon/protocol'
import { GraphEngine, graphGrpcBackend, type PredictiveUnit } from '../src/index.js'
import {
  EVERY_KIND_GRAPH as graph, Failing, Scale, Teapot, Threshold, everyKindComponents as components,
  nodeNames, serveGrpc, serveRest, withEndpoints, type TeardownHost
} from './fixtures.js'

interface Reply { error: grpc.ServiceError | null, bytes: Buffer | undefined, headers: grpc.Metadata | undefined }

/** A raw unary call (bytes in, bytes out) to the graph's server. */
class RawClient {
  private readonly client: grpc.Client
  constructor (target: string) { this.client = new grpc.Client(target, grpc.credentials.createInsecure()) }

  async call (rpc: string, request: Uint8Array, metadata = new grpc.Metadata(), service = 'Seldon'): Promise<Reply> {
    return await new Promise(resolve => {
      let headers: grpc.Metadata | undefined
      const call = this.client.makeUnaryRequest(`/seldon.protos.${service}/${rpc}`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(request), metadata,
        { deadline: Date.now() + 10_000 }, (error, bytes) => { resolve({ error, bytes, headers }) })
      call.on('metadata', (m: grpc.Metadata) => { headers = m })
    })
  }

  close (): void { this.client.close() }
}

/** The graph's Seldon service on a free loopback port; the client and engine closed on teardown. */
async function serveGraph (t: TeardownHost, engine: GraphEngine): Promise<RawClient> {
  const server = createGrpcServer(graphGrpcBackend(engine), { port: 0, host: '127.0.0.1', reflection: false })
  const port = await server.start()
  const client = new RawClient(`127.0.0.1:${port}`)
  t.teardown(async () => { client.close(); await server.shutdown(1000); await engine.close() })
  return client
}

async function serveAll (t: TeardownHost, serve: typeof serveRest): Promise<Record<string, number>> {
  const parts = components()
  const ports: Record<string, number> = {}
  for (const name of nodeNames(graph)) ports[name] = await serve(t, parts[name] as object, name)
  return ports
}

const REQUESTS: SeldonMessage[] = [
  { data: { names: ['f1', 'f2'], ndarray: [[0.1, 2]] } },
  { data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4.5] } }, meta: { puid: 'client-puid', tags: { client: 1 } } },
  { data: { ndarray: [[3, 1]] } }
]

t.test('gRPC in → gRPC out: the same bytes in-process, every node over gRPC, every node over REST', async t => {
  const local = await serveGraph(t, new GraphEngine(graph, { components: components() }))
  const overGrpc = await serveGraph(t, new GraphEngine(withEndpoints(graph, await serveAll(t, serveGrpc), 'GRPC')))
  const overRest = await serveGraph(t, new GraphEngine(withEndpoints(graph, await serveAll(t, serveRest), 'REST')))
  for (const message of REQUESTS) {
    const request = encodeSeldonMessage(message)
    const [a, b, c] = [await local.call('Predict', request), await overGrpc.call('Predict', request), await overRest.call('Predict', request)]
    t.equal(a.error, null, 'in-process answers')
    t.equal(b.error, null)
    t.equal(c.error, null)
    t.same(b.bytes, a.bytes, `gRPC nodes: same bytes for ${JSON.stringify(message)}`)
    t.same(c.bytes, a.bytes, `REST nodes: same bytes for ${JSON.stringify(message)}`)
  }
  const answer = decodeSeldonMessage((await local.call('Predict', encodeSeldonMessage(REQUESTS[1] as SeldonMessage))).bytes as Buffer)
  t.same(answer.meta?.routing, { a: -1, c: -1, d: -1, o: -1, r: 1, t: -1 }, 'meta.routing injected')
  t.equal(answer.meta?.puid, 'client-puid')
  t.same(Object.keys(answer.meta?.requestPath ?? {}), ['a', 'c', 'd', 'o', 't'], 'every node that ran (but the router) is in requestPath, in key order')
  t.ok(answer.data?.tensor !== undefined, 'a tensor in, a tensor out')
})

t.test('seldon-puid: read from the call, else made; sent back as a header; forwarded', async t => {
  const engine = new GraphEngine({ name: 'm', type: 'MODEL' }, { components: { m: new Scale(2, 'm') } })
  const client = await serveGraph(t, engine)
  const given = new grpc.Metadata()
  given.set('seldon-puid', 'my-puid')
  const echoed = await client.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }), given)
  t.equal(echoed.headers?.get('seldon-puid')[0], 'my-puid')
  const made = await client.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.match(String(made.headers?.get('seldon-puid')[0]), /^[0-9a-f-]{36}$/, 'a new UUID when the caller sent none')
})

t.test('SendFeedback: routed by meta.routing; a root without feedback answers an empty message (E-21)', async t => {
  const parts = components()
  const client = await serveGraph(t, new GraphEngine(graph, { components: parts }))
  const request = REQUESTS[2] as SeldonMessage
  const response = decodeSeldonMessage((await client.call('Predict', encodeSeldonMessage(request))).bytes as Buffer)
  t.equal(response.meta?.routing?.r, 1)
  const reply = await client.call('SendFeedback', encodeFeedback({ request, response, reward: 1 }))
  t.equal(reply.error, null)
  t.same(decodeSeldonMessage(reply.bytes as Buffer), {}, 'the root (an output transformer) sends no feedback: empty SeldonMessage')
  t.same((parts.r as Threshold).rewards, { 1: 1 }, 'the router heard the reward on the branch it took')
  t.ok(reply.headers?.get('seldon-puid')[0] !== undefined, 'feedback answers carry the puid too')

  const model = await serveGraph(t, new GraphEngine({ name: 'r', type: 'ROUTER', children: [{ name: 'x', type: 'MODEL' }] },
    { components: { r: new Threshold(), x: new Scale(1, 'x') } }))
  const routed = await model.call('SendFeedback', encodeFeedback({ request, response: { meta: { routing: { r: 0 } } }, reward: 2 }))
  t.equal(routed.error, null, 'a root router answers its own send-feedback')
  const bad = await model.call('SendFeedback', encodeFeedback({ request, response: { meta: { routing: { r: 5 } } }, reward: 2 }))
  t.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT, 'a routing that is no route of the node: INVALID_ARGUMENT (REST 400)')
  t.equal(bad.error?.metadata.get('seldon-http-status')[0], '400')
})

t.test('ModelMetadata and GraphMetadata', async t => {
  class Described extends Scale {
    initMetadata (): Record<string, unknown> {
      return { name: this.tag, versions: ['v1'], platform: 'node', inputs: [{ messagetype: 'tensor', schema: { shape: [2] } }], outputs: [{ messagetype: 'tensor', schema: { shape: [1] } }] }
    }
  }
  const chain: PredictiveUnit = { name: 'x', type: 'MODEL', children: [{ name: 'y', type: 'MODEL' }] }
  const client = await serveGraph(t, new GraphEngine(chain, { components: { x: new Described(1, 'x'), y: new Described(2, 'y') } }))
  const x = await client.call('ModelMetadata', encodeSeldonModelMetadataRequest({ name: 'x' }))
  t.equal(x.error, null)
  t.same(decodeSeldonModelMetadata(x.bytes as Buffer).name, 'x')
  const missing = await client.call('ModelMetadata', encodeSeldonModelMetadataRequest({ name: 'nope' }))
  t.equal(missing.error?.code, grpc.status.NOT_FOUND, 'an unknown node: NOT_FOUND')
  t.equal(missing.error?.metadata.get('seldon-reason')[0], 'GRAPH_MODEL_NOT_FOUND')
  const g = await client.call('GraphMetadata', Buffer.alloc(0))
  t.equal(g.error, null)
  const metadata = decodeSeldonGraphMetadata(g.bytes as Buffer)
  t.equal(metadata.name, 'default', 'a bare graph: the predictor name defaults to default')
  t.same(Object.keys(metadata.models ?? {}).sort(), ['x', 'y'])
  t.same(metadata.inputs?.[0]?.schema, { shape: [2] }, 'graph inputs from the input node (x)')
  t.same(metadata.outputs?.[0]?.schema, { shape: [1] }, 'graph outputs from the output node (y)')
})

t.test('failures: meaningful statuses, a node failing as its own server would answer', async t => {
  const model = (name: string): PredictiveUnit => ({ name, type: 'MODEL' })
  const seldon = await serveGraph(t, new GraphEngine(model('m'), { components: { m: new Failing('seldon') } }))
  const a = await seldon.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(a.error?.code, grpc.status.INVALID_ARGUMENT, "an in-process node's 422: INVALID_ARGUMENT")
  t.equal(a.error?.details, 'zero is not allowed')
  t.equal(a.error?.metadata.get('seldon-http-status')[0], '422')
  t.equal(a.error?.metadata.get('seldon-reason')[0], 'MY_REASON')

  const custom = await serveGraph(t, new GraphEngine(model('m'), { components: { m: new Failing('custom') } }))
  const b = await custom.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(b.error?.metadata.get('seldon-http-status')[0], '418', "the component's own error handler decides the status")
  t.ok(new Teapot('x') instanceof Error)

  const grpcPort = await serveGrpc(t, new Failing('seldon'), 'm')
  const viaGrpc = await serveGraph(t, new GraphEngine(withEndpoints(model('m'), { m: grpcPort }, 'GRPC')))
  const c = await viaGrpc.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(c.error?.code, a.error?.code, "a gRPC node's status passes through unchanged")
  t.equal(c.error?.details, a.error?.details)
  t.equal(c.error?.metadata.get('seldon-http-status')[0], '422')

  const restPort = await serveRest(t, new Failing('seldon'), 'm')
  const viaRest = await serveGraph(t, new GraphEngine(withEndpoints(model('m'), { m: restPort }, 'REST')))
  const d = await viaRest.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(d.error?.code, a.error?.code, "a REST node's 422: the same code")
  t.equal(d.error?.details, 'zero is not allowed', "and its envelope's info as details")
  t.equal(d.error?.metadata.get('seldon-reason')[0], 'MY_REASON')

  const badRoute = await serveGraph(t, new GraphEngine({ name: 'r', type: 'ROUTER', children: [{ name: 'x', type: 'MODEL' }] },
    { components: { r: { route: () => 7 }, x: new Scale(1, 'x') } }))
  const e = await badRoute.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(e.error?.code, grpc.status.INTERNAL, "the graph's own failure: INTERNAL, never a crash")
  t.equal(e.error?.metadata.get('seldon-reason')[0], 'GRAPH_BAD_ROUTE')

  const other = await seldon.call('Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }), new grpc.Metadata(), 'Model')
  t.equal(other.error?.code, grpc.status.UNIMPLEMENTED, 'only the Seldon service is served')
  const garbage = await seldon.call('Predict', Buffer.from([0xff, 0xff, 0xff]))
  t.equal(garbage.error?.code, grpc.status.INVALID_ARGUMENT, 'an unreadable request: INVALID_ARGUMENT')
})
