/**
 * A component that fails: throws synchronously, rejects (at once or later), throws a non-Error,
 * throws the user-facing SeldonMicroserviceError, throws an error whose stack and properties
 * name files, or never resolves. The first ones give the wrapper's documented errors (500
 * MICROSERVICE_INTERNAL_ERROR with the message as info; the chosen status and reason), REST and
 * gRPC; none leaks a stack trace or a path, whatever the log level (there is no debug option that
 * would put them in an answer: they go to the log only); a never-resolving call is cut by
 * `--request-timeout` with a 504 envelope (REST) or by the client's deadline (gRPC), while the
 * event loop stays free and everyone else is served.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { encodeSeldonMessage } from '@fastify-seldon/protocol'
import t from 'tap'
import { HostileModel } from './fixtures/models.mjs'
import {
  envelopeOf, envelopeProblem, freePorts, grpc, grpcCall, httpRequest, internalsIn, postJson, rawGrpcClient, startCli,
  startInProcess, waitForHttp, watchProcess
} from './helpers.js'

const ORDERS: Array<[string, number, string, RegExp]> = [
  ['throw', 500, 'MICROSERVICE_INTERNAL_ERROR', /^predict failed synchronously$/],
  ['reject', 500, 'MICROSERVICE_INTERNAL_ERROR', /^predict rejected$/],
  ['rejectLater', 500, 'MICROSERVICE_INTERNAL_ERROR', /^predict rejected later$/],
  ['throwString', 500, 'MICROSERVICE_INTERNAL_ERROR', /^a string, not an Error$/],
  ['throwNull', 500, 'MICROSERVICE_INTERNAL_ERROR', /^null$/],
  ['throwLeaky', 500, 'MICROSERVICE_INTERNAL_ERROR', /^leaky failure$/],
  ['seldon', 422, 'MODEL_REFUSED', /^the model refuses$/]
]

for (const level of ['warn', 'debug'] as const) {
  t.test(`REST, log level ${level}: each failure gives its documented envelope, no internals`, async t => {
    const seen = watchProcess(t)
    const server = await startInProcess(t, new HostileModel(), { grpcEnabled: false, logLevel: level }, { listen: false })
    for (const [order, status, reason, info] of ORDERS) {
      for (const url of ['/api/v1.0/predictions', `/predict?json=${encodeURIComponent(JSON.stringify({ jsonData: { do: order } }))}`]) {
        const res = await server.app.inject(url.includes('?')
          ? { method: 'GET', url }
          : { method: 'POST', url, payload: { jsonData: { do: order } } })
        const answer = { status: res.statusCode, headers: res.headers, body: res.body }
        t.equal(res.statusCode, status, `${order} (${url.slice(0, 22)}): ${status}`)
        t.equal(envelopeProblem(answer), undefined, `${order}: the envelope`)
        t.equal(envelopeOf(res.body)?.reason, reason, `${order}: reason ${reason}`)
        t.match(envelopeOf(res.body)?.info ?? '', info, `${order}: info`)
        t.equal(internalsIn(res.body), undefined, `${order}: no stack, no path in the answer`)
        t.notMatch(JSON.stringify(res.headers), /\/srv\/secret|node_modules|\.m?js:\d/, `${order}: nor in the headers`)
      }
    }
    // the stack is for the operator: in the log, not in the answer
    const leaky = server.logs.find(l => l.msg === 'MICROSERVICE_INTERNAL_ERROR: leaky failure')
    t.match(leaky?.err?.stack ?? '', /\/srv\/secret\/app\/model\.mjs:12:3/, 'the log keeps the stack of a 500')
    t.equal((await server.app.inject({ method: 'GET', url: '/health/ping' })).statusCode, 200, 'still serving')
    t.same(seen.rejections, [], 'no unhandled rejection')
  })
}

t.test('gRPC: each failure gives a proper status with the same information, no internals', async t => {
  const seen = watchProcess(t)
  const server = await startInProcess(t, new HostileModel(), { grpcEnabled: true }, { listen: false })
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  for (const [order, status, reason, info] of ORDERS) {
    const answer = await grpcCall(client, '/seldon.protos.Seldon/Predict', encodeSeldonMessage({ jsonData: { do: order } }))
    const code = status === 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'
    t.equal(grpc.status[answer.code], code, `${order}: ${code}`)
    t.match(answer.details, info, `${order}: details = the REST info`)
    t.equal(answer.trailers['seldon-reason'], reason, `${order}: seldon-reason ${reason}`)
    t.equal(answer.trailers['seldon-http-status'], String(status), `${order}: seldon-http-status ${status}`)
    t.equal(internalsIn(answer.details + JSON.stringify(answer.trailers)), undefined, `${order}: no stack, no path`)
  }
  t.same(seen.rejections, [], 'no unhandled rejection')
})

t.test('REST: a component that never resolves is cut at --request-timeout with a 504; the event loop stays free', async t => {
  const seen = watchProcess(t)
  const model = new HostileModel()
  // Admission control off: 50 hanging calls would fill its 32 slots and queue the others behind them
  // (by design, RELIABILITY.md "Admission control"); this test is about the timeout and the event loop.
  const server = await startInProcess(t, model, { grpcEnabled: false, requestTimeout: 300, maxConcurrentRequests: 0 })
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const started = Date.now()
  const hanging = Array.from({ length: 50 }, async () => await postJson(server.httpPort, '/api/v1.0/predictions', { jsonData: { do: 'hang' } }))
  // while 50 calls hang: ping and normal predictions are answered at once
  await new Promise(resolve => setTimeout(resolve, 50))
  const during = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const t0 = Date.now()
    const res = i % 2 === 0
      ? await httpRequest(server.httpPort, { path: '/health/ping' })
      : await postJson(server.httpPort, '/api/v1.0/predictions', { data: { ndarray: [[i]] } })
    return { status: res.status, ms: Date.now() - t0 }
  }))
  t.same(during.map(d => d.status), Array(20).fill(200), 'others are served while 50 calls hang')
  t.ok(Math.max(...during.map(d => d.ms)) < 250, `and quickly (slowest ${Math.max(...during.map(d => d.ms))} ms, before any timeout fired)`)
  const cut = await Promise.all(hanging)
  const elapsed = Date.now() - started
  delay.disable()
  t.same([...new Set(cut.map(r => r.status))], [504], 'every hanging call answered 504')
  t.same([...new Set(cut.map(r => r.body))], ['{"status":{"code":-1,"info":"Request timed out after 300 ms","reason":"MICROSERVICE_TIMEOUT","status":1}}\n'], 'with the envelope')
  t.ok(elapsed >= 300 && elapsed < 2500, `cut after the timeout (${elapsed} ms for all 50)`)
  t.ok(delay.max / 1e6 < 200, `the event loop was never blocked (max delay ${(delay.max / 1e6).toFixed(1)} ms)`)
  t.equal(model.calls, 50 + 10, 'each hanging call reached the component once')
  t.equal((await postJson(server.httpPort, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })).status, 200, 'serving normally after')
  t.same(server.logs.filter(l => l.level >= 50).map(l => l.msg), [], 'no error log (a timeout is a warning)')
  t.same(seen.rejections, [], 'no unhandled rejection')
})

t.test('REST: --request-timeout through the CLI; a slow call under the limit is untouched', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  // Pressure shedding off: this checks the timeout, and a busy machine's start-up delay would answer 503.
  const cli = startCli(t, 'HostileModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--request-timeout', '400', '--max-event-loop-delay', '0'])
  await waitForHttp(http, cli)
  const [hang, slow] = await Promise.all([
    postJson(http, '/api/v1.0/predictions', { jsonData: { do: 'hang' } }),
    postJson(http, '/api/v1.0/predictions', { jsonData: { do: 'sleep', ms: 100 } })
  ])
  t.equal(hang.status, 504, 'a hanging call: 504')
  t.equal(envelopeOf(hang.body)?.reason, 'MICROSERVICE_TIMEOUT')
  t.equal(slow.status, 200, 'a 100 ms call under a 400 ms limit: 200')
  t.same(JSON.parse(slow.body).jsonData, { slept: 100 })
  t.ok(cli.alive(), 'alive')
})

t.test('gRPC: a component that never resolves is cut by the client deadline; the server keeps serving', async t => {
  const seen = watchProcess(t)
  const server = await startInProcess(t, new HostileModel(), { grpcEnabled: true })
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  const hang = encodeSeldonMessage({ jsonData: { do: 'hang' } })
  const started = Date.now()
  const hung = Promise.all(Array.from({ length: 20 }, async () => await grpcCall(client, '/seldon.protos.Model/Predict', hang, 300)))
  const during = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(during.code, grpc.status.OK, 'a normal call on the same connection is served meanwhile')
  t.ok(Date.now() - started < 250, 'at once')
  const answers = await hung
  t.same([...new Set(answers.map(a => grpc.status[a.code]))], ['DEADLINE_EXCEEDED'], 'the hanging calls end with DEADLINE_EXCEEDED at the deadline')
  const after = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ data: { ndarray: [[2]] } }))
  t.equal(after.code, grpc.status.OK, 'serving after')
  t.same(seen.rejections, [], 'no unhandled rejection')
})
