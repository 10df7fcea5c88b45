/**
 * Prototype pollution: `__proto__`, `constructor` and `prototype` keys in jsonData, meta (tags,
 * requestPath, routing, metrics tags, meta itself), Feedback, the message itself, multipart part
 * names and PREDICTIVE_UNIT_PARAMETERS never reach Object.prototype (nor any other prototype),
 * over REST (JSON body, `?json=`, form field, multipart) and gRPC (Struct keys, map keys). The
 * keys stay plain data: the component receives them as own properties and they come back in the
 * answer. A key on the prototype chain never stands in for a payload (`{"__proto__":{"jsonData":1}}`
 * carries no payload).
 */
import fc from 'fast-check'
import { decodeSeldonMessage, encodeFeedback, encodeSeldonMessage, parseJson } from '@fastify-seldon/protocol'
import { parseParameters } from '@fastify-seldon/microservice'
import t, { type Test } from 'tap'
import { jsonValue, PROTO_KEYS } from './arbitraries.js'
import { FuzzModel } from './fixtures/models.mjs'
import {
  envelopeOf, FUZZ_RUNS, FUZZ_SEED, freePorts, grpc, grpcCall, postJson, rawGrpcClient, startCli, startInProcess,
  waitForHttp
} from './helpers.js'

t.setTimeout(Math.max(60_000, FUZZ_RUNS * 3))

/** The state of the built-in prototypes, to compare before and after. */
function prototypes (): string {
  const names = (o: object): string => Object.getOwnPropertyNames(o).sort().join(',')
  return JSON.stringify({
    object: names(Object.prototype),
    array: names(Array.prototype),
    fn: names(Function.prototype),
    string: names(String.prototype),
    number: names(Number.prototype),
    objectCtor: Object.prototype.constructor === Object,
    literalProto: Object.getPrototypeOf({}) === Object.prototype,
    polluted: (({}) as Record<string, unknown>).polluted ?? null,
    isAdmin: (({}) as Record<string, unknown>).isAdmin ?? null
  })
}

function assertClean (t: Test, before: string, what: string): void {
  t.equal(prototypes(), before, `${what}: no built-in prototype changed`)
}

/** Keys sorted at every level, `__proto__` kept as an own key: a canonical text for comparisons. */
function canonical (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`
  }
  if (typeof value === 'bigint') return String(value)
  return JSON.stringify(value) ?? 'null'
}

const HOSTILE = '{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}'

/** Components that record what they received. */
function recordingModel (): { model: object, seen: unknown[] } {
  const seen: unknown[] = []
  const model = {
    predict (X: unknown, _names: unknown, meta: unknown) {
      seen.push({ X, meta })
      return X
    },
    sendFeedback (..._args: unknown[]) { return [] },
    tags () { return { ok: 1 } }
  }
  return { model, seen }
}

t.test('REST: hostile keys everywhere, every way of sending them', async t => {
  const before = prototypes()
  const { model, seen } = recordingModel()
  const server = await startInProcess(t, model, { grpcEnabled: false }, { listen: false })
  const inject = async (payload: string | undefined, options: { url?: string, type?: string, method?: 'GET' | 'POST' } = {}): Promise<{ status: number, body: string }> => {
    const res = await server.app.inject({
      method: options.method ?? 'POST',
      url: options.url ?? '/api/v1.0/predictions',
      headers: options.type === undefined ? { 'content-type': 'application/json' } : { 'content-type': options.type },
      ...(payload !== undefined ? { payload } : {})
    })
    return { status: res.statusCode, body: res.body }
  }

  const message = `{"jsonData":${HOSTILE},"meta":{"puid":"p","tags":${HOSTILE},"requestPath":{"__proto__":"x","constructor":"y","prototype":"z"},"routing":{"__proto__":1,"constructor":2},"metrics":[{"key":"k","type":"COUNTER","value":1,"tags":{"__proto__":"a","constructor":"b"}}]}}`
  const answer = await inject(message)
  t.equal(answer.status, 200, 'JSON body answered 200')
  assertClean(t, before, 'JSON body')
  const received = seen.at(-1) as { X: Record<string, unknown>, meta: Record<string, unknown> }
  t.ok(Object.hasOwn(received.X, '__proto__'), 'the component gets __proto__ as an own key of X')
  t.equal(Object.getPrototypeOf(received.X), Object.prototype, 'X keeps Object.prototype as its prototype')
  t.equal((received.X as { isAdmin?: unknown }).isAdmin, undefined, 'X does not inherit the hostile object')
  t.ok(Object.hasOwn(received.meta.tags as object, '__proto__'), 'meta.tags has __proto__ as an own key')
  const out = parseJson(answer.body) as { jsonData: unknown, meta: { tags: Record<string, unknown>, requestPath: Record<string, unknown> } }
  t.equal(canonical(out.jsonData), canonical(JSON.parse(HOSTILE)), 'the answer carries the keys back as data (jsonData)')
  t.ok(Object.hasOwn(out.meta.tags, '__proto__') && Object.hasOwn(out.meta.tags, 'constructor') && Object.hasOwn(out.meta.tags, 'prototype'), 'and in meta.tags')
  t.ok(Object.hasOwn(out.meta.requestPath, '__proto__'), 'and in meta.requestPath')
  t.match(answer.body, /"tags":\{"__proto__":\{/, 'written as a plain key')

  const query = await inject(undefined, { method: 'GET', url: `/predict?json=${encodeURIComponent(message)}` })
  t.equal(query.status, 200, '?json= answered 200')
  assertClean(t, before, '?json=')
  const form = await inject(`json=${encodeURIComponent(message)}`, { type: 'application/x-www-form-urlencoded' })
  t.equal(form.status, 200, 'form field json answered 200')
  assertClean(t, before, 'form')
  const qs = await inject(undefined, { method: 'GET', url: '/predict?__proto__[polluted]=yes&constructor[prototype][polluted]=yes&json=%7B%22jsonData%22%3A%7B%7D%7D' })
  t.equal(qs.status, 200, 'hostile query-string keys beside json: ignored')
  assertClean(t, before, 'query string keys')

  const boundary = 'pp'
  const part = (name: string, value: string, type?: string): string =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n${type !== undefined ? `Content-Type: ${type}\r\n` : ''}\r\n${value}\r\n`
  const mpJson = await inject(part('jsonData', HOSTILE) + part('meta', `{"tags":${HOSTILE}}`) + `--${boundary}--\r\n`, { type: `multipart/form-data; boundary=${boundary}` })
  t.equal(mpJson.status, 200, 'multipart parts answered 200')
  t.equal(canonical((parseJson(mpJson.body) as { jsonData: unknown }).jsonData), canonical(JSON.parse(HOSTILE)), 'multipart jsonData round-trips')
  assertClean(t, before, 'multipart parts')
  const mpTyped = await inject(part('jsonData', HOSTILE, 'application/json') + `--${boundary}--\r\n`, { type: `multipart/form-data; boundary=${boundary}` })
  t.ok(mpTyped.status === 200 || mpTyped.status === 400, `multipart part declared application/json: ${mpTyped.status}`)
  assertClean(t, before, 'multipart part with Content-Type: application/json')
  for (const name of PROTO_KEYS) {
    const res = await inject(part(name, '{"polluted":"yes"}') + part('jsonData', '{}') + `--${boundary}--\r\n`, { type: `multipart/form-data; boundary=${boundary}` })
    t.ok(res.status === 200 || res.status === 400, `a multipart part named ${name}: ${res.status} ${envelopeOf(res.body)?.info ?? ''}`)
    assertClean(t, before, `multipart part named ${name}`)
  }

  // a key on the prototype chain never stands in for a payload
  for (const [body, what] of [
    ['{"__proto__":{"jsonData":{"x":1}}}', 'a payload under __proto__'],
    ['{"constructor":{"jsonData":{"x":1}}}', 'a payload under constructor'],
    ['{"data":{"__proto__":{"ndarray":[[1]]}}}', 'an ndarray under data.__proto__']
  ] as const) {
    const res = await inject(body)
    const info = envelopeOf(res.body)?.info ?? ''
    t.not(res.status, 500, `${what}: no server error`)
    t.notMatch(res.body, /"x":1|\[\[1\]\]/, `${what}: not read as a payload (${res.status} ${info})`)
    assertClean(t, before, what)
  }

  // feedback is parsed strictly as the Feedback proto (json_format)
  const fb = await inject(`{"request":{"jsonData":${HOSTILE},"meta":{"tags":${HOSTILE}}},"response":{"meta":{"routing":{"__proto__":0}}},"reward":1}`, { url: '/api/v1.0/feedback' })
  t.equal(fb.status, 200, `feedback with hostile keys: ${fb.status} ${envelopeOf(fb.body)?.info ?? ''}`)
  assertClean(t, before, 'feedback')
  const fbTop = await inject('{"__proto__":{"reward":5},"reward":1}', { url: '/api/v1.0/feedback' })
  t.equal(fbTop.status, 400, 'feedback with a top-level __proto__ key: an unknown field, 400')
  assertClean(t, before, 'feedback top-level __proto__')

  const agg = await inject(`{"seldonMessages":[{"jsonData":${HOSTILE},"meta":{"tags":${HOSTILE}}}],"__proto__":{"seldonMessages":[]}}`, { url: '/aggregate' })
  t.not(agg.status, 500, `aggregate with hostile keys: ${agg.status}`)
  assertClean(t, before, 'aggregate')
})

t.test('gRPC: hostile Struct and map keys', async t => {
  const before = prototypes()
  const { model, seen } = recordingModel()
  const server = await startInProcess(t, model, { grpcEnabled: true }, { listen: false })
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  const hostile = JSON.parse(HOSTILE) as Record<string, unknown>
  const bytes = encodeSeldonMessage({
    jsonData: hostile as never,
    meta: { tags: hostile as never, requestPath: JSON.parse('{"__proto__":"x","constructor":"y"}'), routing: JSON.parse('{"__proto__":1}') }
  })
  const answer = await grpcCall(client, '/seldon.protos.Model/Predict', bytes)
  t.equal(grpc.status[answer.code], 'OK', 'Predict answered OK')
  assertClean(t, before, 'gRPC Predict')
  const received = seen.at(-1) as { X: Record<string, unknown> }
  t.ok(Object.hasOwn(received.X, '__proto__'), 'the component gets __proto__ as an own key')
  t.equal(Object.getPrototypeOf(received.X), Object.prototype, 'with Object.prototype as its prototype')
  const out = decodeSeldonMessage(answer.bytes as Buffer)
  t.equal(canonical(out.jsonData), canonical(hostile), 'the keys come back as data')
  t.ok(Object.hasOwn(out.meta?.tags ?? {}, '__proto__'), 'meta.tags keeps __proto__')
  const fb = await grpcCall(client, '/seldon.protos.Model/SendFeedback', encodeFeedback({ request: { jsonData: hostile as never, meta: { tags: hostile as never } }, response: { meta: { routing: JSON.parse('{"__proto__":0}') } }, reward: 1 }))
  t.equal(grpc.status[fb.code], 'OK', 'SendFeedback answered OK')
  assertClean(t, before, 'gRPC SendFeedback')
})

t.test('generated objects with hostile keys anywhere round-trip as data, REST and gRPC', async t => {
  const before = prototypes()
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: true }, { listen: false })
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  const hostileObject = fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'polluted', 'a'), jsonValue, { minKeys: 1, maxKeys: 4 })
  const runs = Math.max(200, Math.round(FUZZ_RUNS / 10))
  await fc.assert(fc.asyncProperty(hostileObject, hostileObject, async (jsonData, tags) => {
    const text = JSON.stringify({ jsonData, meta: { tags } })
    const res = await server.app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: text, headers: { 'content-type': 'application/json' } })
    if (res.statusCode !== 200) throw new Error(`REST ${res.statusCode} ${res.body} for ${text}`)
    const out = parseJson(res.body) as { jsonData: unknown, meta: { tags: Record<string, unknown> } }
    if (canonical(out.jsonData) !== canonical(JSON.parse(JSON.stringify(jsonData)))) throw new Error(`REST jsonData changed: ${res.body} for ${text}`)
    for (const k of Object.keys(tags)) if (!Object.hasOwn(out.meta.tags, k)) throw new Error(`REST tag ${k} lost: ${res.body}`)
    const answer = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ jsonData: JSON.parse(JSON.stringify(jsonData)), meta: { tags: JSON.parse(JSON.stringify(tags)) } }))
    if (answer.code !== grpc.status.OK) throw new Error(`gRPC ${grpc.status[answer.code]} ${answer.details} for ${text}`)
    const decoded = decodeSeldonMessage(answer.bytes as Buffer)
    if (canonical(decoded.jsonData) !== canonical(JSON.parse(JSON.stringify(jsonData)))) throw new Error(`gRPC jsonData changed for ${text}`)
    if (prototypes() !== before) throw new Error(`a prototype changed after ${text}`)
  }), { seed: FUZZ_SEED, numRuns: runs })
  assertClean(t, before, `${runs} generated requests`)
})

t.test('PREDICTIVE_UNIT_PARAMETERS named __proto__, constructor, prototype: own keys (parser and CLI)', async t => {
  const before = prototypes()
  const list = JSON.stringify([
    { name: '__proto__', value: '{"polluted":"yes","isAdmin":true}', type: 'JSON' },
    { name: 'constructor', value: '{"prototype":{"polluted":"yes"}}', type: 'JSON' },
    { name: 'prototype', value: 'x', type: 'STRING' },
    { name: 'n', value: '1', type: 'INT' }
  ])
  const params = parseParameters(list)
  t.same(Object.keys(params), ['__proto__', 'constructor', 'prototype', 'n'], 'four own keys')
  t.equal(Object.getPrototypeOf(params), Object.prototype, 'the parameters object keeps Object.prototype')
  t.equal((params as { isAdmin?: unknown }).isAdmin, undefined, 'inherits nothing from the hostile value')
  assertClean(t, before, 'parseParameters')

  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'ParamsModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics)], { PREDICTIVE_UNIT_PARAMETERS: list })
  await waitForHttp(http, cli)
  const res = await postJson(http, '/api/v1.0/predictions', { jsonData: {} })
  t.equal(res.status, 200)
  const report = (JSON.parse(res.body) as { jsonData: Record<string, unknown> }).jsonData
  t.same(report.keys, ['__proto__', 'constructor', 'prototype', 'n'], 'the constructor got the four as own keys')
  t.equal(report.ownProto, true)
  t.equal(report.prototypeIsObject, true)
  t.equal(report.polluted, false, 'nothing polluted in the worker')
})
