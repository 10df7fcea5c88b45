/**
 * Graceful shutdown of the real CLI: SIGTERM with 500 REST requests and 500 gRPC calls in flight
 * (each inside the component, which takes 4 s) → new connections are refused at once (REST and
 * gRPC) while the 1000 in flight are all answered, each with its own answer, and the process
 * exits 0 within the grace period.
 */
import { decodeSeldonMessage, encodeSeldonMessage } from '@fastify-seldon/protocol'
import t from 'tap'
import {
  freePorts, grpc, grpcCall, poll, postJson, rawGrpcClient, refused, startCli, waitForHttp, type GrpcAnswer, type RestAnswer
} from './helpers.js'

const IN_FLIGHT = 500
const DELAY_MS = 4000
const GRACE_S = 15

t.setTimeout(90_000)

t.test(`SIGTERM with ${IN_FLIGHT} REST + ${IN_FLIGHT} gRPC in flight: all answered, new connections refused, exit 0`, async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'SlowModel', [
    '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--grace-period', String(GRACE_S),
    // Admission control off: this test holds 1000 requests inside predict() at once, far beyond its
    // default 32 slots + 128 queued (which would answer the rest 503, RELIABILITY.md "Admission control").
    '--max-concurrent-requests', '0',
    '--parameters', JSON.stringify([{ name: 'delayMs', value: String(DELAY_MS), type: 'INT' }, { name: 'announce', value: 'true', type: 'BOOL' }])
  ])
  await waitForHttp(http, cli)

  // 500 REST requests, each on its own connection
  const rest: Array<Promise<RestAnswer | Error>> = Array.from({ length: IN_FLIGHT }, async (_, id) =>
    await postJson(http, '/api/v1.0/predictions', { jsonData: { id } }, 30_000).catch((err: Error) => err))
  // 500 gRPC calls over 5 connections
  const clients = Array.from({ length: 5 }, () => rawGrpcClient(grpcPort))
  t.teardown(() => { for (const c of clients) c.close() })
  const calls: Array<Promise<GrpcAnswer>> = Array.from({ length: IN_FLIGHT }, async (_, i) =>
    await grpcCall(clients[i % clients.length] as grpc.Client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ jsonData: { id: IN_FLIGHT + i } }), 30_000))

  // every one of them is inside predict() before the signal
  await cli.waitForOutput(/PREDICT_START/, 2 * IN_FLIGHT, DELAY_MS - 500)
  let answered = 0
  for (const p of [...rest, ...calls]) (p as Promise<unknown>).then(() => { answered++ })
  const signalled = Date.now()
  cli.child.kill('SIGTERM')

  // new connections are refused while the 1000 are still in flight
  await poll(async () => await refused(http), 2000, () => 'the REST port still accepts connections 2 s after SIGTERM', 20)
  t.pass(`REST: new connections refused ${Date.now() - signalled} ms after SIGTERM`)
  let late: GrpcAnswer | undefined
  await poll(async () => {
    const fresh = rawGrpcClient(grpcPort, { 'grpc.initial_reconnect_backoff_ms': 50 })
    try {
      late = await grpcCall(fresh, '/seldon.protos.Model/Predict', encodeSeldonMessage({ jsonData: { id: -1 } }), 500)
    } finally {
      fresh.close()
    }
    return late.code === grpc.status.UNAVAILABLE
  }, 3000, () => `a new gRPC connection still served 3 s after SIGTERM: ${late === undefined ? '' : grpc.status[late.code]}`, 20)
  t.pass(`gRPC: a new connection is refused (UNAVAILABLE) ${Date.now() - signalled} ms after SIGTERM`)
  t.ok(answered < 2 * IN_FLIGHT, `checked while requests were still in flight (${answered} of ${2 * IN_FLIGHT} answered)`)

  const restAnswers = await Promise.all(rest)
  const lost = restAnswers.map((a, id) => ({ a, id })).filter(({ a, id }) => a instanceof Error || a.status !== 200 || JSON.parse(a.body).jsonData.id !== id)
  t.equal(lost.length, 0, `all ${IN_FLIGHT} REST requests answered 200 with their own answer (${JSON.stringify(lost.slice(0, 3).map(({ a, id }) => ({ id, a: a instanceof Error ? a.message : a.status })))})`)
  const grpcAnswers = await Promise.all(calls)
  const lostCalls = grpcAnswers.map((a, i) => ({ a, id: IN_FLIGHT + i })).filter(({ a, id }) => {
    if (a.code !== grpc.status.OK) return true
    const message = decodeSeldonMessage(a.bytes as Buffer) as { jsonData?: { id?: unknown } }
    return message.jsonData?.id !== id
  })
  t.equal(lostCalls.length, 0, `all ${IN_FLIGHT} gRPC calls answered OK with their own answer (${JSON.stringify(lostCalls.slice(0, 3).map(({ a, id }) => ({ id, code: grpc.status[a.code], details: a.details })))})`)

  const exit = await cli.exited(GRACE_S * 1000 + 5000)
  const took = Date.now() - signalled
  t.same(exit, { code: 0, signal: null }, 'exit 0')
  t.ok(took < GRACE_S * 1000, `within the grace period (${took} ms of ${GRACE_S * 1000})`)
  t.ok(took >= DELAY_MS - 1500, 'after the in-flight work, not by cutting it')
  t.match(cli.stdout(), /"msg":"drained"/, 'the worker drained')
  t.notMatch(cli.stdout(), /"level":(?:50|60)/, 'no error log')
})
