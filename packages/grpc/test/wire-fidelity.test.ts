/**
 * Where gRPC answers as REST does: proto3 defaults in metrics (C-10), the component's own error
 * handlers (C-19), invalid model metadata (C-31), and the one spelling of status names.
 */
import t from 'tap'
import { status as Status } from '@grpc/grpc-js'
import type { ErrorHandlerEntry } from '@fastify-seldon/core'
import { grpcCodeLabel, grpcCodeName, type Metric, type NDArray } from '@fastify-seldon/protocol'
import { ErrorModel, IdentityModel, UserCustomException, call, plain, serve } from './fixtures/helpers.js'

t.test('status names: the protocol table spells every grpc-js code as grpc-js does', async t => {
  const codes = Object.entries(Status).filter((e): e is [string, number] => typeof e[1] === 'number')
  t.equal(codes.length, 17)
  for (const [name, code] of codes) t.equal(grpcCodeName(code), name, name)
  t.equal(grpcCodeName(99), '99')
  t.equal(grpcCodeLabel(Status.INVALID_ARGUMENT), 'InvalidArgument', 'the Prometheus label: Go\'s spelling')
})

t.test('metrics without type (COUNTER) or value (0) in a request: accepted and echoed as the wrapper does', async t => {
  const server = await serve(new IdentityModel())
  t.teardown(server.close)
  const metrics = [{ key: 'c', value: 2 }, { key: 'g', type: 'GAUGE' }, { key: 'z' }]
  const echo = await call(server.client, 'Model', 'Predict', { strData: 'x', meta: { metrics } })
  t.equal(echo.error, undefined, 'not INVALID_ARGUMENT')
  t.same(plain(echo.message?.meta.metrics), metrics, 'the defaults stay off the wire')
  // key "c" (0a 01 63), value 2.0f (1d 00000040) and no type field (tag 0x10)
  t.ok(echo.bytes?.includes(Buffer.from('2a080a01631d00000040', 'hex')), 'COUNTER written without type, as protobuf writes it')
  t.ok(echo.bytes?.includes(Buffer.from('2a050a0167' + '1001', 'hex')), 'GAUGE 0 written without value')

  const noKey = await call(server.client, 'Model', 'Predict', { strData: 'x', meta: { metrics: [{ type: 'GAUGE', value: 1 }] } })
  t.equal(noKey.error?.code, Status.INVALID_ARGUMENT, 'a metric without a key is still the client\'s mistake')
  t.equal(noKey.error?.details, 'meta.metrics[0]: a metric needs a key')
})

t.test('a component\'s metrics() without type or value: served, not INTERNAL', async t => {
  const server = await serve({ predict: (X: NDArray) => X, metrics: (): Metric[] => [{ key: 'calls', value: 1 }, { key: 'level', type: 'GAUGE' }] })
  t.teardown(server.close)
  const r = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[1]] } })
  t.equal(r.error, undefined)
  t.same(plain(r.message?.meta.metrics), [{ key: 'calls', value: 1 }, { key: 'level', type: 'GAUGE' }])
})

class Gone extends UserCustomException {}
class Slow extends Error {
  readonly reason = 'MICROSERVICE_SLOW'
}

function handledModel (): object {
  const errorHandlers: Array<ErrorHandlerEntry & { grpcStatus?: (err: any) => unknown }> = [
    ...new ErrorModel().errorHandlers,
    { error: Gone, handle: async (err: Gone) => ({ statusCode: 404, body: { gone: err.message } }) },
    { error: Slow, handle: () => ({ statusCode: 503, body: {} }) },
    { error: RangeError, handle: () => { throw new Error('handler bug') } },
    { error: SyntaxError, handle: () => ({ statusCode: 409, body: {} }), grpcStatus: () => undefined }
  ]
  return {
    errorHandlers,
    predict (X: NDArray): unknown {
      const first = Number(X.data[0])
      if (first === -1) throw new UserCustomException('Test-Error-Msg', 1402, 402)
      if (first === -2) throw new Gone('no such thing', 7)
      if (first === -3) throw new Slow('busy')
      if (first === -4) throw new RangeError('out of range')
      if (first === -5) throw new SyntaxError('conflict')
      if (first === -6) throw new UserCustomException('broken', 1, 500)
      return X
    }
  }
}

t.test('errors rendered by the component\'s errorHandlers: the code of the status REST answers', async t => {
  const codes: string[] = []
  const server = await serve(handledModel(), { onCall: (_s, _m, code) => { codes.push(code) } })
  t.teardown(server.close)
  const cases: Array<[number, Status, string, string, string]> = [
    [-1, Status.INVALID_ARGUMENT, 'Test-Error-Msg', '402', 'MICROSERVICE_BAD_DATA'],
    [-2, Status.NOT_FOUND, 'no such thing', '404', 'MICROSERVICE_BAD_DATA'], // the subclass's own (async) handler
    [-3, Status.UNAVAILABLE, 'busy', '503', 'MICROSERVICE_SLOW'], // the error's own reason
    [-4, Status.INTERNAL, 'handler bug', '500', 'MICROSERVICE_INTERNAL_ERROR'], // a broken handler: REST's 500 too
    [-5, Status.ABORTED, 'conflict', '409', 'MICROSERVICE_BAD_DATA'], // grpcStatus() gave nothing
    [-6, Status.INTERNAL, 'broken', '500', 'MICROSERVICE_INTERNAL_ERROR']
  ]
  for (const [first, code, details, http, reason] of cases) {
    const r = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[first]] } })
    t.equal(r.error?.code, code, `${first}: ${grpcCodeName(code)}`)
    t.equal(r.error?.details, details)
    t.same(r.error?.metadata.get('seldon-http-status'), [http])
    t.same(r.error?.metadata.get('seldon-reason'), [reason])
  }
  t.same(codes, ['INVALID_ARGUMENT', 'NOT_FOUND', 'UNAVAILABLE', 'INTERNAL', 'ABORTED', 'INTERNAL'], 'the per-call hook gets the canonical names')
})

t.test('invalid MODEL_METADATA: INTERNAL "Model metadata unavailable", as REST\'s 500 (C-31)', async t => {
  const server = await serve(new IdentityModel(), {}, { modelMetadata: '{"name": 1}' })
  t.teardown(server.close)
  for (const [service, rpc] of [['Model', 'Metadata'], ['Seldon', 'ModelMetadata']] as const) {
    const r = await call(server.client, service, rpc, {})
    t.equal(r.error?.code, Status.INTERNAL, `${service}/${rpc}`)
    t.equal(r.error?.details, 'Model metadata unavailable')
    t.same(r.error?.metadata.get('seldon-reason'), ['MICROSERVICE_BAD_METADATA'])
    t.same(r.error?.metadata.get('seldon-http-status'), ['500'])
  }
  const valid = await serve(new IdentityModel(), {}, { modelMetadata: '{"name": "m"}' })
  t.teardown(valid.close)
  const ok = await call(valid.client, 'Model', 'Metadata', {})
  t.equal(ok.error, undefined)
  t.equal(ok.message?.name, 'm')
})
