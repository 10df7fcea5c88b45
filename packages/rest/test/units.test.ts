/** The small pieces on their own: handler matching, error mapping, options, replies (OpenAPI: openapi.test.ts). */
import t from 'tap'
import Fastify, { type FastifyRequest } from 'fastify'
import { BadDataError, NotReadyError } from '@fastify-seldon/protocol'
import type { ErrorHandlerEntry } from '@fastify-seldon/core'
import {
  envBool, findErrorHandler, resolveOptions, restErrorStatus, sendAnswer, requireMethod
} from '../src/index.js'

t.test('findErrorHandler: most specific class first, first registered among equals', async t => {
  class A extends Error {}
  class B extends A {}
  class C extends B {}
  const onA = { error: A, handle: () => ({ statusCode: 1, body: 'A' }) }
  const onB1 = { error: B, handle: () => ({ statusCode: 2, body: 'B1' }) }
  const onB2 = { error: B, handle: () => ({ statusCode: 3, body: 'B2' }) }
  const entries = [onA, onB1, onB2]
  t.equal(findErrorHandler(entries, new C()), onB1, 'C → its nearest registered ancestor, first one')
  t.equal(findErrorHandler(entries, new A()), onA)
  t.equal(findErrorHandler(entries, new Error('x')), undefined)
  t.equal(findErrorHandler(entries, 'a string'), undefined)
  t.equal(findErrorHandler([], new C()), undefined)
  const duck: ErrorHandlerEntry = { error: class extends Error { static [Symbol.hasInstance] (v: unknown) { return (v as { duck?: boolean }).duck === true } }, handle: () => ({ statusCode: 4, body: 'duck' }) }
  t.equal(findErrorHandler([duck], Object.assign(new Error('q'), { duck: true })), duck, 'a custom instanceof is the last resort')
})

t.test('restErrorStatus: Fastify errors to envelope statuses', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  let request: FastifyRequest | undefined
  app.get('/x', { bodyLimit: 10 }, async (req) => { request = req; return 'ok' })
  await app.inject({ method: 'GET', url: '/x' })
  const req = request as FastifyRequest
  const fst = (code: string, statusCode: number, message = 'm') => Object.assign(new Error(message), { code, statusCode })
  t.same(restErrorStatus(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413), req), { statusCode: 413, reason: 'MICROSERVICE_BAD_DATA', info: 'Request body is larger than 10 bytes' })
  t.same(restErrorStatus(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), req), { statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', info: "Can't find JSON in data" })
  t.same(restErrorStatus(fst('FST_ERR_CTP_EMPTY_JSON_BODY', 400), req), { statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', info: "Can't find JSON in data" })
  t.same(restErrorStatus(fst('FST_ERR_VALIDATION', 400, 'body/data must be object'), req), { statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', info: 'body/data must be object' })
  t.same(restErrorStatus(fst('FST_PARTS_LIMIT', 413, 'reach parts limit'), req), { statusCode: 413, reason: 'MICROSERVICE_BAD_DATA', info: 'reach parts limit' })
  t.same(restErrorStatus(fst('FST_SOMETHING', 503, 'down'), req), { statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info: 'down' }, 'a 5xx Fastify error is internal')
  t.same(restErrorStatus(new BadDataError('bad'), req), { statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', info: 'bad' })
  t.same(restErrorStatus(new NotReadyError('x'), req), { statusCode: 503, reason: 'MICROSERVICE_NOT_READY', info: 'Model not ready: x' })
  t.same(restErrorStatus('thrown string', req), { statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info: 'thrown string' })
  t.same(restErrorStatus(null, req), { statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info: 'null' })
})

t.test('envBool and resolveOptions', async t => {
  t.equal(envBool(undefined), false)
  for (const v of ['1', 'true', 'True', 't', 'T']) t.equal(envBool(v), true, v)
  for (const v of ['0', 'false', 'yes', '']) t.equal(envBool(v), false, v)
  const resolved = resolveOptions({ unitId: 'u', executorEnabled: false, env: { PAYLOAD_PASSTHROUGH: 't' } }, true, { includeMetricsInResponse: true, unitId: 'env' })
  t.same(resolved, {
    runtime: { includeMetricsInResponse: true, unitId: 'u', executorEnabled: false },
    payloadPassthrough: true,
    loadInBackground: false,
    health: true,
    openapi: true,
    docs: false,
    cors: true,
    notFound: true
  })
  t.equal(resolveOptions({ cors: false, payloadPassthrough: false, env: { PAYLOAD_PASSTHROUGH: '1' } }, true, {}).payloadPassthrough, false, 'explicit beats env')
  t.equal(resolveOptions({ env: {} }, true, {}, true).docs, true, 'docs: the plugin default')
  t.equal(resolveOptions({ env: { SELDON_DOCS: 'false' } }, true, {}, true).docs, false, 'SELDON_DOCS beats the default')
  t.equal(resolveOptions({ env: { SELDON_DOCS: '' } }, true, {}, true).docs, true, 'an empty SELDON_DOCS leaves the default')
  t.equal(resolveOptions({ docs: true, env: { SELDON_DOCS: '0' } }, true, {}).docs, true, 'the option beats SELDON_DOCS')
  t.equal(resolveOptions({ env: { SELDON_OPENAPI: 'f' } }, true, {}).openapi, false, 'SELDON_OPENAPI')
  t.equal(resolveOptions({ openapi: true, env: { SELDON_OPENAPI: 'f' } }, true, {}).openapi, true)
  t.throws(() => requireMethod({ predict () {} }, 'router', 'route', ['route', 'routeRaw', 'route_raw']), {
    code: 'SELDON_ERR_INVALID_COMPONENT', message: 'a router component needs a route() method (or routeRaw / route_raw)'
  })
  t.doesNotThrow(() => requireMethod({ route_raw () {} }, 'router', 'route', ['route', 'routeRaw', 'route_raw']))
})

t.test('sendAnswer: verbatim bytes and strings as is, messages rendered', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/bytes', async (_req, reply) => sendAnswer(reply, { message: Buffer.from('{"a":1}'), statusCode: 201, verbatim: true }))
  app.get('/undefined', async (_req, reply) => sendAnswer(reply, { message: undefined, statusCode: 200, verbatim: true }))
  app.get('/message', async (_req, reply) => sendAnswer(reply, { message: { b: 1, a: [1.5] }, statusCode: 200 }))
  const bytes = await app.inject('/bytes')
  t.equal(bytes.statusCode, 201)
  t.equal(bytes.body, '{"a":1}')
  t.equal(bytes.headers['content-type'], 'application/json')
  t.equal((await app.inject('/undefined')).body, 'null\n', 'nothing returned renders as null, like jsonify(None)')
  t.equal((await app.inject('/message')).body, '{"a":[1.5],"b":1}\n')
})
