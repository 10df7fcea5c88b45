/**
 * The published JSON Schemas (SeldonMessage, SeldonMessageList, Feedback of @fastify-seldon/protocol)
 * and the REST routes' own reading (the codec: parseJson, payload decoding, meta checks, the
 * Feedback proto parser) must say the same thing: over generated and mutated documents, a route
 * refuses a body (400) exactly when Ajv with the schema refuses it — but for the intentional
 * differences below, which each schema's `description` lists too.
 *
 * Size: SCHEMA_RUNS documents per schema (default 300, enough for CI; e.g. SCHEMA_RUNS=20000 for
 * a long run); FUZZ_SEED replays a run.
 */
import fc from 'fast-check'
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import { seldonComponent } from '@fastify-seldon/component'
import { isPrometheusLabelName } from '@fastify-seldon/core'
import { feedbackSchema, seldonMessageListSchema, seldonMessageSchema } from '@fastify-seldon/protocol'
import { feedback, messageList, mutated, seldonMessage } from './reliability/arbitraries.js'
import { FUZZ_SEED } from './reliability/helpers.js'

const RUNS = (() => {
  const n = Number(process.env.SCHEMA_RUNS ?? '')
  return Number.isInteger(n) && n > 0 ? n : 300
})()

t.setTimeout(Math.max(120_000, RUNS * 3 * 20))
t.comment(`SCHEMA_RUNS=${RUNS} FUZZ_SEED=${FUZZ_SEED}`)

// Ajv as a user of the published schemas would run it: strict, NaN/Infinity allowed (as Python's json).
const Ajv = AjvModule.default
const ajv = new Ajv({ strict: true, strictNumbers: false, allErrors: true })

type Kind = 'SeldonMessage' | 'SeldonMessageList' | 'Feedback'

// ── where the messages of a document sit ───────────────────────────────────────────────────────

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v)
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** JSON Pointer segments of every SeldonMessage in a document of `kind`. */
function messagePaths (kind: Kind, doc: Json): string[][] {
  if (kind === 'SeldonMessage') return [[]]
  if (kind === 'Feedback') return ['request', 'response', 'truth'].map(k => [k])
  if (Array.isArray(doc)) return doc.map((_, i) => [String(i)])
  if (isObject(doc) && Array.isArray(doc.seldonMessages)) return doc.seldonMessages.map((_, i) => ['seldonMessages', String(i)])
  return []
}

function at (doc: Json, path: readonly string[]): Json | undefined {
  let v: Json | undefined = doc
  for (const k of path) v = Array.isArray(v) ? v[Number(k)] : isObject(v) && has(v, k) ? v[k] : undefined
  return v
}

/** JSON Pointer → its segments, unescaped. */
const segments = (instancePath: string): string[] => instancePath.split('/').slice(1).map(k => k.replaceAll('~1', '/').replaceAll('~0', '~'))
const pointer = (path: readonly string[]): string => path.map(k => `/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')
const inside = (instancePath: string, path: readonly string[]): boolean => {
  const p = pointer(path)
  return instancePath === p || instancePath.startsWith(`${p}/`)
}

/** The payload member a request's codec reads: the first present, in the Python wrapper's order. */
const PAYLOAD_ORDER = ['data', 'jsonData', 'strData', 'binData'] as const
const PAYLOADS = [...PAYLOAD_ORDER, 'customData'] as const

/** Members of a request message (at `base`) the codec does not read: difference 1. */
function unreadMembers (message: Json | undefined, base: string[]): string[][] {
  if (!isObject(message)) return []
  const unread: string[][] = [[...base, 'status']]
  if (isObject(message.meta)) for (const k of Object.keys(message.meta)) if (k !== 'metrics') unread.push([...base, 'meta', k])
  const read = PAYLOAD_ORDER.find(k => has(message, k))
  for (const k of PAYLOADS) if (k !== read) unread.push([...base, k])
  if (read === 'data' && isObject(message.data)) {
    const data = message.data
    const member = (['tensor', 'ndarray', 'tftensor'] as const).find(k => has(data, k) && data[k] !== null)
    for (const k of ['tensor', 'ndarray', 'tftensor']) if (k !== member) unread.push([...base, 'data', k])
  }
  return unread
}

// ── the intentional differences (each schema's `description` lists them too) ─────────────────────

/** Ajv refuses, the codec accepts: an error the difference explains. */
interface SchemaOnly { id: string, why: string, kinds: readonly Kind[], explains: (error: ErrorObject, doc: Json, kind: Kind) => boolean }
/** The codec refuses (400), Ajv accepts: the codec's rule, recognised by its `info` text. */
interface CodecOnly { id: string, why: string, info: RegExp, holds?: (doc: Json) => boolean }

const BASE64 = new RegExp(seldonMessageSchema.definitions.SeldonMessage.properties.binData.pattern, 'u')

/** Errors of combinators only repeat what their branches say (`not` has none); `nullable` failures come as `type`. */
const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'if'])

/** The node of the Feedback schema at an error's `schemaPath` (`#/definitions/...`). */
const feedbackNode = (schemaPath: string): unknown => schemaPath.replace(/^#\//, '').split('/')
  .reduce<unknown>((node, key) => isObject(node) ? node[key] : undefined, feedbackSchema)
/** True when `e` comes from the number branch of an enum field's `anyOf` (`[{ enum: [names] }, INT32]`). */
function inEnumField (e: ErrorObject): boolean {
  const branch = /^(.*\/anyOf)\/\d+\/type$/.exec(e.schemaPath)
  const options = branch === null ? undefined : feedbackNode(branch[1] as string)
  return Array.isArray(options) && options.some(option => isObject(option) && has(option, 'enum'))
}

const SCHEMA_ONLY: readonly SchemaOnly[] = [
  {
    id: 'unread members',
    why: 'a request\'s status, meta members but metrics, payload members after the one read: the codec does not read them, as the Python wrapper',
    kinds: ['SeldonMessage', 'SeldonMessageList'],
    explains: (e, doc, kind) => messagePaths(kind, doc).some(base => unreadMembers(at(doc, base), base).some(p => inside(e.instancePath, p)))
  },
  {
    id: 'several payloads',
    why: 'the schema documents the proto\'s oneof (one payload); the codec reads the first present, as the Python wrapper',
    kinds: ['SeldonMessage', 'SeldonMessageList'],
    explains: (e, doc) => e.schemaPath.endsWith('/SinglePayload/not') && (() => {
      const m = at(doc, segments(e.instancePath))
      return isObject(m) && PAYLOADS.filter(k => has(m, k)).length > 1 && PAYLOAD_ORDER.some(k => has(m, k))
    })()
  },
  {
    id: 'boolean metric value',
    why: 'a metric value true/false counts as 1/0, as Python\'s value + 1',
    kinds: ['SeldonMessage', 'SeldonMessageList'],
    explains: (e, doc) => /\/meta\/metrics\/\d+\/value$/.test(e.instancePath) && typeof at(doc, segments(e.instancePath)) === 'boolean'
  },
  {
    id: 'binData line breaks',
    why: 'line breaks in base64 (MIME style) are ignored, as Python\'s b64decode does',
    kinds: ['SeldonMessage', 'SeldonMessageList'],
    explains: (e, doc) => {
      const value = at(doc, segments(e.instancePath))
      return e.keyword === 'pattern' && /\/binData$/.test(e.instancePath) && typeof value === 'string' && /[\r\n]/.test(value) &&
        BASE64.test(value.replace(/[\r\n]/g, ''))
    }
  },
  {
    id: 'non-canonical proto3 JSON',
    why: 'protobuf\'s JSON parser also takes null (unset), numbers and enums as strings or numbers, booleans for floats and enums, any base64',
    kinds: ['Feedback'],
    explains: (e, doc) => {
      const value = at(doc, segments(e.instancePath))
      if (value === null) return true
      // a payload member set to null is unset: it does not count as a second payload
      if (e.schemaPath.endsWith('/SinglePayload/not')) return isObject(value) && PAYLOADS.filter(k => has(value, k) && value[k] !== null).length <= 1
      // numbers (integers too) written as strings, booleans for floats and for enums (an enum's number
      // branch reports the boolean as its `type` error); nothing else for a wrong type
      if (e.keyword === 'type') {
        const expected = String(e.params.type)
        return (typeof value === 'string' && /number|integer/.test(expected)) ||
          (typeof value === 'boolean' && (expected.includes('number') || (expected === 'integer' && inEnumField(e))))
      }
      // by name or number, a number as a string too, a boolean as int(value) reads it (false is 0)
      if (e.keyword === 'enum') return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      if (e.keyword === 'pattern') return typeof value === 'string' // bytes: base64 in any alphabet
      return false
    }
  }
]

const CODEC_ONLY: readonly CodecOnly[] = [
  { id: 'ragged ndarray', why: 'COMPATIBILITY.md C-05', info: /^ragged ndarray: / },
  { id: 'values fill the shape', why: 'C-04, C-27', info: /^cannot reshape array of size \d+ into shape |declares more than \d+ elements/ },
  { id: 'integers beyond 2^53', why: 'C-11: never lose a client\'s digits', info: /^an integer beyond 2\^53 cannot be mixed with floats|^data\.tensor\.values must be a flat array of numbers$/, holds: doc => /\d{16,}/.test(JSON.stringify(doc)) },
  { id: 'tftensor contents', why: 'C-25, C-28: the schema says object; the codec decodes the TensorProto', info: /tftensor|TensorProto|TensorShapeProto/ },
  {
    id: 'one unknown dimension',
    why: 'C-04: a shape may infer one dimension (-1), as numpy; "at most one" needs maxContains, which draft-07 lacks',
    info: /^can only specify one unknown dimension$/,
    holds: doc => shapes(doc).some(s => s.filter(d => d === -1).length > 1)
  },
  {
    id: 'nesting beyond 512 levels',
    why: 'C-11: a body nested deeper is refused before it is read (no recursion limit in JSON Schema)',
    info: /^Can't find JSON in data$/,
    holds: doc => depth(doc) > MAX_DEPTH
  },
  {
    id: 'metric tag names',
    why: 'C-10: Prometheus label names (no propertyNames in OpenAPI 3.0)',
    info: /tags must map label names to strings$/,
    holds: doc => tagNames(doc).some(n => !isPrometheusLabelName(n))
  }
]

const MAX_DEPTH = 512

function depth (v: Json): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth))
  if (isObject(v)) return 1 + Math.max(0, ...Object.values(v).map(depth))
  return 0
}

/** Every `shape` array under a `tensor` member. */
function shapes (doc: Json): Json[][] {
  const out: Json[][] = []
  const walk = (v: Json | undefined): void => {
    if (Array.isArray(v)) { for (const x of v) walk(x); return }
    if (!isObject(v)) return
    if (isObject(v.tensor) && Array.isArray(v.tensor.shape)) out.push(v.tensor.shape)
    for (const x of Object.values(v)) walk(x)
  }
  walk(doc)
  return out
}

function tagNames (doc: Json): string[] {
  const out: string[] = []
  const walk = (v: Json | undefined, inMetric: boolean): void => {
    if (Array.isArray(v)) { for (const x of v) walk(x, inMetric); return }
    if (!isObject(v)) return
    if (inMetric && isObject(v.tags)) out.push(...Object.keys(v.tags))
    for (const [k, x] of Object.entries(v)) walk(x, k === 'metrics')
  }
  walk(doc, false)
  return out
}

// ── documents at the edges of the rules (the reliability generators rarely hit them) ──────────────

const metricKeys = fc.constantFrom('calls', 'a:b_1', '_x', 'bad key', '1abc', 'é', '', 7, null)
const tagName = fc.constantFrom('kind', '_k', 'a-b', '1x', 'le', '')
const edgeMetric = fc.record({
  key: metricKeys,
  type: fc.constantFrom('COUNTER', 'GAUGE', 'TIMER', 'BAD', 'counter', 0, 1, null),
  // 2 ** 60 prints as an integer beyond 2^53, which the codec reads as a bigint
  value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1, true, false, '1.5', 'NaN', null, 3.5e38, -3.5e38, 2 ** 60)),
  tags: fc.oneof(fc.dictionary(tagName, fc.oneof(fc.string({ maxLength: 3 }), fc.constant(1 as unknown)), { maxKeys: 2 }), fc.constant(null as unknown))
}, { requiredKeys: [] })

/** `levels` arrays, one inside the other. */
function nested (levels: number): unknown {
  let v: unknown = []
  for (let i = 1; i < levels; i++) v = [v]
  return v
}

const base64ish = fc.constantFrom('', 'aGVsbG8=', 'aGVsbG8', 'aGVsbG8_', 'aGVs-G8', 'abc', 'ab', 'a', 'abcde', 'ab==', 'a===', 'aGVs\nbG8=', 'aGVs bG8=', '%%%', 'ab+/', 'ab+', 'ab_-', 5, null)
const edgeData = fc.record({
  names: fc.oneof(fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.constantFrom(null, [1], 'x')),
  tensor: fc.oneof(
    fc.record({
      shape: fc.oneof(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }), fc.constantFrom(null, [2147483648], [1.5], 'x')),
      values: fc.oneof(fc.array(fc.oneof(fc.integer({ min: -9, max: 9 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 4 }), fc.constantFrom(null, [true], ['1'], 5))
    }, { requiredKeys: [] }),
    fc.constantFrom(null, [], 5)
  ),
  ndarray: fc.oneof(fc.constantFrom(null, 5, 'x', [], [[1, 2], [3]], [[1, 2], [3, 4]], [1, 'a', null], [1.5, 2 ** 60])),
  tftensor: fc.constantFrom(null, {}, 5, { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }] }, floatVal: [1] })
}, { requiredKeys: [] })

/** A request message with several, null or odd payload members, meta and metrics at their edges. */
const edgeMessage: fc.Arbitrary<unknown> = fc.record({
  data: fc.oneof(edgeData, fc.constantFrom(null, 5, [])),
  jsonData: fc.oneof(fc.constant(null as unknown), fc.integer(), fc.dictionary(fc.string({ maxLength: 2 }), fc.integer(), { maxKeys: 2 }), fc.constant(nested(MAX_DEPTH + 1))),
  strData: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(null, 5)),
  binData: base64ish,
  customData: fc.constantFrom({}, 5, null),
  meta: fc.oneof(
    fc.record({
      puid: fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom(1, null)),
      tags: fc.constantFrom({}, { a: 1 }, [], null),
      routing: fc.constantFrom({}, { r: 1 }, { r: 'x' }, { r: 2 ** 40 }, null),
      requestPath: fc.constantFrom({}, { m: 'i' }, { m: 1 }, null),
      metrics: fc.oneof(fc.array(edgeMetric, { maxLength: 2 }), fc.constantFrom(null, {}, 5))
    }, { requiredKeys: [] }),
    fc.constantFrom(null, 5, [])
  ),
  status: fc.constantFrom({}, { code: 1, status: 'FAILURE' }, { code: 'x' }, { status: 5 }, null)
}, { requiredKeys: [] })

const edgeList: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(edgeMessage, { maxLength: 3 }),
  fc.array(edgeMessage, { maxLength: 3 }).map(seldonMessages => ({ seldonMessages })),
  fc.constantFrom({}, { seldonMessages: null }, null, 5)
)

const edgeFeedback: fc.Arbitrary<unknown> = fc.record({
  request: fc.oneof(edgeMessage, fc.constant(null as unknown)),
  response: fc.oneof(edgeMessage, fc.constant(null as unknown)),
  truth: fc.oneof(edgeMessage, fc.constant(null as unknown)),
  reward: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1, '1.5', 'NaN', 'Infinity', '-1e39', true, null, 3.4028234663852886e38, 3.5e38, -3.5e38)),
  request_path: fc.constant(1),
  unknown: fc.constant(1)
}, { requiredKeys: [] })

// ── the comparison ─────────────────────────────────────────────────────────────────────────────

interface Case { kind: Kind, url: string, validate: ValidateFunction, arbitrary: fc.Arbitrary<unknown>, edges: fc.Arbitrary<unknown> }

const CASES: readonly Case[] = [
  { kind: 'SeldonMessage', url: '/predict', validate: ajv.compile(seldonMessageSchema), arbitrary: seldonMessage, edges: edgeMessage },
  { kind: 'SeldonMessageList', url: '/aggregate', validate: ajv.compile(seldonMessageListSchema), arbitrary: messageList, edges: edgeList },
  { kind: 'Feedback', url: '/send-feedback', validate: ajv.compile(feedbackSchema), arbitrary: feedback, edges: edgeFeedback }
]

/** Every route reads its body; the component's methods answer without looking at it. */
async function server (t: Test): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: { predict: () => 'ok', aggregate: () => 'ok', sendFeedback: () => [] } })
  await app.ready()
  return app
}

interface Verdict { agree: boolean, schemaOk: boolean, codecOk: boolean, explainedBy?: string, problem?: string }

/** One document, as text: what Ajv says of JSON.parse(text), what the route answers to the text. */
async function compare (app: FastifyInstance, c: Case, text: string): Promise<Verdict> {
  const doc = JSON.parse(text) as Json
  const schemaOk = c.validate(doc)
  const res = await app.inject({ method: 'POST', url: c.url, payload: text, headers: { 'content-type': 'application/json' } })
  if (res.statusCode >= 500) return { agree: false, schemaOk, codecOk: false, problem: `${res.statusCode} ${res.body}` }
  const codecOk = res.statusCode !== 400
  if (schemaOk === codecOk) return { agree: true, schemaOk, codecOk }
  if (!schemaOk) {
    const errors = (c.validate.errors ?? []).filter(e => !COMBINATORS.has(e.keyword))
    const why = errors.map(e => SCHEMA_ONLY.find(d => d.kinds.includes(c.kind) && d.explains(e, doc, c.kind)))
    if (errors.length > 0 && why.every(d => d !== undefined)) return { agree: false, schemaOk, codecOk, explainedBy: [...new Set(why.map(d => d?.id))].join(', ') }
    const unexplained = errors.filter((_, i) => why[i] === undefined).map(e => `${e.instancePath} ${e.keyword} ${e.message ?? ''}`)
    return { agree: false, schemaOk, codecOk, problem: `Ajv refuses (${unexplained.join('; ')}), the route accepts` }
  }
  const info = (JSON.parse(res.body) as { status: { info: string } }).status.info
  const rule = CODEC_ONLY.find(d => d.info.test(info) && (d.holds?.(doc) ?? true))
  if (rule !== undefined) return { agree: false, schemaOk, codecOk, explainedBy: rule.id }
  return { agree: false, schemaOk, codecOk, problem: `Ajv accepts, the route refuses: ${info}` }
}

for (const c of CASES) {
  t.test(`${c.kind}: the route refuses exactly what the schema refuses, generated and mutated documents`, async t => {
    const app = await server(t)
    const tally = new Map<string, number>()
    const count = (key: string): void => { tally.set(key, (tally.get(key) ?? 0) + 1) }
    await fc.assert(fc.asyncProperty(fc.oneof(c.arbitrary, mutated(c.arbitrary), mutated(c.arbitrary), c.edges, mutated(c.edges)), async value => {
      const v = await compare(app, c, JSON.stringify(value) ?? 'null')
      if (v.problem !== undefined) throw new Error(`${v.problem}\n  document: ${JSON.stringify(value)}`)
      count(v.agree ? `agree: ${v.schemaOk ? 'valid' : 'refused'}` : `difference: ${v.explainedBy ?? '?'}`)
    }), { seed: FUZZ_SEED, numRuns: RUNS })
    t.comment(JSON.stringify(Object.fromEntries([...tally].sort())))
    t.ok((tally.get('agree: valid') ?? 0) > 0 && (tally.get('agree: refused') ?? 0) > 0, 'both valid and refused documents were generated')
  })
}

/** Each listed difference, shown on one document: the disagreement is real and explained by that entry. */
const EXAMPLES: ReadonlyArray<[Kind, string, string]> = [
  ['SeldonMessage', '{"strData":"x","status":{"code":"x"}}', 'unread members'],
  ['SeldonMessage', '{"strData":"x","meta":{"puid":1,"routing":{"r":"x"}}}', 'unread members'],
  ['SeldonMessage', '{"data":{"tensor":{"shape":[1],"values":[1]},"ndarray":5}}', 'unread members'],
  ['SeldonMessageList', '[{"strData":"x","meta":{"requestPath":{"m":1}}}]', 'unread members'],
  ['SeldonMessage', '{"data":{"ndarray":[[1,2]]},"strData":"x"}', 'several payloads'],
  ['SeldonMessage', '{"strData":"x","meta":{"metrics":[{"key":"k","value":true}]}}', 'boolean metric value'],
  ['SeldonMessage', '{"binData":"aGVs\\nbG8="}', 'binData line breaks'],
  ['Feedback', '{"reward":"1.5"}', 'non-canonical proto3 JSON'],
  ['Feedback', '{"request":null,"reward":null}', 'non-canonical proto3 JSON'],
  ['Feedback', '{"response":{"meta":{"routing":{"r":"1"},"metrics":[{"key":"k","type":1}]}}}', 'non-canonical proto3 JSON'],
  ['Feedback', '{"response":{"meta":{"metrics":[{"key":"k","type":false}]}}}', 'non-canonical proto3 JSON'],
  ['Feedback', '{"request":{"status":{"status":false}}}', 'non-canonical proto3 JSON'], // an enum with a number branch
  ['SeldonMessage', '{"data":{"ndarray":[[1,2],[3]]}}', 'ragged ndarray'],
  ['SeldonMessage', '{"data":{"tensor":{"shape":[2,2],"values":[1,2,3]}}}', 'values fill the shape'],
  ['SeldonMessage', '{"data":{"tensor":{"shape":[0,10000000],"values":[]}}}', 'values fill the shape'],
  ['SeldonMessage', '{"data":{"ndarray":[[12345678901234567890123,1.5]]}}', 'integers beyond 2^53'],
  ['SeldonMessage', '{"data":{"tensor":{"shape":[2],"values":[12345678901234567890123,2]}}}', 'integers beyond 2^53'],
  ['SeldonMessage', '{"data":{"tftensor":{"dtype":"DT_HALF"}}}', 'tftensor contents'],
  ['Feedback', '{"request":{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"2"}]},"floatVal":[1,2,3]}}}}', 'tftensor contents'],
  ['SeldonMessage', '{"strData":"x","meta":{"metrics":[{"key":"k","tags":{"a-b":"x"}}]}}', 'metric tag names'],
  ['SeldonMessage', '{"data":{"tensor":{"shape":[-1,2],"values":[1,2,3]}}}', 'values fill the shape'],
  ['SeldonMessage', '{"data":{"tensor":{"shape":[-1,-1],"values":[1]}}}', 'one unknown dimension'],
  ['Feedback', '{"truth":{"data":{"tensor":{"shape":[-1,-1],"values":[1]}}}}', 'one unknown dimension'],
  ['SeldonMessage', `{"jsonData":${JSON.stringify(nested(MAX_DEPTH))}}`, 'nesting beyond 512 levels'],
  ['SeldonMessageList', `[{"strData":"x","meta":{"tags":{"t":${JSON.stringify(nested(MAX_DEPTH))}}}}]`, 'nesting beyond 512 levels']
]

t.test('every listed difference happens, and is the one named', async t => {
  const app = await server(t)
  const listed = new Set([...SCHEMA_ONLY, ...CODEC_ONLY].map(d => d.id))
  for (const [kind, text, id] of EXAMPLES) {
    t.ok(listed.has(id), `${id} is listed`)
    const v = await compare(app, CASES.find(c => c.kind === kind) as Case, text)
    t.equal(v.agree, false, `${kind} ${text}: the schema and the route disagree`)
    t.equal(v.problem, undefined, `${text}: explained`)
    t.equal(v.explainedBy, id, `${text}: by "${id}"`)
  }
  t.same([...listed].filter(id => !EXAMPLES.some(e => e[2] === id)), [], 'each listed difference has an example')
  for (const schema of [seldonMessageSchema, seldonMessageListSchema, feedbackSchema]) t.match(schema.description, /^Intentional differences/, `${schema.$id} lists them`)
})

t.test('where the schema and the route agree at the edges', async t => {
  const app = await server(t)
  const AGREE: ReadonlyArray<[Kind, string, boolean]> = [
    ['SeldonMessage', '{"binData":"abc"}', true], // unpadded (C-24)
    ['SeldonMessage', '{"binData":"aGVsbG8_"}', true], // URL-safe (C-24)
    ['SeldonMessage', '{"binData":"a"}', false],
    ['SeldonMessage', '{"binData":"ab+"}', false],
    ['SeldonMessage', '{"strData":"x","meta":{"metrics":[{"key":"c"}]}}', true], // COUNTER of 0 (C-10)
    ['SeldonMessage', '{"strData":"x","meta":{"metrics":[{"value":1}]}}', false],
    ['SeldonMessage', '{"strData":"x","meta":{"metrics":[{"key":"bad key"}]}}', false],
    ['SeldonMessage', '{"strData":"x","meta":null}', true],
    ['SeldonMessage', '{"data":{"names":null,"tensor":null,"ndarray":[1]}}', true],
    ['SeldonMessage', '{"data":{"tensor":{"values":[1]}}}', false], // REST needs the shape (C-23)
    ['SeldonMessage', '{"data":{"tensor":{"shape":[-2],"values":[1]}}}', false],
    ['SeldonMessage', '{"customData":{}}', false],
    ['SeldonMessageList', '[]', false],
    ['Feedback', '{"reward":3.5e38}', false], // beyond float32
    ['Feedback', '{"reward":3.4028234663852886e38}', true],
    ['Feedback', '{"response":{"status":{"status":4121256229895097}}}', false], // beyond int32
    ['Feedback', '{"request":{"status":{"code":true}}}', false], // a boolean is an enum's number, not an integer's
    ['Feedback', '{"request":{"data":{"tensor":{"values":[1]}}}}', true], // the proto's tensor: shape optional
    ['SeldonMessage', '{"strData":"x","meta":{"metrics":[{"key":"k","value":12345678901234567890123}]}}', true], // a number, however long
    ['SeldonMessage', `{"jsonData":${JSON.stringify(nested(MAX_DEPTH - 1))}}`, true], // 512 levels with the message
    ['Feedback', '{"request":{"customData":{}}}', false], // an Any the REST parser cannot read
    ['Feedback', '{"response":{"customData":{"@type":"type.googleapis.com/google.protobuf.Value","value":1}}}', false]
  ]
  for (const [kind, text, valid] of AGREE) {
    const v = await compare(app, CASES.find(c => c.kind === kind) as Case, text)
    t.same({ agree: v.agree, schemaOk: v.schemaOk }, { agree: true, schemaOk: valid }, `${kind} ${text}: ${valid ? 'both accept' : 'both refuse'}`)
  }
})
