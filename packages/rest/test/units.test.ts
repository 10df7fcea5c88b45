/** The small pieces on their own: error mapping, options, replies (OpenAPI: openapi.test.ts; handler matching: core's kit.test.ts). */
import t from 'tap'
import Fastify, { type FastifyRequest } from 'fastify'
import { BadDataError, NotReadyError } from '@fastify-seldon/protocol'
import { envBool, optionsFromEnv } from '@fastify-seldon/core'
import { resolveOptions, restErrorStatus, sendAnswer } from '../src/internal.js'

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
  // The environment is mapped onto options by optionsFromEnv; explicit options spread after it win.
  const env = (vars: Record<string, string>) => optionsFromEnv(vars)
  const fromEnv = env({ PAYLOAD_PASSTHROUGH: 't', PREDICTIVE_UNIT_ID: 'env', INCLUDE_METRICS_IN_CLIENT_RESPONSE: 'true' })
  const resolved = resolveOptions({ ...fromEnv, unitId: 'u', executorEnabled: false }, true)
  t.same(resolved, {
    runtime: { includeMetricsInResponse: true, unitId: 'u', executorEnabled: false },
    payloadPassthrough: true,
    loadInBackground: false,
    health: true,
    openapi: true,
    docs: false,
    hostSwagger: true,
    cors: true,
    notFound: true
  })
  t.equal(resolveOptions({ cors: false, ...env({ PAYLOAD_PASSTHROUGH: '1' }), payloadPassthrough: false }, true).payloadPassthrough, false, 'explicit beats env')
  t.equal(resolveOptions(env({}), true, true).docs, true, 'docs: the plugin default')
  t.equal(resolveOptions(env({ SELDON_DOCS: 'false' }), true, true).docs, false, 'SELDON_DOCS beats the default')
  t.equal(resolveOptions(env({ SELDON_DOCS: '' }), true, true).docs, true, 'an empty SELDON_DOCS leaves the default')
  t.equal(resolveOptions({ ...env({ SELDON_DOCS: '0' }), docs: true }, true).docs, true, 'the option beats SELDON_DOCS')
  t.equal(resolveOptions(env({ SELDON_OPENAPI: 'f' }), true).openapi, false, 'SELDON_OPENAPI')
  t.equal(resolveOptions({ ...env({ SELDON_OPENAPI: 'f' }), openapi: true }, true).openapi, true)
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
