/**
 * Remote nodes: the same graph answers byte for byte the same in-process and with every node a
 * real Seldon microservice (our REST plugin, our gRPC plugin); errors pass through; timeouts,
 * nodes that are down, headers and the puid forwarded; numbers keep their spelling across hops.
 */
import t from 'tap'
import Fastify from 'fastify'
import * as grpc from '@grpc/grpc-js'
import { decodeSeldonMessage, encodeSeldonMessage, parseJson, stringifyJson, type SeldonMessage } from '@fastify-seldon/protocol'
import { GraphEngine, type PredictiveUnit } from '../src/index.js'
import {
  EVERY_KIND_GRAPH as graph, Failing, Probe, Slow, Threshold, deadPort, everyKindComponents as components, feedback,
  graphApp, nodeNames, predict, serveGrpc, serveRest, withEndpoints, type TeardownHost
} from './fixtures.js'

/** Every node served by `serve` on its own port. */
async function serveAll (t: TeardownHost, serve: typeof serveRest, parts: Record<string, object>): Promise<Record<string, number>> {
  const ports: Record<string, number> = {}
  for (const name of nodeNames(graph)) ports[name] = await serve(t, parts[name] as object, name)
  return ports
}

const REQUESTS = [
  '{"data":{"names":["f1","f2"],"ndarray":[[0.1,2]]}}',
  '{"data":{"ndarray":[[1.0,2.0],[3,4.5]]},"meta":{"puid":"client-puid","tags":{"client":1.0,"n":7}}}',
  '{"data":{"tensor":{"shape":[1,2],"values":[0.9,1]}}}',
  '{"strData":"not numbers"}',
  '{"data":{"ndarray":[["a","b"]]}}'
]

t.test('REST: in-process and every node remote answer the same bytes (predictions, feedback, metadata)', async t => {
  const inProcessParts = components()
  const local = await graphApp(t, { graph, components: inProcessParts })
  const remoteParts = components()
  const remote = await graphApp(t, { graph: withEndpoints(graph, await serveAll(t, serveRest, remoteParts)) })

  for (const body of REQUESTS) {
    const [a, b] = [await predict(local, body), await predict(remote, body)]
    t.equal(b.statusCode, a.statusCode, `status of ${body}`)
    t.equal(b.headers['content-type'], a.headers['content-type'])
    t.equal(b.body, a.body, `same bytes for ${body}`)
  }
  const first = await predict(local, REQUESTS[1] as string)
  t.equal(first.statusCode, 200)
  t.match(first.body, /"ndarray":\[\[.*\]\]/)
  t.match(first.body, /"routing":\{"a":-1,"c":-1,"d":-1,"o":-1,"r":1,"t":-1\}/, 'the route taken is in meta.routing')
  t.match(first.body, /"client":1\.0/, 'a float written by the client stays a float after six hops')
  const failed = await predict(remote, REQUESTS[3] as string)
  t.equal(failed.statusCode, 500, 'a node failing remotely: its status')
  t.match(failed.body, /^\{"status":\{"code":-1,"info":".*","reason":"MICROSERVICE_INTERNAL_ERROR","status":1\}\}\n$/, 'and its envelope, as the node wrote it')

  // feedback goes back the way the request went: only r's chosen child (d) and r hear it
  const answer = parseJson(first.body) as SeldonMessage
  const body = stringifyJson({ request: parseJson(REQUESTS[1] as string), response: answer, reward: 1.0 })
  const [fa, fb] = [await feedback(local, body), await feedback(remote, body)]
  t.equal(fa.statusCode, 200)
  t.equal(fb.body, fa.body, 'same feedback answer')
  t.same((inProcessParts.r as Threshold).rewards, { 1: 1 }, 'in-process router rewarded on the branch it took')
  t.same((remoteParts.r as Threshold).rewards, { 1: 1 }, 'remote router too')

  const [ma, mb] = [await local.inject('/g/api/v1.0/metadata'), await remote.inject('/g/api/v1.0/metadata')]
  t.equal(ma.statusCode, 200)
  t.equal(mb.body, ma.body, 'same graph metadata')
  const [sa, sb] = [await local.inject('/g/api/v1.0/status/a'), await remote.inject('/g/api/v1.0/status/a')]
  t.equal(sb.body, sa.body, 'same node status')
  t.equal((await remote.inject('/g/ready')).statusCode, 200, 'ready: every remote node answers its health')
})

t.test('gRPC: in-process and every node remote over gRPC give the same protobuf bytes', async t => {
  const local = new GraphEngine(graph, { components: components() })
  const remote = new GraphEngine(withEndpoints(graph, await serveAll(t, serveGrpc, components()), 'GRPC'))
  t.teardown(async () => { await Promise.all([local.close(), remote.close()]) })
  await Promise.all([local.load(), remote.load()])
  t.equal(remote.unitKind('a'), 'grpc')
  for (const body of REQUESTS.slice(0, 3)) {
    const request = encodeSeldonMessage(parseJson(body) as SeldonMessage)
    const a = encodeSeldonMessage(await local.predict(decodeSeldonMessage(request), { transport: 'grpc' }) as SeldonMessage)
    const b = encodeSeldonMessage(await remote.predict(decodeSeldonMessage(request), { transport: 'grpc' }) as SeldonMessage)
    t.ok(a.length > 20)
    t.same(b, a, `same bytes for ${body}`)
  }
  const [ma, mb] = [await local.graphMetadata({ transport: 'grpc' }), await remote.graphMetadata({ transport: 'grpc' })]
  t.same(Object.keys(mb.models), Object.keys(ma.models))

  // the REST front end with gRPC nodes: JSON in, protobuf between nodes, JSON out
  const mixed = await graphApp(t, { engine: remote })
  const res = await predict(mixed, REQUESTS[0] as string)
  t.equal(res.statusCode, 200)
  const out = parseJson(res.body) as SeldonMessage
  t.same(out.meta?.routing, { a: -1, b: -1, c: -1, o: -1, r: 0, t: -1 })
  t.same(out.meta?.requestPath && Object.keys(out.meta.requestPath).sort(), ['a', 'b', 'c', 'o', 't'])
})

t.test('a graph mixing in-process, REST and gRPC nodes', async t => {
  const parts = components()
  const restPorts = { a: await serveRest(t, parts.a as object, 'a'), b: await serveRest(t, parts.b as object, 'b') }
  const grpcPorts = { c: await serveGrpc(t, parts.c as object, 'c'), d: await serveGrpc(t, parts.d as object, 'd') }
  const mixed = withEndpoints(withEndpoints(graph, grpcPorts, 'GRPC'), restPorts, 'REST')
  const app = await graphApp(t, { graph: mixed, components: { o: parts.o as object, t: parts.t as object, r: parts.r as object } })
  const local = await graphApp(t, { graph, components: components() })
  for (const body of [REQUESTS[0], REQUESTS[2]] as string[]) {
    const [a, b] = [await predict(local, body), await predict(app, body)]
    t.equal(b.statusCode, 200)
    t.same((parseJson(b.body) as SeldonMessage).data, (parseJson(a.body) as SeldonMessage).data, 'same data as all in-process')
  }
})

t.test('errors from a node: the same status and body in-process and remote', async t => {
  for (const how of ['seldon', 'custom', 'plain'] as const) {
    const model: PredictiveUnit = { name: 'm', type: 'MODEL' }
    const local = await graphApp(t, { graph: model, components: { m: new Failing(how) } })
    const remote = await graphApp(t, { graph: withEndpoints(model, { m: await serveRest(t, new Failing(how), 'm') }) })
    const [a, b] = [await predict(local, '{"data":{"ndarray":[1]}}'), await predict(remote, '{"data":{"ndarray":[1]}}')]
    t.equal(b.statusCode, a.statusCode, `${how}: status`)
    t.equal(b.body, a.body, `${how}: body`)
    t.equal(a.headers['content-type'], 'application/json')
    if (how === 'seldon') {
      t.equal(a.statusCode, 422)
      t.equal(a.body, '{"status":{"code":-1,"info":"zero is not allowed","reason":"MY_REASON","status":1}}\n')
      const overGrpc = await graphApp(t, { graph: withEndpoints(model, { m: await serveGrpc(t, new Failing(how), 'm') }, 'GRPC') })
      const c = await predict(overGrpc, '{"data":{"ndarray":[1]}}')
      t.equal(c.statusCode, 422, 'a gRPC node\'s error: the REST status it declares')
      t.equal(c.body, a.body, 'and the same envelope')
    }
    if (how === 'custom') t.same([a.statusCode, a.body], [418, '{"teapot":"short and stout"}\n'], 'the component\'s own error handler renders it')
    if (how === 'plain') t.equal(a.body, '{"status":{"code":-1,"info":"boom <&>","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n', 'no HTML escaping of <, &, >')
  }
})

t.test('timeouts: per call, 504 naming the node; none by default', async t => {
  const model: PredictiveUnit = { name: 'm', type: 'MODEL' }
  const restPort = await serveRest(t, new Slow(400), 'm')
  const grpcPort = await serveGrpc(t, new Slow(400), 'm')
  const rest = await graphApp(t, { graph: withEndpoints(model, { m: restPort }), timeout: 100 })
  const res = await predict(rest, '{"strData":"x"}')
  t.equal(res.statusCode, 504)
  t.equal(res.body, `{"status":{"code":504,"info":"Node m (http://127.0.0.1:${restPort}/predict) did not answer within 100 ms","reason":"GRAPH_NODE_TIMEOUT","status":"FAILURE"}}`)
  t.equal(res.headers['content-type'], 'application/json')

  const overGrpc = await graphApp(t, { graph: withEndpoints(model, { m: grpcPort }, 'GRPC'), timeout: 100 })
  const g = await predict(overGrpc, '{"strData":"x"}')
  t.equal(g.statusCode, 504)
  t.match(g.body, `Node m (grpc://127.0.0.1:${grpcPort}/seldon.protos.Model/Predict) did not answer within 100 ms`)

  const annotated = await graphApp(t, { graph: { name: 'p', graph: withEndpoints(model, { m: restPort }), annotations: { 'seldon.io/rest-timeout': '50' } } })
  t.equal((await predict(annotated, '{"strData":"x"}')).statusCode, 504, 'seldon.io/rest-timeout from the predictor\'s annotations')

  const patient = await graphApp(t, { graph: withEndpoints(model, { m: restPort }) })
  const slow = await predict(patient, '{"strData":"x"}')
  t.equal(slow.statusCode, 200, 'no timeout by default (the executor has none)')
  t.match(slow.body, '"strData":"x"')
})

t.test('a remote node that is down: 500 naming the node, not ready', async t => {
  const model: PredictiveUnit = { name: 'm', type: 'MODEL' }
  const port = await deadPort()
  const rest = await graphApp(t, { graph: withEndpoints(model, { m: port }), readinessTimeout: 300 })
  const res = await predict(rest, '{"strData":"x"}')
  t.equal(res.statusCode, 500)
  t.match(res.body, new RegExp(`^\\{"status":\\{"code":500,"info":"Node m \\(http://127\\.0\\.0\\.1:${port}/predict\\) is unreachable: .*ECONNREFUSED.*","reason":"GRAPH_NODE_UNAVAILABLE","status":"FAILURE"\\}\\}$`))
  const ready = await rest.inject('/g/ready')
  t.equal(ready.statusCode, 503)
  t.match(ready.body, /"info":"Graph not ready: node m: .*ECONNREFUSED/)

  const overGrpc = await graphApp(t, { graph: withEndpoints(model, { m: port }, 'GRPC'), readinessTimeout: 300 })
  const g = await predict(overGrpc, '{"strData":"x"}')
  t.equal(g.statusCode, 500)
  t.match(g.body, `"info":"Node m (grpc://127.0.0.1:${port}/seldon.protos.Model/Predict) is unreachable: `)
  t.match(g.body, '"reason":"GRAPH_NODE_UNAVAILABLE"')
  t.equal((await overGrpc.inject('/g/ready')).statusCode, 503)
})

t.test('what goes to a REST node and what comes back: headers, puid, bodies kept as they are', async t => {
  const seen: Array<{ headers: Record<string, unknown>, body: string }> = []
  let reply: { status: number, type: string, body: string } = { status: 200, type: 'application/json', body: '{"data":{"ndarray":[[1.0,2]]},"meta":{}}\n' }
  const fake = Fastify({ logger: false })
  fake.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => { done(null, body) })
  fake.post('/predict', async (request, res) => {
    seen.push({ headers: request.headers, body: request.body as string })
    return res.code(reply.status).header('content-type', reply.type).send(reply.body)
  })
  await fake.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => { await fake.close() })
  const port = (fake.server.address() as { port: number }).port
  const app = await graphApp(t, { graph: withEndpoints({ name: 'm', type: 'MODEL' }, { m: port }) })

  const res = await predict(app, '{"data":{"ndarray":[[1.50,2e0]]}}', { authorization: 'Bearer x', 'x-trace': 'abc', 'accept-encoding': 'gzip' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"data":{"ndarray":[[1.0,2]]},"meta":{"routing":{"m":-1}}}\n', 'the node\'s numbers keep their spelling; routing added')
  const puid = res.headers['seldon-puid'] as string
  t.match(puid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a generated UUID v4 puid')
  const got = seen[0] as { headers: Record<string, unknown>, body: string }
  t.equal(got.body, '{"data":{"ndarray":[[1.5,2.0]]}}', 'the request as the codec writes it (Python float repr)')
  t.equal(got.headers['seldon-puid'], puid, 'the puid forwarded')
  t.equal(got.headers.authorization, 'Bearer x', 'request headers forwarded, as the executor does')
  t.equal(got.headers['x-trace'], 'abc')
  t.equal(got.headers['content-type'], 'application/json')
  t.equal(got.headers['accept-encoding'], undefined, 'not the inbound connection\'s own headers')

  await predict(app, '{"strData":"x"}', { 'seldon-puid': 'given-puid' })
  t.equal(seen[1]?.headers['seldon-puid'], 'given-puid', 'a given puid is forwarded as it is')

  reply = { status: 404, type: 'text/plain; charset=utf-8', body: 'no such thing <here>' }
  const missing = await predict(app, '{"strData":"x"}')
  t.same([missing.statusCode, missing.headers['content-type'], missing.body], [404, 'text/plain; charset=utf-8', 'no such thing <here>'],
    'a node\'s error passes through: status, content type, body')

  reply = { status: 200, type: 'application/json', body: '{"status":{"code":-1,"info":"soft","reason":"X","status":1}}' }
  const soft = await predict(app, '{"strData":"x"}')
  t.equal(soft.statusCode, 200, 'a 200 carrying a failure envelope is a success, as for the executor')

  reply = { status: 200, type: 'text/html', body: '<html>' }
  const html = await predict(app, '{"strData":"x"}')
  t.equal(html.statusCode, 500)
  t.match(html.body, `"info":"Node m (http://127.0.0.1:${port}/predict) answered 200 with a body that is not JSON"`)
})

t.test('what goes to a gRPC node: metadata and the puid; a malformed answer', async t => {
  const seen: grpc.Metadata[] = []
  let answer: Buffer | grpc.ServiceError = encodeSeldonMessage({ strData: 'ok' })
  const server = new grpc.Server()
  const bytes = (b: Buffer): Buffer => b
  const rpc = { path: '/seldon.protos.Model/Predict', requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes }
  server.addService({ Predict: rpc } as never, {
    Predict: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      seen.push(call.metadata)
      if (Buffer.isBuffer(answer)) callback(null, answer)
      else callback(answer, null)
    }
  })
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => err !== null ? reject(err) : resolve(p)))
  t.teardown(() => { server.forceShutdown() })
  const app = await graphApp(t, { graph: withEndpoints({ name: 'm', type: 'MODEL' }, { m: port }, 'GRPC') })
  const res = await predict(app, '{"strData":"x"}', { 'x-trace': 'abc', 'seldon-puid': 'p-9' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"meta":{"routing":{"m":-1}},"strData":"ok"}\n')
  t.equal(seen[0]?.get('seldon-puid')[0], 'p-9')
  t.equal(seen[0]?.get('x-trace')[0], 'abc')
  answer = Buffer.from([0xff, 0xff, 0xff])
  const bad = await predict(app, '{"strData":"x"}')
  t.equal(bad.statusCode, 500)
  t.match(bad.body, /answered a malformed SeldonMessage/)

  answer = Object.assign(new Error('bad input'), { code: grpc.status.INVALID_ARGUMENT, details: 'bad input', metadata: new grpc.Metadata() })
  const refused = await predict(app, '{"strData":"x"}')
  t.same([refused.statusCode, refused.body], [400, '{"status":{"code":-1,"info":"bad input","reason":"MICROSERVICE_BAD_DATA","status":1}}\n'],
    'a foreign gRPC node\'s status: its HTTP equivalent, its details in the Seldon envelope')
})

t.test('a Probe graph over REST: every node type remote, same answers as in-process', async t => {
  const probeGraph: PredictiveUnit = {
    name: 'r',
    type: 'ROUTER',
    methods: ['AGGREGATE', 'TRANSFORM_OUTPUT'],
    children: [{ name: 'm', type: 'MODEL', methods: ['TRANSFORM_INPUT'], children: [{ name: 'x', type: 'UNKNOWN_TYPE', children: [{ name: 'y', type: 'MODEL' }] }] }, { name: 'z', type: 'OUTPUT_TRANSFORMER' }]
  }
  const probes = (): Record<string, object> => ({ r: new Probe('r', [], { route: () => -1 }), m: new Probe('m'), y: new Probe('y'), z: new Probe('z') })
  const local = await graphApp(t, { graph: probeGraph, components: probes() })
  const parts = probes()
  const ports: Record<string, number> = {}
  for (const name of ['r', 'm', 'y', 'z']) ports[name] = await serveRest(t, parts[name] as object, name)
  const remote = await graphApp(t, { graph: withEndpoints(probeGraph, ports) })
  const [a, b] = [await predict(local, '{"strData":"in"}'), await predict(remote, '{"strData":"in"}')]
  t.equal(a.statusCode, 200)
  t.equal(b.body, a.body)
  t.match(a.body, '"strData":"(in>m.ti>y.p+in>z.to)>r.ag>r.to"')
})

t.test('raw methods: a status of their own passes through, text is read as JSON', async t => {
  class Busy { predictRaw (): unknown { return { status: { code: 409, info: 'busy', status: 'FAILURE' } } } }
  class Text { predictRaw (message: { strData?: string }): unknown { return message.strData === 'bad' ? 'not json' : '{"strData":"from text"}' } }
  const model: PredictiveUnit = { name: 'm', type: 'MODEL' }
  const local = await graphApp(t, { graph: model, components: { m: new Busy() } })
  const remote = await graphApp(t, { graph: withEndpoints(model, { m: await serveRest(t, new Busy(), 'm') }) })
  const [a, b] = [await predict(local, '{"strData":"x"}'), await predict(remote, '{"strData":"x"}')]
  t.same([a.statusCode, a.body], [409, '{"status":{"code":409,"info":"busy","status":"FAILURE"}}\n'], 'the status in the raw answer, as the node\'s container answers')
  t.same([b.statusCode, b.body], [a.statusCode, a.body], 'same remote')

  const text = await graphApp(t, { graph: { ...model, children: [{ name: 'n', type: 'MODEL' }] }, components: { m: new Text(), n: new Probe('n') } })
  t.match((await predict(text, '{"strData":"x"}')).body, '"strData":"from text>n.p"')
  const bad = await predict(text, '{"strData":"bad"}')
  t.equal(bad.statusCode, 500)
  t.match(bad.body, '"info":"Node m answered a body that is not JSON"')
})

t.test('a gRPC status as an HTTP status', async t => {
  const { httpStatusForGrpc } = await import('../src/index.js')
  const table: Array<[grpc.status, number]> = [
    [grpc.status.CANCELLED, 499], [grpc.status.INVALID_ARGUMENT, 400], [grpc.status.FAILED_PRECONDITION, 400], [grpc.status.OUT_OF_RANGE, 400],
    [grpc.status.DEADLINE_EXCEEDED, 504], [grpc.status.NOT_FOUND, 404], [grpc.status.ALREADY_EXISTS, 409], [grpc.status.ABORTED, 409],
    [grpc.status.PERMISSION_DENIED, 403], [grpc.status.RESOURCE_EXHAUSTED, 429], [grpc.status.UNIMPLEMENTED, 501], [grpc.status.UNAVAILABLE, 503],
    [grpc.status.UNAUTHENTICATED, 401], [grpc.status.INTERNAL, 500], [grpc.status.UNKNOWN, 500], [grpc.status.DATA_LOSS, 500]
  ]
  for (const [code, http] of table) t.equal(httpStatusForGrpc(code), http, grpc.status[code])
})
