/** The small pieces on their own: handler matching, error mapping, options, OpenAPI, replies. */
import t from 'tap'
import Fastify, { type FastifyRequest } from 'fastify'
import { BadDataError, NotReadyError } from '@fastify-seldon/protocol'
import {
  buildOpenApi, envBool, findErrorHandler, openApiRoutes, resolveOptions, restErrorStatus, sendAnswer, requireMethod, ALL_ENDPOINTS
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
  const duck = { error: class { static [Symbol.hasInstance] (v: unknown) { return (v as { duck?: boolean }).duck === true } }, handle: () => ({ statusCode: 4, body: 'duck' }) }
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
    cors: true,
    notFound: true
  })
  t.equal(resolveOptions({ cors: false, payloadPassthrough: false, env: { PAYLOAD_PASSTHROUGH: '1' } }, true, {}).payloadPassthrough, false, 'explicit beats env')
  t.throws(() => requireMethod({ predict () {} }, 'router', 'route', ['route', 'routeRaw', 'route_raw']), {
    code: 'SELDON_ERR_INVALID_COMPONENT', message: 'a router component needs a route() method (or routeRaw / route_raw)'
  })
  t.doesNotThrow(() => requireMethod({ route_raw () {} }, 'router', 'route', ['route', 'routeRaw', 'route_raw']))
})

t.test('buildOpenApi: prefix, bodies, no $id', async t => {
  const doc = buildOpenApi(openApiRoutes(ALL_ENDPOINTS), '/p') as { openapi: string, paths: Record<string, any>, components: { schemas: Record<string, any> } }
  t.equal(doc.openapi, '3.0.0')
  t.ok(doc.paths['/p/predict'].get && doc.paths['/p/predict'].post)
  t.notOk(doc.paths['/p/api/v1.0/predictions'].get)
  t.same(doc.paths['/p/aggregate'].post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/SeldonMessageList' })
  t.same(doc.paths['/p/send-feedback'].post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/Feedback' })
  t.notOk(doc.paths['/p/health/ping'].get.requestBody)
  t.ok(doc.paths['/p/health/ping'].get.responses['200'].content['text/html'])
  t.same(doc.paths['/p/metadata'].get.responses['200'].content['application/json'].schema, { type: 'object' })
  t.same(doc.paths['/p/health/status'].get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/SeldonMessage' })
  const text = JSON.stringify(doc)
  t.notMatch(text, /"\$id"|"\$schema"|"definitions"|"if"|"then"|"else"/, 'no draft-07-only keywords')
  for (const [, target] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
    t.ok(doc.components.schemas[target as string], `ref ${target} resolves`)
  }
  t.same(doc.components.schemas.SeldonMessage, { $ref: '#/components/schemas/SeldonMessage.SeldonMessage' })
  t.ok(doc.components.schemas.SeldonMessageList.anyOf, 'if/then/else as anyOf')
  const arraysWithoutItems: unknown[] = []
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) { n.forEach(walk); return }
    if (n === null || typeof n !== 'object') return
    const o = n as Record<string, unknown>
    if (o.type === 'array' && !('items' in o)) arraysWithoutItems.push(o)
    Object.values(o).forEach(walk)
  }
  walk(doc.components)
  t.same(arraysWithoutItems, [], 'every array schema has items (OpenAPI 3.0)')
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
