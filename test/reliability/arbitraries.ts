/**
 * fast-check generators of what a network may send a model server: SeldonMessages, Feedback and
 * message lists (well formed, then mutated structurally), their JSON text mutated (truncated,
 * spliced, weird number tokens, deep nesting), random bytes, whole REST requests (method,
 * route, content type, where the payload sits), and gRPC requests (encoded, mutated, random bytes).
 */
import fc from 'fast-check'
import { encodeFeedback, encodeSeldonMessage, encodeSeldonMessageList, encodeSeldonModelMetadataRequest } from '@fastify-seldon/protocol'
import { RPCS } from './helpers.js'

/** Keys that would reach a prototype if a parser or a merge assigned them naively. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const

const key: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, 'toString', 'hasOwnProperty', 'valueOf', 'data', 'meta') }
)

const numberLeaf: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1, -1, 1.5, 1e308, 5e-324, 2 ** 53, -(2 ** 53), 2 ** 31, 255)
)

const leaf: fc.Arbitrary<unknown> = fc.oneof(numberLeaf, fc.boolean(), fc.constant(null), fc.string({ maxLength: 12 }))

/** Any JSON value, object keys including the prototype ones. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 })
  )
})).value

const dims = (maxRank: number, maxDim: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: 0, max: maxDim }), { maxLength: maxRank })

function nest (shape: number[], values: unknown[]): unknown {
  if (shape.length === 0) return values[0]
  const [n, ...rest] = shape as [number, ...number[]]
  const step = rest.reduce((a, b) => a * b, 1)
  return Array.from({ length: n }, (_, i) => nest(rest, values.slice(i * step, (i + 1) * step)))
}

/** A rectangular nested list (numbers, sometimes mixed). */
const ndarray: fc.Arbitrary<unknown[]> = fc.tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.boolean())
  .chain(([shape, mixed]) => {
    const size = shape.reduce((a, b) => a * b, 1)
    return fc.array(mixed ? leaf : numberLeaf, { minLength: size, maxLength: size }).map(values => nest(shape, values) as unknown[])
  })

const tensor = dims(3, 4).chain(shape => {
  const size = shape.reduce((a, b) => a * b, 1)
  return fc.array(numberLeaf, { minLength: size, maxLength: size }).map(values => ({ shape, values }))
})

const TF = [
  ['DT_FLOAT', 4, 'floatVal'], ['DT_DOUBLE', 8, 'doubleVal'], ['DT_INT32', 4, 'intVal'], ['DT_UINT8', 1, 'intVal'],
  ['DT_INT16', 2, 'intVal'], ['DT_INT8', 1, 'intVal'], ['DT_INT64', 8, 'int64Val'], ['DT_BOOL', 1, 'boolVal'],
  ['DT_STRING', 0, 'stringVal'], ['DT_UINT32', 4, 'uint32Val'], ['DT_UINT64', 8, 'uint64Val'], ['DT_HALF', 2, 'halfVal']
] as const

const tftensor = fc.tuple(fc.constantFrom(...TF), dims(3, 3), fc.boolean(), fc.integer({ min: 0, max: 3 })).chain(([[dtype, bytes, field], shape, content, fewer]): fc.Arbitrary<Record<string, unknown>> => {
  const size = shape.reduce((a, b) => a * b, 1)
  const tensorShape = { dim: shape.map(size => ({ size: String(size) })) }
  if (content && bytes > 0) {
    return fc.uint8Array({ minLength: size * bytes, maxLength: size * bytes }).map(b => ({ dtype, tensorShape, tensorContent: Buffer.from(b).toString('base64') }))
  }
  // fewer values than the shape: TensorFlow's fill rule
  const n = Math.max(size > 0 ? 1 : 0, size - fewer)
  const value = field === 'stringVal'
    ? fc.base64String({ maxLength: 8 })
    : field === 'boolVal'
      ? fc.boolean()
      : field === 'int64Val' || field === 'uint64Val'
        ? fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String)
        : fc.integer({ min: 0, max: 127 })
  return fc.array(value as fc.Arbitrary<unknown>, { minLength: n, maxLength: n }).map(values => ({ dtype, tensorShape, [field]: values }))
})

const names = fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 })

export const defaultData = fc.oneof(
  fc.record({ names, ndarray }, { requiredKeys: ['ndarray'] }),
  fc.record({ names, tensor }, { requiredKeys: ['tensor'] }),
  fc.record({ names, tftensor }, { requiredKeys: ['tftensor'] })
)

const metricKey = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/)
const metric = fc.record({
  key: metricKey,
  type: fc.constantFrom('COUNTER', 'GAUGE', 'TIMER'),
  value: fc.double({ min: 0, max: 1e6, noNaN: true }),
  tags: fc.dictionary(metricKey, fc.string({ maxLength: 6 }), { maxKeys: 2 })
}, { requiredKeys: ['key', 'type', 'value'] })

export const meta = fc.record({
  puid: fc.string({ maxLength: 10 }),
  tags: fc.dictionary(key, jsonValue, { maxKeys: 4 }),
  routing: fc.dictionary(key, fc.integer({ min: -1, max: 5 }), { maxKeys: 3 }),
  requestPath: fc.dictionary(key, fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  metrics: fc.array(metric, { maxLength: 3 })
}, { requiredKeys: [] })

const status = fc.record({ code: fc.integer({ min: 0, max: 600 }), info: fc.string({ maxLength: 8 }), reason: fc.string({ maxLength: 8 }), status: fc.constantFrom('SUCCESS', 'FAILURE') }, { requiredKeys: [] })

/** A well-formed SeldonMessage (JSON form): one payload, maybe meta and status. */
export const seldonMessage: fc.Arbitrary<Record<string, unknown>> = fc.tuple(
  fc.oneof(
    { weight: 5, arbitrary: defaultData.map(data => ({ data })) },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 24 }).map(binData => ({ binData })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 16 }).map(strData => ({ strData })) },
    { weight: 2, arbitrary: jsonValue.map(jsonData => ({ jsonData })) }
  ),
  fc.option(meta, { nil: undefined }),
  fc.option(status, { freq: 8, nil: undefined })
).map(([payload, m, s]) => ({ ...payload, ...(m !== undefined ? { meta: m } : {}), ...(s !== undefined ? { status: s } : {}) }))

/** A Feedback (JSON form). */
export const feedback: fc.Arbitrary<Record<string, unknown>> = fc.record({
  request: seldonMessage,
  response: seldonMessage,
  reward: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -5, max: 5 })),
  truth: seldonMessage
}, { requiredKeys: [] })

/** An aggregate body: a bare list, or `{"seldonMessages": [...]}`. */
export const messageList: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(seldonMessage, { maxLength: 4 }),
  fc.array(seldonMessage, { maxLength: 4 }).map(seldonMessages => ({ seldonMessages }))
)

// ── structural mutation ────────────────────────────────────────────────────────────────────────

type Slot = { parent: Record<string, unknown> | unknown[], key: string | number }

function slots (value: unknown, out: Slot[] = [], depth = 0): Slot[] {
  if (depth > 12 || value === null || typeof value !== 'object') return out
  if (Array.isArray(value)) {
    value.forEach((v, i) => { out.push({ parent: value, key: i }); slots(v, out, depth + 1) })
  } else {
    for (const k of Object.keys(value)) { out.push({ parent: value as Record<string, unknown>, key: k }); slots((value as Record<string, unknown>)[k], out, depth + 1) }
  }
  return out
}

function define (target: Record<string, unknown> | unknown[], k: string | number, v: unknown): void {
  Object.defineProperty(target, k, { value: v, writable: true, enumerable: true, configurable: true })
}

const MUTATIONS = ['replace', 'delete', 'wrap', 'stringify', 'addKey', 'nullify', 'emptyObject', 'emptyArray'] as const

/** One structural change somewhere in a copy of `value` (the copy is made through JSON). */
export function mutate (value: unknown, where: number, how: typeof MUTATIONS[number], replacement: unknown, extraKey: string): unknown {
  const copy = JSON.parse(JSON.stringify(value) ?? 'null') as unknown
  const all = slots(copy)
  if (all.length === 0) return how === 'wrap' ? [copy] : replacement
  const slot = all[where % all.length] as Slot
  const current = (slot.parent as Record<string | number, unknown>)[slot.key]
  switch (how) {
    case 'replace': define(slot.parent, slot.key, replacement); break
    case 'delete':
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1)
      else delete (slot.parent as Record<string, unknown>)[slot.key as string]
      break
    case 'wrap': define(slot.parent, slot.key, [current]); break
    case 'stringify': define(slot.parent, slot.key, JSON.stringify(current) ?? 'undefined'); break
    case 'addKey':
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) define(current as Record<string, unknown>, extraKey, replacement)
      else define(slot.parent, slot.key, { [extraKey]: current })
      break
    case 'nullify': define(slot.parent, slot.key, null); break
    case 'emptyObject': define(slot.parent, slot.key, {}); break
    case 'emptyArray': define(slot.parent, slot.key, []); break
  }
  return copy
}

/** `base`, or `base` with one to three structural mutations. */
export function mutated (base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const step = fc.tuple(fc.nat(), fc.constantFrom(...MUTATIONS), jsonValue, key)
  return fc.tuple(base, fc.array(step, { minLength: 0, maxLength: 3 })).map(([value, steps]) => {
    let v = value
    for (const [where, how, replacement, extraKey] of steps) v = mutate(v, where, how, replacement, extraKey)
    return v
  })
}

// ── text-level mutation ────────────────────────────────────────────────────────────────────────

/** Number spellings a JSON parser or a numeric codec may choke on. */
export const WEIRD_NUMBERS = [
  '1e400', '-1e400', '1e-400', '-0', '0.0', '-0.0', '123456789012345678901234567890', '-123456789012345678901234567890',
  '9007199254740993', '18446744073709551616', '-9223372036854775809', '9223372036854775807', 'NaN', 'Infinity',
  '-Infinity', '1E+2', '0e0', '1.7976931348623157e309', '4.9e-325', '00', '01', '1.', '.1', '+1', '0x10', '1_000',
  '1e', '-', '2e-308', '1' + '0'.repeat(400), '0.' + '0'.repeat(400) + '1'
]

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g

export type TextMutation =
  | { kind: 'truncate', at: number }
  | { kind: 'splice', at: number, text: string }
  | { kind: 'byte', at: number, byte: number }
  | { kind: 'number', nth: number, token: string }
  | { kind: 'nest', depth: number, open: string, at: number }

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '\\u', '\\ud800', 'null', '\u0000', '\uffff')) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('number' as const), nth: fc.nat(), token: fc.constantFrom(...WEIRD_NUMBERS) }),
  fc.record({ kind: fc.constant('nest' as const), depth: fc.oneof(fc.integer({ min: 500, max: 520 }), fc.integer({ min: 1, max: 20_000 })), open: fc.constantFrom('[', '{"a":', '{"jsonData":', '{"ndarray":'), at: fc.nat() })
)

/** Apply a text mutation to JSON text; the result may be any bytes. */
export function mutateText (text: string, m: TextMutation): Buffer {
  const at = (n: number): number => text.length === 0 ? 0 : n % (text.length + 1)
  switch (m.kind) {
    case 'truncate': return Buffer.from(text.slice(0, at(m.at)), 'utf8')
    case 'splice': { const i = at(m.at); return Buffer.from(text.slice(0, i) + m.text + text.slice(i), 'utf8') }
    case 'byte': {
      const b = Buffer.from(text, 'utf8')
      if (b.length > 0) b[m.at % b.length] = m.byte
      return b
    }
    case 'number': {
      const matches = [...text.matchAll(NUMBER_TOKEN)]
      if (matches.length === 0) return Buffer.from(text, 'utf8')
      const hit = matches[m.nth % matches.length] as RegExpMatchArray
      const i = hit.index ?? 0
      return Buffer.from(text.slice(0, i) + m.token + text.slice(i + hit[0].length), 'utf8')
    }
    case 'nest': {
      const close = m.open === '[' ? ']' : '}'
      const deep = m.open.repeat(m.depth) + (m.open === '[' ? '' : '1') + close.repeat(m.depth)
      // somewhere a value can sit: after a colon or an opening bracket, else the whole body
      const spots = [...text.matchAll(/[:[]/g)].map(x => (x.index ?? 0) + 1)
      if (spots.length === 0) return Buffer.from(deep, 'utf8')
      const i = spots[m.at % spots.length] as number
      const rest = text.slice(i)
      // replace the value that was there (up to the next , ] or }) when simple, else insert
      const end = rest.search(/[,\]}]/)
      return Buffer.from(text.slice(0, i) + deep + (end > 0 && !/[[{"]/.test(rest.slice(0, end)) ? rest.slice(end) : (rest.startsWith(']') ? rest : `,${rest}`)), 'utf8')
    }
  }
}

// ── whole REST requests ────────────────────────────────────────────────────────────────────────

/** The wrapper's route table (docs/wrapper-behaviour.md, "REST endpoints"): path, methods, what it reads. */
export const DISPATCH_ROUTES = [
  { url: '/predict', methods: ['GET', 'POST'], body: 'message' },
  { url: '/api/v1.0/predictions', methods: ['POST'], body: 'message' },
  { url: '/api/v0.1/predictions', methods: ['POST'], body: 'message' },
  { url: '/send-feedback', methods: ['GET', 'POST'], body: 'feedback' },
  { url: '/api/v1.0/feedback', methods: ['POST'], body: 'feedback' },
  { url: '/api/v0.1/feedback', methods: ['POST'], body: 'feedback' },
  { url: '/transform-input', methods: ['GET', 'POST'], body: 'message' },
  { url: '/transform-output', methods: ['GET', 'POST'], body: 'message' },
  { url: '/route', methods: ['GET', 'POST'], body: 'message' },
  { url: '/aggregate', methods: ['GET', 'POST'], body: 'list' }
] as const

export const OTHER_ROUTES = ['/health/ping', '/health/status', '/api/v1.0/health/status', '/metadata', '/api/v1.0/metadata', '/seldon.json'] as const

export const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/vnd.seldon+json', 'text/plain',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=fuzz', 'multipart/form-data',
  'application/octet-stream', 'application/xml', 'application/json; charset=utf-16', '*/*', 'json', ''
] as const

export type Delivery = 'body' | 'query' | 'form' | 'multipart'

export interface RestRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload: Buffer | undefined
  /** What was sent, as text (for the internals check: the client's own text may be echoed). */
  sent: string
}

const encodeQuery = (text: string): string => encodeURIComponent(text)

function multipartBody (value: unknown, boundary: string): Buffer {
  const parts: string[] = []
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'binData' && typeof v === 'string') {
        parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="binData"; filename="b.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${Buffer.from(v, 'base64').toString('latin1')}\r\n`)
      } else {
        parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '_')}"\r\n\r\n${k === 'strData' && typeof v === 'string' ? v : JSON.stringify(v)}\r\n`)
      }
    }
  } else {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n${JSON.stringify(value)}\r\n`)
  }
  return Buffer.from(parts.join('') + `--${boundary}--\r\n`, 'latin1')
}

/** Build the request for a payload value (or raw bytes) on a route. */
export function restRequest (route: { url: string, methods: readonly string[] }, delivery: Delivery, value: unknown, raw: Buffer | undefined, contentType: string): RestRequest {
  const text = raw !== undefined ? raw.toString('utf8') : (JSON.stringify(value) ?? 'null')
  if (delivery === 'query' && route.methods.includes('GET')) {
    return { method: 'GET', url: `${route.url}?json=${encodeQuery(text)}`, headers: {}, payload: undefined, sent: text }
  }
  if (delivery === 'form') {
    return { method: 'POST', url: route.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: Buffer.from(`json=${encodeQuery(text)}`), sent: text }
  }
  if (delivery === 'multipart' && raw === undefined) {
    return { method: 'POST', url: route.url, headers: { 'content-type': 'multipart/form-data; boundary=fuzz' }, payload: multipartBody(value, 'fuzz'), sent: text }
  }
  const payload = raw ?? Buffer.from(text, 'utf8')
  return { method: 'POST', url: route.url, headers: contentType === '' ? {} : { 'content-type': contentType }, payload, sent: text }
}

const bodyFor = (kind: 'message' | 'feedback' | 'list'): fc.Arbitrary<unknown> =>
  kind === 'feedback' ? feedback : kind === 'list' ? messageList : seldonMessage

/** Structured requests: a (maybe mutated) message of the route's kind, sometimes of another kind. */
export const structuredRequest: fc.Arbitrary<RestRequest> = fc.tuple(
  fc.constantFrom(...DISPATCH_ROUTES),
  fc.constantFrom<Delivery>('body', 'body', 'body', 'body', 'query', 'form', 'multipart'),
  fc.boolean()
).chain(([route, delivery, ownKind]) => {
  const body = ownKind ? bodyFor(route.body) : fc.oneof(seldonMessage, feedback, messageList, jsonValue)
  return fc.oneof({ weight: 1, arbitrary: body }, { weight: 2, arbitrary: mutated(body) })
    .map(value => restRequest(route, delivery, value, undefined, 'application/json'))
})

/** Text-level requests: JSON text mutated, weird numbers, deep nesting, random bytes, any content type. */
export const textRequest: fc.Arbitrary<RestRequest> = fc.tuple(
  fc.constantFrom(...DISPATCH_ROUTES),
  fc.constantFrom<Delivery>('body', 'body', 'body', 'query', 'form'),
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.oneof(seldonMessage, feedback, messageList), fc.array(textMutation, { minLength: 1, maxLength: 3 }))
        .map(([value, ms]) => ms.reduce((b: Buffer, m) => mutateText(b.toString('utf8'), m), Buffer.from(JSON.stringify(value), 'utf8')))
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map(b => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }).map(s => Buffer.from(s, 'utf8')) }
  ),
  fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) })
).map(([route, delivery, raw, contentType]) => restRequest(route, delivery, undefined, raw, contentType))

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

/** Any method on any path: the route table, unknown paths, odd URLs, query strings. */
export const anyRouteRequest: fc.Arbitrary<RestRequest> = fc.tuple(
  fc.constantFrom(...METHODS),
  fc.oneof(
    fc.constantFrom(...DISPATCH_ROUTES.map(r => r.url), ...OTHER_ROUTES),
    fc.constantFrom('/', '/nope', '/predict/', '//predict', '/api/v1.0/predictions/x', '/metrics', '/%', '/%E0%A4%A', '/predict%00', '/../etc/passwd', '/health/ping?x=%ZZ'),
    fc.webPath()
  ),
  fc.oneof(fc.constant(''), fc.webQueryParameters().map(q => `?${q}`), fc.constantFrom('?json=', '?json=%ZZ', '?json=1&json=2', '?json[a]=1', '?json=null', '?__proto__[x]=1')),
  fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
  fc.constantFrom(...CONTENT_TYPES)
).map(([method, path, query, body, contentType]) => {
  const url = path.startsWith('/') ? path : `/${path}`
  const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD'
  return {
    method,
    url: `${url}${url.includes('?') ? '' : query}`,
    headers: withBody && contentType !== '' ? { 'content-type': contentType } as Record<string, string> : {},
    payload: withBody ? Buffer.from(body) : undefined,
    sent: `${url}${query}`
  }
})

// ── gRPC requests ──────────────────────────────────────────────────────────────────────────────

export type Rpc = typeof RPCS[number]

/** The request bytes of a well-formed value of the RPC's type (undefined when the codec refuses it). */
export function encodeFor (rpc: Rpc, value: unknown): Buffer | undefined {
  try {
    switch (rpc.request) {
      case 'SeldonMessage': return encodeSeldonMessage(value as never)
      case 'SeldonMessageList': return encodeSeldonMessageList((Array.isArray(value) ? { seldonMessages: value } : value) as never)
      case 'Feedback': return encodeFeedback(value as never)
      case 'SeldonModelMetadataRequest': return encodeSeldonModelMetadataRequest({ name: typeof value === 'string' ? value : '' })
      case 'Empty': return Buffer.alloc(0)
    }
  } catch {
    return undefined
  }
}

const valueFor = (rpc: Rpc): fc.Arbitrary<unknown> =>
  rpc.request === 'Feedback' ? feedback : rpc.request === 'SeldonMessageList' ? messageList : rpc.request === 'SeldonModelMetadataRequest' ? fc.string() : seldonMessage

type ByteMutation =
  | { kind: 'flip', at: number, bit: number }
  | { kind: 'set', at: number, byte: number }
  | { kind: 'truncate', at: number }
  | { kind: 'splice', at: number, bytes: Uint8Array }
  | { kind: 'duplicate', at: number, length: number }
  | { kind: 'delete', at: number, length: number }

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x32, 0x3a) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) })
)

function mutateBytes (input: Buffer, m: ByteMutation): Buffer {
  const b = Buffer.from(input)
  const at = b.length === 0 ? 0 : m.at % b.length
  switch (m.kind) {
    case 'flip': if (b.length > 0) b[at] = (b[at] as number) ^ (1 << m.bit); return b
    case 'set': if (b.length > 0) b[at] = m.byte; return b
    case 'truncate': return b.subarray(0, at)
    case 'splice': return Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)])
    case 'duplicate': return Buffer.concat([b.subarray(0, at + m.length), b.subarray(at, at + m.length), b.subarray(at + m.length)])
    case 'delete': return Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)])
  }
}

export interface GrpcInput { rpc: Rpc, bytes: Buffer, origin: 'valid' | 'mutated' | 'random' }

export const grpcInput: fc.Arbitrary<GrpcInput> = fc.constantFrom(...RPCS).chain(rpc => fc.oneof(
  { weight: 2, arbitrary: valueFor(rpc).map(v => encodeFor(rpc, v)).filter((b): b is Buffer => b !== undefined).map(bytes => ({ rpc, bytes, origin: 'valid' as const })) },
  {
    weight: 5,
    arbitrary: fc.tuple(valueFor(rpc).map(v => encodeFor(rpc, v)).filter((b): b is Buffer => b !== undefined), fc.array(byteMutation, { minLength: 1, maxLength: 4 }))
      .map(([bytes, ms]) => ({ rpc, bytes: ms.reduce(mutateBytes, bytes), origin: 'mutated' as const }))
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map(b => ({ rpc, bytes: Buffer.from(b), origin: 'random' as const })) }
))
