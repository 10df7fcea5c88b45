import t from 'tap'
import { fileURLToPath } from 'node:url'
import { callGrpc, postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

t.test('served by seldon-microservice: the custom handler over real HTTP', async t => {
  const server = await serve(t, ['src/ErrorModel.ts', '--service-type', 'MODEL'])

  const custom = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[-1, 2]] } })
  t.equal(custom.status, 402)
  t.equal(custom.body, '{"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}\n')

  const bug = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[0, 2]] } })
  t.equal(bug.status, 500)
  t.equal(bug.body, '{"status":{"code":-1,"info":"zero is not allowed","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n')

  const fine = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2]] } })
  t.equal(fine.status, 200)
  t.equal(fine.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n')
})

t.test('served by seldon-microservice: over gRPC the handled error keeps its status (C-19)', async t => {
  const server = await serve(t, ['src/ErrorModel.ts', '--service-type', 'MODEL'])

  const custom = await callGrpc(server.grpcTarget, 'Model', 'Predict', { data: { ndarray: [[-1, 2]] } })
  t.equal(custom.status, 'INVALID_ARGUMENT', 'REST answers 402: INVALID_ARGUMENT, not INTERNAL')
  t.equal(custom.details, 'Test-Error-Msg')
  t.equal(custom.trailers['seldon-http-status'], '402')
  t.equal(custom.trailers['seldon-reason'], 'MICROSERVICE_BAD_DATA')

  const bug = await callGrpc(server.grpcTarget, 'Seldon', 'Predict', { data: { ndarray: [[0, 2]] } })
  t.equal(bug.status, 'INTERNAL')
  t.equal(bug.details, 'zero is not allowed')
  t.equal(bug.trailers['seldon-reason'], 'MICROSERVICE_INTERNAL_ERROR')

  const chosen = await callGrpc(server.grpcTarget, 'Model', 'Predict', { strData: 'five' })
  t.equal(chosen.status, 'INVALID_ARGUMENT', 'SeldonMicroserviceError 422')
  t.equal(chosen.trailers['seldon-reason'], 'MICROSERVICE_BAD_FEATURES')

  const fine = await callGrpc(server.grpcTarget, 'Model', 'Predict', { data: { ndarray: [[1, 2]] } })
  t.equal(fine.status, 'OK')
  t.same(fine.message?.data.names, ['t:0', 't:1'])
})
