/**
 * The graph mode's composition in-process: the graph file and its components loaded as the CLI
 * loads them, REST and gRPC on the worker's base app, per-node metrics, the engine closed with the app.
 */
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { createSeldonMetrics } from '@fastify-seldon/metrics'
import { decodeSeldonMessage, encodeSeldonMessage } from '@fastify-seldon/protocol'
import t from 'tap'
import { buildGraphServer, loadGraphEngine } from '../src/graph-server.js'
import { fixtures, testConfig } from './helpers.js'

const cwd = path.join(fixtures, 'graph')
const config = testConfig({ grpcEnabled: true })
const graph = {
  file: 'chain.yaml',
  predictor: 'main',
  components: [
    { node: 'in', module: 'Steps.mjs', exportName: 'AddOne' },
    { node: 'model', module: 'Steps.mjs', exportName: 'Scale' },
    { node: 'out', module: 'Steps.mjs', exportName: 'Label' }
  ],
  routingInjection: true,
  nodeTimeout: 1000
}

t.test('REST and gRPC over one engine; per-node metrics; custom metrics recorded', async t => {
  const metrics = createSeldonMetrics({ logger: { warn: () => {} } })
  const notes: string[] = []
  const engine = await loadGraphEngine(graph, { cwd, env: {}, metrics, log: m => { notes.push(m) } })
  t.equal(engine.unitKind('model'), 'in-process')
  const app = await buildGraphServer(engine, config, { env: {}, metrics })
  await app.ready()
  let closed = false
  const close = engine.close.bind(engine)
  engine.close = async () => { closed = true; await close() }

  const res = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1, 2]] } } })
  t.equal(res.statusCode, 200)
  t.same(JSON.parse(res.body).data.ndarray, [[6, 9]], '(x + 1) * 3, the factor from the node parameters')

  const port = app.seldonGrpc.port as number
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest('/seldon.protos.Seldon/Predict', (b: Buffer) => b, (b: Buffer) => b, Buffer.from(encodeSeldonMessage({ data: { ndarray: [[1, 2]] } })),
      (err, value) => { if (err !== null) reject(err); else resolve(value as Buffer) })
  })
  client.close()
  t.same(decodeSeldonMessage(bytes).data?.ndarray, [[6, 9]], 'gRPC in → gRPC out')

  const text = await metrics.metrics()
  t.match(text, /seldon_api_executor_client_requests_seconds_count\{deployment_name="chain",predictor_name="main",predictor_version="",service="\/transform-input",model_name="in",model_image="",model_version="",method="in-process",code="200"\} 2/)
  t.match(text, /scaled_total\{[^}]*method="predict"[^}]*\} 2/, "the in-process model's custom metric reached the worker's registry")
  t.match(text, /seldon_grpc_server_handled_total\{grpc_service="seldon\.protos\.Seldon",grpc_method="Predict",grpc_code="OK"\} 1/, 'the gRPC call hook')
  // the executor's server histogram: REST by API, gRPC by full method; the probes are not measured
  for (const url of ['/api/v1.0/metadata', '/api/v1.0/status/model', '/ready', '/live', '/health/ping', '/health/status']) await app.inject({ url })
  await app.inject({ method: 'POST', url: '/api/v0.1/predictions', payload: 'not json' })
  await app.inject({ method: 'OPTIONS', url: '/api/v1.0/predictions' })
  const server = (await metrics.metrics()).split('\n').filter(l => l.startsWith('seldon_api_executor_server_requests_seconds_count'))
  const labels = 'deployment_name="chain",predictor_name="main",predictor_version=""'
  t.same(server.sort(), [
    `seldon_api_executor_server_requests_seconds_count{${labels},service="/seldon.protos.Seldon/Predict",method="unary",code="OK"} 1`,
    `seldon_api_executor_server_requests_seconds_count{${labels},service="metadata",method="get",code="200"} 1`,
    `seldon_api_executor_server_requests_seconds_count{${labels},service="predictions",method="post",code="200"} 1`,
    `seldon_api_executor_server_requests_seconds_count{${labels},service="predictions",method="post",code="400"} 1`,
    `seldon_api_executor_server_requests_seconds_count{${labels},service="status",method="get",code="200"} 1`
  ], 'seldon_api_executor_server_requests_seconds as the executor labels it')
  await app.close()
  t.ok(closed, 'the engine is closed with the app')
})

t.test('ENGINE_PREDICTOR; nothing to serve; an unknown node', async t => {
  const predictor = { name: 'p', graph: { name: 'm', type: 'MODEL' } }
  const env = { ENGINE_PREDICTOR: Buffer.from(JSON.stringify(predictor)).toString('base64') }
  const engine = await loadGraphEngine({ ...graph, file: undefined, predictor: undefined, components: [{ node: 'm', module: 'Steps.mjs', exportName: 'Scale' }] }, { cwd, env })
  t.equal(engine.spec.name, 'p')
  await engine.close()
  await t.rejects(loadGraphEngine({ ...graph, file: undefined }, { cwd, env: {} }), /no graph: give --graph <file> or set ENGINE_PREDICTOR/)
  await t.rejects(loadGraphEngine({ ...graph, components: [{ node: 'zz', module: 'Steps.mjs', exportName: 'Scale' }] }, { cwd, env: {} }), /the graph has no node named "zz" \(nodes: out, in, model\)/)
})

t.test("the graph process's environment reaches the graph as options: CORS_ALLOWED_*, INCLUDE_METRICS_IN_CLIENT_RESPONSE", async t => {
  const serve = async (env: NodeJS.ProcessEnv): Promise<{ origin: unknown, headers: unknown, metrics: unknown }> => {
    const engine = await loadGraphEngine(graph, { cwd, env })
    const app = await buildGraphServer(engine, { ...config, grpcEnabled: false }, { env })
    t.teardown(async () => { await app.close() })
    const res = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1, 2]] } } })
    t.equal(res.statusCode, 200)
    return { origin: res.headers['access-control-allow-origin'], headers: res.headers['access-control-allow-headers'], metrics: JSON.parse(res.body).meta.metrics }
  }
  const defaults = await serve({})
  t.equal(defaults.origin, '*')
  t.match(defaults.headers, /X-CSRF-Token/)
  t.match(defaults.metrics, [{ key: 'scaled_total' }], 'custom metrics shown by default')
  const set = await serve({ CORS_ALLOWED_ORIGINS: 'https://ui.example', CORS_ALLOWED_HEADERS: 'Content-Type', INCLUDE_METRICS_IN_CLIENT_RESPONSE: 'false' })
  t.same([set.origin, set.headers, set.metrics], ['https://ui.example', 'Content-Type', undefined])
  const empty = await serve({ CORS_ALLOWED_ORIGINS: '', CORS_ALLOWED_HEADERS: '' })
  t.same([empty.origin, empty.headers], ['*', defaults.headers], 'empty variables: the defaults')
})
