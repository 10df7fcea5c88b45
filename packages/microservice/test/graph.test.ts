/**
 * The CLI's graph mode as real processes: `--graph` with `--predictor` and `--component`, REST and
 * gRPC in; the same graph answering the same bytes with its nodes in-process, every node a
 * `seldon-microservice` over REST, every node one over gRPC; ENGINE_PREDICTOR; start-up failures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { decodeSeldonMessage, encodeSeldonMessage } from '@fastify-seldon/protocol'
import t from 'tap'
import { serveCli, type Served } from '@fastify-seldon/microservice/testing'
import { fixtures, startCli } from './helpers.js'

// Six CLI processes in the first test: generous on a loaded machine.
t.setTimeout(300_000)

const cwd = path.join(fixtures, 'graph')
/** No load shedding: this machine may be busy, and these tests are about answers. */
const CALM = ['--max-event-loop-delay', '0']
const IN_PROCESS = [...CALM, '--component', 'in=Steps.mjs:AddOne', '--component', 'model=Steps.mjs:Scale', '--component', 'out=Steps.mjs:Label']
const REQUESTS = [
  '{"data":{"names":["a","b"],"ndarray":[[1,2.5]]}}',
  '{"data":{"ndarray":[[1.0,2.0],[3,4]]},"meta":{"puid":"p-1","tags":{"client":1.0}}}',
  '{"data":{"tensor":{"shape":[1,2],"values":[0.5,2]}}}'
]

/** A parsed answer without what a protobuf hop omits (a metric's default type COUNTER). */
function withoutDefaults (answer: { meta?: { metrics?: Array<{ type?: string }> } }): unknown {
  for (const metric of answer.meta?.metrics ?? []) if (metric.type === 'COUNTER') delete metric.type
  return answer
}

async function post (url: string, body: string): Promise<{ status: number, body: string }> {
  const res = await fetch(`${url}/api/v1.0/predictions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) })
  return { status: res.status, body: await res.text() }
}

/** Seldon/Predict with raw bytes: the answer's bytes (or the error). */
async function grpcPredict (target: string, request: Uint8Array): Promise<Buffer> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure())
  try {
    return await new Promise((resolve, reject) => {
      client.makeUnaryRequest('/seldon.protos.Seldon/Predict', (b: Buffer) => b, (b: Buffer) => b, Buffer.from(request), new grpc.Metadata(),
        { deadline: Date.now() + 10_000 }, (err, bytes) => { if (err !== null) reject(err); else resolve(bytes as Buffer) })
    })
  } finally {
    client.close()
  }
}

/** The `main` predictor of chain.yaml with every node at the given served child. */
function remoteGraph (dir: string, children: Record<string, Served>, type: 'REST' | 'GRPC'): string {
  const endpoint = (served: Served): Record<string, unknown> => {
    const port = Number((type === 'REST' ? served.url : `http://${served.grpcTarget}`).split(':').pop())
    return type === 'REST' ? { service_host: '127.0.0.1', type, httpPort: port } : { service_host: '127.0.0.1', type, grpcPort: port }
  }
  const graph = {
    name: 'main',
    graph: {
      name: 'out',
      type: 'OUTPUT_TRANSFORMER',
      endpoint: endpoint(children.out as Served),
      children: [{
        name: 'in',
        type: 'TRANSFORMER',
        endpoint: endpoint(children.in as Served),
        children: [{ name: 'model', type: 'MODEL', endpoint: endpoint(children.model as Served) }]
      }]
    }
  }
  const file = path.join(dir, `remote-${type}.json`)
  writeFileSync(file, JSON.stringify(graph))
  return file
}

t.test('one graph, the same bytes: in-process, every node a CLI over REST, every node a CLI over gRPC (gRPC in; REST in: the same values)', async t => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graph-cli-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  // three start-ups at once, twice (the graphs need their nodes' ports): a start-up is seconds of
  // waiting for two node processes, one after another they made most of this test's time; 60 s
  // each, as three at once on a loaded machine take longer than one
  const ready = { cwd, readyMs: 60_000 }
  const [outChild, inChild, modelChild] = await Promise.all([
    serveCli(t, ['Steps.mjs', '--export', 'Label', '--service-type', 'OUTPUT_TRANSFORMER', ...CALM], { ...ready, env: { PREDICTIVE_UNIT_ID: 'out' } }),
    serveCli(t, ['Steps.mjs', '--export', 'AddOne', '--service-type', 'TRANSFORMER', ...CALM], { ...ready, env: { PREDICTIVE_UNIT_ID: 'in' } }),
    serveCli(t, ['Steps.mjs', '--export', 'Scale', '--parameters', '[{"name":"factor","value":"3","type":"INT"}]', ...CALM], { ...ready, env: { PREDICTIVE_UNIT_ID: 'model' } })
  ])
  const children = { out: outChild, in: inChild, model: modelChild }
  const [inProcess, overRest, overGrpc] = await Promise.all([
    serveCli(t, ['--graph', 'chain.yaml', '--predictor', 'main', ...IN_PROCESS], ready),
    serveCli(t, ['--graph', remoteGraph(dir, children, 'REST'), ...CALM], ready),
    serveCli(t, ['--graph', remoteGraph(dir, children, 'GRPC'), ...CALM], ready)
  ])

  for (const body of REQUESTS) {
    const [a, b, c] = await Promise.all([post(inProcess.url, body), post(overRest.url, body), post(overGrpc.url, body)])
    t.equal(a.status, 200, `${body}: 200`)
    t.equal(b.body, a.body, `REST in, REST nodes: same bytes for ${body}`)
    // a protobuf hop writes every number as a double and omits proto3 defaults (a COUNTER's type):
    // the same values, not the same spellings (docs/graph.md, "Messages between nodes")
    t.same(withoutDefaults(JSON.parse(c.body)), withoutDefaults(JSON.parse(a.body)), `REST in, gRPC nodes: same values for ${body}`)
    const request = encodeSeldonMessage(JSON.parse(body))
    const [ga, gb, gc] = await Promise.all([grpcPredict(inProcess.grpcTarget, request), grpcPredict(overRest.grpcTarget, request), grpcPredict(overGrpc.grpcTarget, request)])
    t.same(gb, ga, `gRPC in, REST nodes: same bytes for ${body}`)
    t.same(gc, ga, `gRPC in, gRPC nodes: same bytes for ${body}`)
  }
  const answer = JSON.parse((await post(inProcess.url, REQUESTS[1] as string)).body)
  t.same(answer.data.ndarray, [[6.0, 9.0], [12, 15]], '(x + 1) * 3 through the chain, number spellings kept')
  t.same(answer.meta.tags, { added: 1, client: 1.0, factor: 3, labelled: true }, 'every node merged its tags')
  t.same(answer.meta.routing, { in: -1, model: -1, out: -1 }, 'meta.routing injected')
  const overGrpcIn = decodeSeldonMessage(await grpcPredict(inProcess.grpcTarget, encodeSeldonMessage(JSON.parse(REQUESTS[1] as string))))
  t.same(overGrpcIn.meta?.tags, { added: 1, client: 1, factor: 3, labelled: true }, 'gRPC in → gRPC out')

  // per-node request metrics on the metrics port, the node's name as model_name
  const scrape = async (served: Served): Promise<string> => await (await fetch(served.metricsUrl, { signal: AbortSignal.timeout(10_000) })).text()
  t.match(await scrape(inProcess), /seldon_api_executor_client_requests_seconds_count\{deployment_name="chain",predictor_name="main",predictor_version="",service="\/predict",model_name="model",model_image="",model_version="",method="in-process",code="200"\} [1-9]/)
  t.match(await scrape(overGrpc), /seldon_api_executor_client_requests_seconds_count\{[^}]*service="\/seldon\.protos\.Transformer\/TransformInput",model_name="in",[^}]*method="unary",code="OK"\} [1-9]/)
  t.match(await scrape(overRest), /seldon_api_executor_client_requests_seconds_count\{[^}]*service="\/transform-output",model_name="out",[^}]*method="post",code="200"\} [1-9]/)
})

t.test('ENGINE_PREDICTOR is served when no module and no --graph are given; routing injection can be turned off', async t => {
  const predictor = { name: 'env', graph: { name: 'model', type: 'MODEL', parameters: [{ name: 'factor', value: '5', type: 'INT' }] } }
  const served = await serveCli(t, ['--component', 'model=Steps.mjs:Scale', '--routing-injection', 'false', ...CALM], {
    cwd, env: { ENGINE_PREDICTOR: Buffer.from(JSON.stringify(predictor)).toString('base64') }
  })
  const answer = JSON.parse((await post(served.url, '{"data":{"ndarray":[[2]]}}')).body)
  t.same(answer.data.ndarray, [[10]], "the node's parameters reach its constructor")
  t.equal(answer.meta.routing, undefined, 'no meta.routing when turned off')
  const metadata = await fetch(`${served.url}/api/v1.0/metadata`, { signal: AbortSignal.timeout(10_000) })
  t.equal(((await metadata.json()) as { name?: unknown }).name, 'env', "graph metadata names ENGINE_PREDICTOR's predictor")
})

t.test('graph start-up failures exit 1 with a clear message', async t => {
  const cases: Array<{ args: string[], env?: NodeJS.ProcessEnv, message: RegExp }> = [
    { args: ['--graph', 'chain.yaml', '--predictor', 'nope'], message: /Predictor not found nope/ },
    { args: ['--graph', 'chain.yaml', '--predictor', 'main', ...IN_PROCESS, '--component', 'ghost=Steps.mjs:Scale'], message: /--component ghost=Steps\.mjs: the graph has no node named "ghost"/ },
    { args: ['--graph', 'chain.yaml', '--predictor', 'main'], message: /has no in-process component and no endpoint/ },
    { args: ['--graph', 'missing.yaml'], message: /cannot read graph file .*missing\.yaml/ },
    { args: ['--component', 'm=Steps.mjs'], env: { ENGINE_PREDICTOR: '%%%' }, message: /ENGINE_PREDICTOR is not valid base64/ }
  ]
  await Promise.all(cases.map(async c => {
    const cli = startCli(t, [...c.args, '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'], { cwd, env: c.env })
    const exit = await cli.exited(30_000)
    t.equal(exit.code, 1, `${c.args.join(' ')}: exit 1`)
    t.match(cli.stderr(), c.message)
  }))
  const usage = startCli(t, ['Steps.mjs', '--graph', 'chain.yaml'], { cwd })
  t.equal((await usage.exited()).code, 2, 'a module and --graph: a usage error')
  t.match(usage.stderr(), /give either a component module \("Steps\.mjs"\) or --graph, not both/)
})
