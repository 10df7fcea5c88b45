/**
 * Tracing on: remote calls carry the trace context (core's injectTraceContext, over REST headers
 * and gRPC metadata); in-process components' methods run in their spans; routes name their spans
 * as the executor does. The hooks here are fakes of core's contract.
 */
import t from 'tap'
import Fastify from 'fastify'
import * as grpc from '@grpc/grpc-js'
import { ROUTE_OPERATION_KEY, type TracingHooks } from '@fastify-seldon/core'
import { encodeSeldonMessage } from '@fastify-seldon/protocol'
import { GraphEngine, seldonGraph } from '../src/index.js'
import { Scale } from './fixtures.js'

function fakeTracing (spans: string[], routes: string[]): TracingHooks {
  return {
    logMixin: () => ({}),
    inject: carrier => {
      if (typeof (carrier as { set?: unknown }).set === 'function') (carrier as grpc.Metadata).set('traceparent', '00-grpc-01')
      else (carrier as Record<string, string>).traceparent = '00-rest-01'
    },
    methods: { forComponent: () => (method, call) => { spans.push(method); return call() } },
    rest: {
      addHooks: instance => {
        (instance as ReturnType<typeof Fastify>).addHook('onRequest', async (request: { routeOptions: { config: Record<string, unknown> } }) => { routes.push(String(request.routeOptions.config[ROUTE_OPERATION_KEY])) })
      }
    }
  }
}

t.test('REST and gRPC nodes get the trace context; in-process methods run in spans; routes are named', async t => {
  const seen: Array<string | undefined> = []
  const rest = Fastify()
  rest.post('/predict', async request => { seen.push(request.headers.traceparent as string | undefined); return { data: { ndarray: [[1]] } } })
  await rest.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => rest.close())
  const server = new grpc.Server()
  server.addService({
    Predict: { path: '/seldon.protos.Model/Predict', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b }
  } as never, {
    Predict: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      seen.push(call.metadata.get('traceparent')[0] as string | undefined)
      callback(null, Buffer.from(encodeSeldonMessage({ data: { ndarray: [[2]] } })))
    }
  })
  const grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => err !== null ? reject(err) : resolve(p)))
  t.teardown(() => { server.forceShutdown() })

  const spans: string[] = []
  const routes: string[] = []
  const graph = {
    name: 'local',
    type: 'MODEL' as const,
    children: [
      { name: 'overRest', type: 'MODEL' as const, endpoint: { service_host: '127.0.0.1', type: 'REST' as const, httpPort: (rest.server.address() as { port: number }).port } },
      { name: 'overGrpc', type: 'MODEL' as const, endpoint: { service_host: '127.0.0.1', type: 'GRPC' as const, grpcPort } }
    ]
  }
  const engine = new GraphEngine(graph, { components: { local: new Scale(2, 'l') } })
  const app = Fastify()
  await app.register(seldonGraph, { engine, tracing: fakeTracing([], routes) })
  t.teardown(async () => { await app.close(); await engine.close() })
  await app.ready()

  await app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1]] } } })
  t.same(seen, [undefined, undefined], 'tracing off: no trace context sent')
  t.same(spans, [])

  engine.setTracing(fakeTracing(spans, []))
  seen.length = 0
  const res = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1]] } } })
  t.equal(res.statusCode, 200)
  t.same(seen.sort(), ['00-grpc-01', '00-rest-01'], 'each remote call carries the context')
  t.same(spans, ['predict'], "the in-process node's method ran in its span")
  await app.inject({ method: 'GET', url: '/api/v1.0/metadata/local' })
  await app.inject({ method: 'GET', url: '/ready' })
  t.same(routes, ['predictions', 'predictions', 'metadata', 'status'], "the executor's span names")
})
