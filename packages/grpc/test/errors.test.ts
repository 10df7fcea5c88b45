/**
 * Errors over gRPC: the mapping from the REST status, the trailing metadata, custom mappings,
 * malformed requests (never a crash), unknown methods, message-size limits, encoder failures.
 */
import t from 'tap'
import { Metadata, logVerbosity, setLogVerbosity, status as Status } from '@grpc/grpc-js'
import {
  BadDataError, NotReadyError, PayloadTooLargeError, SeldonMicroserviceError, TimeoutError, NotFoundError
} from '@fastify-seldon/protocol'
import { SeldonRuntime } from '@fastify-seldon/core'
import { createGrpcServer, grpcCodeForHttp, grpcCodeName, grpcStatusFor, DecodeFailure } from '../src/index.js'
import { ErrorModel, IdentityModel, UserCustomException, call, newClient, rawCall, serve } from './fixtures/helpers.js'

t.test('HTTP status → gRPC code table', async t => {
  const table: Array<[number, Status]> = [
    [400, Status.INVALID_ARGUMENT], [401, Status.UNAUTHENTICATED], [402, Status.INVALID_ARGUMENT],
    [403, Status.PERMISSION_DENIED], [404, Status.NOT_FOUND], [405, Status.INVALID_ARGUMENT],
    [408, Status.DEADLINE_EXCEEDED], [409, Status.ABORTED], [413, Status.RESOURCE_EXHAUSTED],
    [422, Status.INVALID_ARGUMENT], [429, Status.RESOURCE_EXHAUSTED], [499, Status.CANCELLED],
    [500, Status.INTERNAL], [501, Status.UNIMPLEMENTED], [502, Status.INTERNAL], [503, Status.UNAVAILABLE],
    [504, Status.DEADLINE_EXCEEDED], [200, Status.UNKNOWN], [302, Status.UNKNOWN], [600, Status.UNKNOWN]
  ]
  for (const [http, code] of table) t.equal(grpcCodeForHttp(http), code, `${http} → ${grpcCodeName(code)}`)
  t.equal(grpcCodeName(Status.OK), 'OK')
  t.equal(grpcCodeName(99), '99')
})

t.test('grpcStatusFor: Seldon errors, user errors, mappers', async t => {
  const bad = await grpcStatusFor(new BadDataError('nope'))
  t.equal(bad.code, Status.INVALID_ARGUMENT)
  t.equal(bad.details, 'nope')
  t.same(bad.metadata.get('seldon-reason'), ['MICROSERVICE_BAD_DATA'])
  t.same(bad.metadata.get('seldon-http-status'), ['400'])
  t.equal((await grpcStatusFor(new NotReadyError('load() has not finished'))).code, Status.UNAVAILABLE)
  t.equal((await grpcStatusFor(new TimeoutError(5))).code, Status.DEADLINE_EXCEEDED)
  t.equal((await grpcStatusFor(new PayloadTooLargeError(5))).code, Status.RESOURCE_EXHAUSTED)
  t.equal((await grpcStatusFor(new NotFoundError('GET', '/x'))).code, Status.NOT_FOUND)
  const custom = await grpcStatusFor(new SeldonMicroserviceError('teapot', { statusCode: 418, reason: 'TEAPOT' }))
  t.equal(custom.code, Status.INVALID_ARGUMENT)
  t.same(custom.metadata.get('seldon-reason'), ['TEAPOT'])
  t.same(custom.metadata.get('seldon-http-status'), ['418'])
  const plainError = await grpcStatusFor(new Error('boom'))
  t.equal(plainError.code, Status.INTERNAL)
  t.equal(plainError.details, 'boom')
  t.same(plainError.metadata.get('seldon-reason'), ['MICROSERVICE_INTERNAL_ERROR'])
  t.equal((await grpcStatusFor('a string')).details, 'a string')

  const mapper = (err: unknown) => err instanceof UserCustomException ? { code: Status.FAILED_PRECONDITION, details: `app ${err.applicationErrorCode}`, metadata: { 'app-code': String(err.applicationErrorCode) } } : undefined
  const mapped = await grpcStatusFor(new UserCustomException('x', 7), mapper)
  t.equal(mapped.code, Status.FAILED_PRECONDITION)
  t.equal(mapped.details, 'app 7')
  t.same(mapped.metadata.get('app-code'), ['7'])
  t.equal((await grpcStatusFor(new Error('other'), mapper)).code, Status.INTERNAL, 'undefined falls through')
  t.equal((await grpcStatusFor(new Error('x'), () => { throw new Error('mapper bug') })).code, Status.INTERNAL, 'a throwing mapper is ignored')

  const component = {
    errorHandlers: [
      { error: TypeError, handle: () => ({ statusCode: 400, body: {} }) },
      { error: UserCustomException, handle: () => ({ statusCode: 402, body: {} }), grpcStatus: (e: UserCustomException) => ({ code: Status.ABORTED, details: e.message }) }
    ]
  }
  t.equal((await grpcStatusFor(new UserCustomException('y', 1), undefined, component)).code, Status.ABORTED, 'errorHandlers entry with grpcStatus')
  const handled = await grpcStatusFor(new TypeError('t'), undefined, component)
  t.equal(handled.code, Status.INVALID_ARGUMENT, 'an entry without grpcStatus: the code of the status its REST handler answers (400)')
  t.equal(handled.details, 't', 'the error\'s message')
  t.same(handled.metadata.get('seldon-http-status'), ['400'])
  t.same(handled.metadata.get('seldon-reason'), ['MICROSERVICE_BAD_DATA'])
  t.equal((await grpcStatusFor(new UserCustomException('y', 1), undefined, { model_error_handlers: component.errorHandlers })).code, Status.ABORTED, 'Python spelling')
  t.equal((await grpcStatusFor(new UserCustomException('y', 1), undefined, {})).code, Status.INTERNAL)
})

t.test('errors from a served model', async t => {
  const server = await serve(new ErrorModel())
  t.teardown(server.close)
  const valueError = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[0, 2]] } })
  t.equal(valueError.error?.code, Status.INTERNAL, 'a user Error → INTERNAL')
  t.equal(valueError.error?.details, 'zero is not allowed')
  t.same(valueError.error?.metadata.get('seldon-reason'), ['MICROSERVICE_INTERNAL_ERROR'])
  t.same(valueError.error?.metadata.get('seldon-http-status'), ['500'])

  const badShape = await call(server.client, 'Model', 'Predict', { data: { tensor: { shape: [2, 2], values: [1, 2, 3] } } })
  t.equal(badShape.error?.code, Status.INVALID_ARGUMENT, 'bad data → INVALID_ARGUMENT')
  t.equal(badShape.error?.details, 'cannot reshape array of size 3 into shape (2,2)')
  t.same(badShape.error?.metadata.get('seldon-http-status'), ['400'])

  const empty = await rawCall(server.client, '/seldon.protos.Model/Predict', Buffer.alloc(0))
  t.equal(empty.error?.code, Status.INVALID_ARGUMENT)
  t.equal(empty.error?.details, 'Unknown data in SeldonMessage')

  const ok = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[1, 2]] } })
  t.equal(ok.error, undefined, 'the server keeps serving')
})

t.test('errorMapper option and component grpcStatus over the wire', async t => {
  const component = new ErrorModel()
  ;(component.errorHandlers[0] as { grpcStatus?: unknown }).grpcStatus = (e: UserCustomException) => ({ code: Status.FAILED_PRECONDITION, details: `${e.message} (${e.applicationErrorCode})` })
  const server = await serve(component, {
    errorMapper: err => err instanceof Error && err.message === 'zero is not allowed' ? { code: Status.OUT_OF_RANGE, details: 'zero!' } : undefined
  })
  t.teardown(server.close)
  const user = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[-1, 2]] } })
  t.equal(user.error?.code, Status.FAILED_PRECONDITION)
  t.equal(user.error?.details, 'Test-Error-Msg (1402)')
  const mapped = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[0, 2]] } })
  t.equal(mapped.error?.code, Status.OUT_OF_RANGE)
  t.equal(mapped.error?.details, 'zero!')
})

t.test('malformed requests → INVALID_ARGUMENT, never a crash', async t => {
  const server = await serve(new IdentityModel())
  t.teardown(server.close)
  const garbage = [
    ['truncated varint', Buffer.from([0x1a, 0xff, 0xff, 0xff])],
    ['length past the end', Buffer.from([0x1a, 0x10, 0x01])],
    ['bad wire type', Buffer.from([0x0f, 0x00])],
    ['random', Buffer.from('ffffffffffffffffffff', 'hex')]
  ] as const
  for (const [name, bytes] of garbage) {
    for (const path of ['/seldon.protos.Model/Predict', '/seldon.protos.Combiner/Aggregate', '/seldon.protos.Model/SendFeedback', '/seldon.protos.Seldon/ModelMetadata']) {
      const r = await rawCall(server.client, path, bytes)
      t.equal(r.error?.code, Status.INVALID_ARGUMENT, `${name} on ${path}`)
      t.match(r.error?.details, /\S/, 'with a reason')
      t.same(r.error?.metadata.get('seldon-http-status'), ['400'])
    }
  }
  const ok = await call(server.client, 'Model', 'Predict', { strData: 'still here' })
  t.equal(ok.message?.strData, 'still here')
})

t.test('DecodeFailure wording', async t => {
  t.equal(new DecodeFailure('Feedback', new Error('index out of range')).message, 'Invalid seldon.protos.Feedback message: index out of range')
  t.equal(new DecodeFailure('SeldonMessage', 'weird').message, 'Invalid seldon.protos.SeldonMessage message: weird')
  t.equal(new DecodeFailure('SeldonMessage', new BadDataError('two members of a oneof')).message, 'two members of a oneof')
})

t.test('unknown methods and services → UNIMPLEMENTED', async t => {
  const server = await serve(new IdentityModel())
  t.teardown(server.close)
  for (const path of ['/seldon.protos.Model/Nope', '/seldon.protos.Nope/Predict', '/other.Service/Call', '/seldon.protos.Model/predict']) {
    const r = await rawCall(server.client, path, Buffer.alloc(0))
    t.equal(r.error?.code, Status.UNIMPLEMENTED, path)
  }
})

t.test('message size limits', async t => {
  await t.test('default 4 MiB receive limit', async t => {
    const server = await serve(new IdentityModel())
    t.teardown(server.close)
    const big = await call(server.client, 'Model', 'Predict', { strData: 'x'.repeat(4 * 1024 * 1024 + 16) }, 15000)
    t.equal(big.error?.code, Status.RESOURCE_EXHAUSTED, 'an oversized request is refused')
    const justUnder = await call(server.client, 'Model', 'Predict', { strData: 'y'.repeat(4 * 1024 * 1024 - 64) }, 15000)
    t.equal(justUnder.error, undefined, 'just under the limit passes')
    const ok = await call(server.client, 'Model', 'Predict', { strData: 'small' })
    t.equal(ok.message?.strData, 'small', 'the server keeps serving')
  })
  await t.test('custom limits', async t => {
    const server = await serve(new IdentityModel(), { maxReceiveMessageLength: 1024, maxSendMessageLength: 2048 })
    t.teardown(server.close)
    const big = await call(server.client, 'Model', 'Predict', { strData: 'x'.repeat(2000) })
    t.equal(big.error?.code, Status.RESOURCE_EXHAUSTED)
    const ok = await call(server.client, 'Model', 'Predict', { strData: 'x'.repeat(900) })
    t.equal(ok.error, undefined)
  })
  await t.test('a response over the send limit → RESOURCE_EXHAUSTED, not a crash', async t => {
    const codes: string[] = []
    const server = await serve({ predict: () => 'z'.repeat(5000) }, { maxSendMessageLength: 2048, onCall: (_s, _m, code) => { codes.push(code) } })
    t.teardown(server.close)
    const r = await call(server.client, 'Model', 'Predict', { strData: 'a' })
    t.equal(r.error?.code, Status.RESOURCE_EXHAUSTED)
    t.match(r.error?.details, /larger than max/)
    t.same(codes, ['RESOURCE_EXHAUSTED'])
  })
  await t.test('unlimited (-1)', async t => {
    const server = await serve({ predict: () => 'z'.repeat(5 * 1024 * 1024) }, { maxSendMessageLength: -1 })
    t.teardown(server.close)
    const client = newClient(server.port, { 'grpc.max_receive_message_length': -1 })
    t.teardown(() => client.close())
    const r = await call(client, 'Model', 'Predict', { strData: 'a' }, 15000)
    t.equal(r.error, undefined)
    t.equal(r.message?.strData.length, 5 * 1024 * 1024)
  })
})

t.test('a result the encoder refuses → an error with the reason (the REST mapping); the server keeps serving', async t => {
  const server = await serve({
    predictRaw: (m: { strData?: string }) => m.strData === 'bad' ? { meta: { tags: { f: () => 1 } }, strData: 'x' } : m
  })
  t.teardown(server.close)
  const r = await call(server.client, 'Model', 'Predict', { strData: 'bad' })
  t.ok(r.error, 'fails')
  t.equal(r.error?.code, Status.INVALID_ARGUMENT, 'the codec refuses with BadDataError (400), as REST does for unsupported results')
  t.match(r.error?.details, /tags/)
  t.comment(r.error?.details ?? '')
  const ok = await call(server.client, 'Model', 'Predict', { strData: 'good' })
  t.equal(ok.message?.strData, 'good')
})

t.test('server method definitions never throw from the serializers', async t => {
  const { serverMethodDefinition, SELDON_RPCS } = await import('../src/index.js')
  const def = serverMethodDefinition(SELDON_RPCS.find(s => s.rpc === 'Predict') as never)
  t.ok(def.requestDeserialize(Buffer.from([0xff])) instanceof DecodeFailure)
  const bytes = Buffer.from([1, 2, 3])
  t.equal(def.responseSerialize(bytes), bytes, 'pre-encoded bytes pass through')
  t.same([...def.responseSerialize(new Uint8Array([4, 5]))], [4, 5])
  t.same([...def.responseSerialize({ strData: 'a' })], [0x2a, 0x01, 0x61], 'a message form is encoded')
})

t.test('onCall reports every handled call; a throwing hook changes nothing', async t => {
  const calls: Array<[string, string, string, number]> = []
  const server = await serve(new ErrorModel(), { onCall: (s, m, c, sec) => { calls.push([s, m, c, sec]); throw new Error('hook bug') } })
  t.teardown(server.close)
  await call(server.client, 'Model', 'Predict', { data: { ndarray: [[1]] } })
  await call(server.client, 'Seldon', 'Predict', { data: { ndarray: [[0]] } })
  await rawCall(server.client, '/seldon.protos.Model/Predict', Buffer.from([0xff]))
  await call(server.client, 'Seldon', 'GraphMetadata', {})
  t.same(calls.map(c => c.slice(0, 3)), [
    ['seldon.protos.Model', 'Predict', 'OK'],
    ['seldon.protos.Seldon', 'Predict', 'INTERNAL'],
    ['seldon.protos.Model', 'Predict', 'INVALID_ARGUMENT'],
    ['seldon.protos.Seldon', 'GraphMetadata', 'UNIMPLEMENTED']
  ])
  t.ok(calls.every(c => c[3] >= 0 && c[3] < 5), 'seconds')
})

t.test('a client deadline: reported as DEADLINE_EXCEEDED to the client, CANCELLED to onCall', async t => {
  const codes: string[] = []
  const server = await serve({ predict: async (x: unknown) => { await new Promise(resolve => setTimeout(resolve, 300)); return x } }, { onCall: (_s, _m, c) => { codes.push(c) } })
  t.teardown(server.close)
  const r = await call(server.client, 'Model', 'Predict', { strData: 'a' }, 50)
  t.equal(r.error?.code, Status.DEADLINE_EXCEEDED)
  await new Promise(resolve => setTimeout(resolve, 400))
  t.same(codes, ['CANCELLED'])
})

t.test('start() runs load() first and a failing load() rejects start()', async t => {
  let loaded = 0
  const runtime = new SeldonRuntime({ predict: (x: unknown) => x, load: () => { loaded++ } })
  const core = createGrpcServer(runtime, { host: '127.0.0.1', port: 0, reflection: false })
  const [p1, p2] = await Promise.all([core.start(), core.start()])
  t.equal(p1, p2, 'start is idempotent')
  t.equal(core.port, p1)
  t.equal(loaded, 1)
  t.same(await core.shutdown(), { forced: false })
  t.same(await core.shutdown(), { forced: false }, 'shutdown is idempotent')

  const failing = createGrpcServer(new SeldonRuntime({ predict: (x: unknown) => x, load: () => { throw new Error('no model file') } }), { host: '127.0.0.1', port: 0 })
  await t.rejects(failing.start(), /no model file/)
  await failing.shutdown()
})

t.test('binding an address in use rejects start()', async t => {
  const first = await serve(new IdentityModel())
  t.teardown(first.close)
  const second = createGrpcServer(new SeldonRuntime(new IdentityModel()), { host: '127.0.0.1', port: first.port, serverOptions: { 'grpc.so_reuseport': 0 } })
  setLogVerbosity(logVerbosity.NONE) // grpc-js logs the bind failure itself
  t.teardown(() => setLogVerbosity(logVerbosity.ERROR))
  await t.rejects(second.start())
  await second.shutdown()
})

t.test('IPv6 host', async t => {
  const core = createGrpcServer(new SeldonRuntime(new IdentityModel()), { host: '::1', port: 0, reflection: false })
  let port: number
  try {
    port = await core.start()
  } catch {
    t.pass('no IPv6 loopback here')
    await core.shutdown()
    return
  }
  t.ok(port > 0)
  await core.shutdown()
})

t.test('trailing metadata is a grpc Metadata', async t => {
  t.ok((await grpcStatusFor(new Error('x'))).metadata instanceof Metadata)
})

t.test('a mapper giving invalid metadata cannot hang or crash a call: INTERNAL', async t => {
  const server = await serve(new ErrorModel(), { errorMapper: () => ({ code: Status.ABORTED, details: 'x', metadata: { 'Bad Key!': 'v' } }) })
  t.teardown(server.close)
  const r = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[0]] } })
  t.equal(r.error?.code, Status.INTERNAL)
  t.match(r.error?.details, /Bad Key!|metadata/i)
  const ok = await call(server.client, 'Model', 'Predict', { data: { ndarray: [[1]] } })
  t.equal(ok.error, undefined)
})

t.test('callTimeout: a call past the server-side limit answers DEADLINE_EXCEEDED, others are served', async t => {
  const never = { predict: () => new Promise(() => {}), transformInput: (X: unknown) => X }
  const running = await serve(never, { callTimeout: 100 })
  t.teardown(() => running.close())
  const started = Date.now()
  const stuck = await call(running.client, 'Model', 'Predict', { strData: 'x' })
  t.equal(stuck.error?.code, Status.DEADLINE_EXCEEDED)
  t.equal(stuck.error?.details, 'Request timed out after 100 ms')
  t.same(stuck.error?.metadata.get('seldon-http-status'), ['504'])
  t.ok(Date.now() - started < 3000, 'cut by the server, not the client deadline')
  const fine = await call(running.client, 'Transformer', 'TransformInput', { strData: 'y' })
  t.equal(fine.message?.strData, 'y')
})

t.test('isOverloaded: calls are shed with UNAVAILABLE while it says so', async t => {
  let overloaded = true
  const running = await serve(new IdentityModel(), { isOverloaded: () => overloaded })
  t.teardown(() => running.close())
  const shed = await call(running.client, 'Model', 'Predict', { strData: 'x' })
  t.equal(shed.error?.code, Status.UNAVAILABLE)
  t.same(shed.error?.metadata.get('seldon-reason'), ['MICROSERVICE_OVERLOADED'])
  overloaded = false
  const served = await call(running.client, 'Model', 'Predict', { strData: 'x' })
  t.equal(served.message?.strData, 'x')
})
