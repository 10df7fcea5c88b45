/**
 * /seldon.json (@fastify/swagger over the routes' schemas) and /docs (@fastify/swagger-ui): the
 * document, its scope (this component's routes, with the prefix; plugins sharing a prefix merged),
 * the openapi/docs options, and the schemas staying documentation: Fastify validates nothing, so a
 * body the schema would refuse gets the same answer as before the schemas were attached.
 */
import t from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import { feedbackSchema, seldonMessageListSchema, seldonMessageSchema } from '@fastify-seldon/protocol'
import { PAYLOAD_ENDPOINTS, optionsFromEnv } from '@fastify-seldon/core'
import { build, envelope, json, seldonTestPlugin } from './helper.js'
import { FeedbackModel, IdentityModel } from '@fastify-seldon/test-models'

type Doc = { openapi: string, info: { title: string }, paths: Record<string, Record<string, any>>, components: { schemas: Record<string, any> } }

async function documentOf (app: Awaited<ReturnType<typeof build>>, prefix = ''): Promise<Doc> {
  const res = await app.inject(`${prefix}/seldon.json`)
  return res.json() as Doc
}

t.test('/seldon.json: a valid OpenAPI 3.0 document generated from the route schemas', async t => {
  const app = await build(t, new IdentityModel(), { prefix: '/p' })
  const res = await app.inject('/p/seldon.json')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json')
  t.equal(res.headers['content-disposition'], 'inline; filename=seldon.json')
  const doc = res.json() as Doc
  const validation = await new Validator().validate(structuredClone(doc) as Parameters<Validator['validate']>[0])
  t.same(validation.errors, undefined, 'no validation errors')
  t.equal(validation.valid, true, 'valid against the OpenAPI 3.0 schema')
  t.equal(doc.openapi, '3.0.0')
  t.equal(doc.info.title, 'Seldon External API')

  t.same(Object.keys(doc.paths), [
    '/p/predict', '/p/api/v1.0/predictions', '/p/api/v0.1/predictions', '/p/transform-input', '/p/transform-output', '/p/route',
    '/p/aggregate', '/p/send-feedback', '/p/api/v1.0/feedback', '/p/api/v0.1/feedback',
    '/p/health/ping', '/p/health/status', '/p/api/v1.0/health/status', '/p/metadata', '/p/api/v1.0/metadata'
  ], 'every route, with the prefix; the 405 companions, /seldon.json, /docs and the preflight hidden')
  t.same(Object.keys(doc.paths['/p/predict'] ?? {}), ['get', 'post'])
  t.same(Object.keys(doc.paths['/p/api/v1.0/predictions'] ?? {}), ['post'])

  const predict = doc.paths['/p/api/v1.0/predictions']?.post
  t.same(predict.tags, ['model'])
  t.same(predict.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/SeldonMessage' })
  t.same(predict.requestBody.content['application/json'].example, { data: { ndarray: [[1, 2]] } }, 'what Swagger UI pre-fills')
  t.same(predict.requestBody.content['application/x-www-form-urlencoded'].schema.properties.json, { type: 'string', description: 'The SeldonMessage as JSON text' })
  t.same(predict.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/SeldonMessage' })
  t.same(predict.responses['4XX'].content['application/json'].schema, { $ref: '#/components/schemas/SeldonErrorEnvelope' })
  t.same(predict.responses['5XX'].content['application/json'].schema, { $ref: '#/components/schemas/SeldonErrorEnvelope' })
  t.same(doc.paths['/p/predict']?.get.parameters, [{ schema: { type: 'string' }, in: 'query', name: 'json', required: true, description: 'The SeldonMessage as JSON text' }])
  t.same(doc.paths['/p/aggregate']?.post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/SeldonMessageList' })
  t.same(doc.paths['/p/send-feedback']?.post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/Feedback' })
  t.ok(doc.paths['/p/health/ping']?.get.responses['200'].content['text/html'])
  t.match(doc.paths['/p/metadata']?.get.responses['200'].content['application/json'].schema, { type: 'object' })

  // the components are the protocol's schemas, their definitions hoisted
  const schemas = doc.components.schemas
  t.same(schemas.SeldonMessage, { $ref: '#/components/schemas/SeldonMessage.SeldonMessage' })
  t.same(Object.keys(schemas['SeldonMessage.SeldonMessage'].properties), Object.keys(seldonMessageSchema.definitions.SeldonMessage.properties))
  t.same(schemas['Feedback.SeldonMessage'].additionalProperties, false, 'Feedback keeps its closed messages')
  t.same(Object.keys(schemas.Feedback.properties), Object.keys(feedbackSchema.properties))
  t.equal(schemas['SeldonMessageList.Messages'].minItems, seldonMessageListSchema.definitions.Messages.minItems)
  t.ok(schemas.SeldonMessageList.anyOf, 'if/then/else (not in OpenAPI 3.0) as anyOf')
  t.same(schemas.SeldonErrorEnvelope.properties.status.properties.code, { enum: [-1] }, 'const as enum')
  const text = JSON.stringify(doc)
  t.notMatch(text, /"\$id"|"\$schema"|"definitions"|"if"|"then"|"else"|fastify-seldon\./, 'no draft-07-only keywords, no internal ids')
  const targets = new Set([...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(m => m[1] as string))
  t.same([...targets].filter(name => !(name in schemas)), [], `all ${targets.size} refs resolve`)
  t.same(Object.keys(schemas).filter(name => !targets.has(name)), [], 'and every component is used')
  t.equal((await app.inject('/p/seldon.json')).body, res.body, 'built once, the same bytes after')
  const wrong = await app.inject({ method: 'POST', url: '/p/seldon.json' })
  t.equal(wrong.statusCode, 405)
  t.equal(wrong.headers.allow, 'GET, HEAD, OPTIONS')
})

/**
 * Bodies the schemas refuse, and the answers the plugins gave before the schemas were attached
 * (recorded from the previous commit): our own checks answer, or the wrapper's leniency holds.
 */
const BEFORE: Array<[method: 'GET' | 'POST', url: string, body: string | null, status: number, answer: string]> = [
  ['POST', '/predict', '{"foo":1}', 400, envelope("Invalid request data type: {'foo': 1}")],
  ['POST', '/api/v1.0/predictions', '{"data":{"ndarray":[[1,2]]},"strData":"x"}', 200, '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n'],
  ['POST', '/predict', '{"data":{"tensor":{"shape":[1,2],"values":[12345678901234567890123,2]}}}', 400, envelope('data.tensor.values must be a flat array of numbers')],
  ['POST', '/predict', '{"data":{"ndarray":[[12345678901234567890123,1.5]]}}', 400, envelope('an integer beyond 2^53 cannot be mixed with floats without losing precision')],
  ['POST', '/predict', '{"binData":"%%%"}', 400, envelope('binData is not valid base64')],
  ['POST', '/predict', '{"data":{"tensor":{"shape":[1.5],"values":[1]}}}', 400, envelope('data.tensor.shape must be an array of integers')],
  ['POST', '/predict', '{"customData":{}}', 400, envelope("Invalid request data type: {'customData': {}}")],
  ['POST', '/predict', '{"meta":{"metrics":[{"key":"k","type":"BAD","value":1}]},"data":{"ndarray":[1]}}', 400, envelope('meta.metrics[0]: type must be COUNTER, GAUGE or TIMER')],
  ['POST', '/predict', '{"strData":"x","meta":{"routing":{"a":"b"}}}', 200, '{"meta":{},"strData":"x"}\n'],
  ['POST', '/send-feedback', '{"reward":1,"unknown":2}', 400, envelope('Invalid JSON: Message type "seldon.protos.Feedback" has no field named "unknown" at "Feedback".\n Available Fields(except extensions): "[\'request\', \'response\', \'reward\', \'truth\']"')],
  ['POST', '/aggregate', '[]', 400, envelope('Aggregate not defined')],
  ['POST', '/aggregate', '{"seldonMessages":"x"}', 400, envelope("Invalid request data type: {'seldonMessages': 'x'}")],
  ['GET', '/predict', null, 400, envelope("Can't find JSON in data")],
  ['GET', '/predict?json=%7B%22foo%22%3A1%7D', null, 400, envelope("Invalid request data type: {'foo': 1}")],
  ['POST', '/predict', 'null', 400, envelope("Can't find JSON in data")],
  ['POST', '/predict', '[1,2]', 400, envelope('Invalid request data type: [1, 2]')]
]

t.test('the schemas are documentation only: a body they refuse gets the same answer as before', async t => {
  const app = await build(t, new IdentityModel())
  for (const [method, url, body, status, answer] of BEFORE) {
    const res = body === null ? await app.inject({ method, url }) : await json(app, url, body, method)
    t.equal(res.statusCode, status, `${method} ${url} ${body ?? ''}: status`)
    t.equal(res.body, answer, `${method} ${url} ${body ?? ''}: our own answer, not Fastify's validation error`)
    t.equal(res.headers['content-type'], 'application/json')
  }

  const head = await app.inject({ method: 'HEAD', url: '/predict' })
  t.equal(head.statusCode, 400, 'HEAD (the GET route\'s twin) is not validated either')
  t.equal(head.headers['content-length'], String(Buffer.byteLength(envelope("Can't find JSON in data"))))

  // Control: the same schema validated by Fastify (Ajv) refuses these bodies with its own 400.
  const control = Fastify()
  t.teardown(() => control.close())
  control.post('/validated', { schema: { body: seldonMessageSchema } }, async () => 'accepted')
  const refused = await control.inject({ method: 'POST', url: '/validated', payload: '{"data":{"ndarray":[[1,2]]},"strData":"x"}', headers: { 'content-type': 'application/json' } })
  t.equal(refused.statusCode, 400, 'Ajv would have refused the body our plugins accept, as the wrapper does')
  t.equal(refused.json().code, 'FST_ERR_VALIDATION')
  t.equal((await control.inject({ method: 'POST', url: '/validated', payload: '{"strData":"x"}', headers: { 'content-type': 'application/json' } })).statusCode, 200)
})

t.test('two plugins at one prefix: one document for both; another prefix has its own', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/host', async () => 'host')
  const model = new FeedbackModel()
  await app.register(seldonTestPlugin, { component: model, endpoints: ['predict'], corsDefault: false, prefix: '/m' })
  await app.register(seldonTestPlugin, { component: model, endpoints: ['sendFeedback'], corsDefault: false, prefix: '/m' })
  await app.register(seldonTestPlugin, { component: new IdentityModel(), endpoints: ['route'], corsDefault: false, prefix: '/r' })
  await app.ready()
  const m = await documentOf(app, '/m')
  t.same(Object.keys(m.paths), [
    '/m/predict', '/m/api/v1.0/predictions', '/m/api/v0.1/predictions', '/m/health/ping', '/m/health/status', '/m/api/v1.0/health/status',
    '/m/metadata', '/m/api/v1.0/metadata', '/m/send-feedback', '/m/api/v1.0/feedback', '/m/api/v0.1/feedback'
  ])
  t.same(Object.keys(m.components.schemas).filter(n => !n.includes('.')).sort(), ['Feedback', 'SeldonErrorEnvelope', 'SeldonMessage'], 'only the schemas used')
  const r = await documentOf(app, '/r')
  t.same(Object.keys(r.paths), ['/r/route', '/r/health/ping', '/r/health/status', '/r/api/v1.0/health/status', '/r/metadata', '/r/api/v1.0/metadata'])
  t.equal((await app.inject('/host')).body, 'host', "the host's routes are not documented and still served")
})

t.test('a host with its own @fastify/swagger and shared schemas: both documents stay apart', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addSchema({ $id: 'Feedback', type: 'object', properties: { stars: { type: 'integer' } } })
  await app.register(swagger, { openapi: { info: { title: 'host', version: '1' } } })
  app.post('/host/feedback', { schema: { body: { $ref: 'Feedback#' } } }, async () => 'ok')
  await app.register(seldonTestPlugin, { component: new IdentityModel(), endpoints: ['predict'], corsDefault: false, prefix: '/seldon' })
  await app.ready()
  const ours = await documentOf(app, '/seldon')
  t.notOk(Object.keys(ours.paths).some(p => !p.startsWith('/seldon/')), 'no host route in the component document')
  t.notOk('Feedback' in ours.components.schemas, "the host's shared schema is not the component's")
  const host = app.swagger() as unknown as Doc
  t.ok(host.paths['/host/feedback'], "the host's document still works")
  t.ok(host.paths['/seldon/predict'], '...and shows the Seldon routes too (it sees every route)')
  t.notOk(Object.keys(host.paths).some(p => p.endsWith('/seldon.json')), 'but not the hidden ones')
  t.equal((await app.inject({ method: 'POST', url: '/host/feedback', payload: { stars: 'x' } })).statusCode, 400, "the host's validation is untouched")
})

t.test('hostSwagger: false keeps the Seldon routes out of the host\'s own @fastify/swagger document', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'host', version: '1' } } })
  app.get('/host/items', { schema: { tags: ['host'] } }, async () => [])
  const model = new FeedbackModel()
  await app.register(seldonTestPlugin, { component: model, endpoints: ['predict'], corsDefault: false, prefix: '/hidden', hostSwagger: false })
  await app.register(seldonTestPlugin, { component: model, endpoints: ['sendFeedback'], corsDefault: false, prefix: '/hidden', hostSwagger: false })
  await app.register(seldonTestPlugin, { component: new IdentityModel(), endpoints: ['route'], corsDefault: false, prefix: '/shown' })
  await app.ready()
  const host = app.swagger() as unknown as Doc
  t.ok(host.paths['/host/items'], "the host's own routes")
  t.notOk(Object.keys(host.paths).some(p => p.startsWith('/hidden/')), 'no route of the hostSwagger: false plugins')
  t.ok(host.paths['/shown/route'], 'a plugin with the default still shows its routes')
  const ours = await documentOf(app, '/hidden')
  t.same(Object.keys(ours.paths), [
    '/hidden/predict', '/hidden/api/v1.0/predictions', '/hidden/api/v0.1/predictions', '/hidden/health/ping', '/hidden/health/status',
    '/hidden/api/v1.0/health/status', '/hidden/metadata', '/hidden/api/v1.0/metadata', '/hidden/send-feedback', '/hidden/api/v1.0/feedback',
    '/hidden/api/v0.1/feedback'
  ], "the prefix's /seldon.json still documents every route")
  t.same(ours.paths['/hidden/api/v1.0/predictions']?.post.tags, ['model'])
  const validation = await new Validator().validate(structuredClone(ours) as Parameters<Validator['validate']>[0])
  t.equal(validation.valid, true, 'still a valid OpenAPI 3.0 document')
  t.equal((await json(app, '/hidden/predict', '{"strData":"x"}')).statusCode, 200, 'and the routes serve')
})

t.test('options: openapi and docs', async t => {
  const plain = await build(t, new IdentityModel())
  t.equal((await plain.inject('/docs')).statusCode, 404, 'docs off by default for the single-kind plugins')
  t.equal((await plain.inject('/docs')).body, envelope('Not Found: GET /docs'))

  const noOpenApi = await build(t, new IdentityModel(), { openapi: false })
  t.equal((await noOpenApi.inject('/seldon.json')).statusCode, 404, 'openapi: false removes /seldon.json')
  t.equal((await noOpenApi.inject('/health/ping')).body, 'pong')

  const fromEnv = await build(t, new IdentityModel(), optionsFromEnv({ SELDON_OPENAPI: 'false', SELDON_DOCS: 'true' }))
  t.equal((await fromEnv.inject('/seldon.json')).statusCode, 404, 'SELDON_OPENAPI=false')
  t.equal((await fromEnv.inject('/docs')).statusCode, 200, 'SELDON_DOCS=true')

  const docs = await build(t, new IdentityModel(), { docs: true, prefix: '/p' })
  const page = await docs.inject('/p/docs')
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /Swagger UI/)
  t.equal((await docs.inject('/p/docs/static/swagger-ui-bundle.js')).statusCode, 200, 'served from the package, no CDN')
  const initializer = await docs.inject('/p/docs/static/swagger-initializer.js')
  t.match(initializer.body, /resolveUrl\('\.\/json'\)/)
  const spec = await docs.inject('/p/docs/json')
  t.same(spec.json(), await documentOf(docs, '/p'), 'Swagger UI reads the same document as /seldon.json')
  t.match((await docs.inject('/p/docs/yaml')).body, /title: Seldon External API/)

  const docsOnly = await build(t, new IdentityModel(), { docs: true, openapi: false })
  t.equal((await docsOnly.inject('/seldon.json')).statusCode, 404)
  t.equal((await docsOnly.inject('/docs/json')).json().openapi, '3.0.0', 'docs without /seldon.json')

  const none = await build(t, new IdentityModel(), { docs: false, openapi: false, endpoints: PAYLOAD_ENDPOINTS })
  t.equal((await none.inject('/docs')).statusCode, 404)
  t.equal((await json(none, '/predict', '{"strData":"x"}')).body, '{"meta":{},"strData":"x"}\n', 'the routes do not need the documents')
})
