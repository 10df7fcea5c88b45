/**
 * JSON Schemas (draft-07) of the Seldon REST messages, as plain objects, and a helper turning
 * validator errors into the `info` text of a 400.
 *
 * They document the messages the REST routes read, in the proto's types; the routes do not
 * validate with them (the codec checks by hand, faster), and a property test keeps the two in
 * agreement: the codec refuses (400) exactly the documents a validator refuses with these schemas,
 * but for the intentional differences each schema's `description` lists (and the test names).
 *
 *   - a SeldonMessage request carries one payload among data, binData, strData and jsonData;
 *     customData is gRPC-only, so REST refuses it alone (and Feedback at all: its JSON Any is unreadable);
 *   - unknown keys are ignored at every level of a request (the wrapper reads the keys it knows;
 *     `{"data":{"foo":[1]}}` is answered with an empty ndarray), and `data` may carry several of
 *     tensor/ndarray/tftensor (the first in that order wins), so neither is refused here;
 *   - Feedback is parsed strictly by the Python wrapper (protobuf's json_format): unknown keys are
 *     refused at every level and its messages may carry no payload (a `response` with just meta);
 *   - `nullable` (OpenAPI 3.0's keyword, which Ajv knows) marks the members whose JSON null the
 *     routes read as absent, as proto3 JSON does.
 *
 * Numbers: the wrapper accepts NaN and Infinity tokens, so compile with `strictNumbers: false`
 * to let them through `type: number`. Integers beyond 2^53 parse to bigint and fail
 * `type: number`/`integer`; numpy would take them, so a caller that must accept them should
 * validate before converting or skip the numeric leaves.
 */

/** What the codec of a SeldonMessage request does not check, or checks beyond these schemas. */
const REQUEST_DIFFERENCES = [
  'Intentional differences from the routes (which do not validate with this schema): ' +
  '(1) unread members are not checked: a request\'s `status`, the `meta` members other than `metrics`, ' +
  'and payload members after the one read (the first present of data, jsonData, strData, binData; ' +
  'in `data`, the first non-null of tensor, ndarray, tftensor), as the Python wrapper reads them; ' +
  '(2) a boolean metric value is read as 1 or 0, as Python adds it; ' +
  '(3) rules a schema cannot state are the codec\'s: an ndarray must be rectangular (COMPATIBILITY.md C-05), ' +
  'tensor values must fill the shape and an empty array may declare at most 2^20 elements (C-04, C-27), ' +
  'an integer beyond 2^53 is refused where it would lose digits (C-11), a tftensor must be a TensorProto ' +
  'the codec decodes (C-25, C-28), metric tag names must be Prometheus label names (C-10), ' +
  'a tensor shape has at most one -1, JSON nested deeper than 512 levels is refused (C-11), ' +
  'and line breaks in binData are ignored.'
].join('')

const FEEDBACK_DIFFERENCES = [
  'Intentional differences from the route (which does not validate with this schema): ' +
  '(1) protobuf\'s JSON parser also takes the non-canonical spellings this schema leaves out: null for any field ' +
  '(unset), numbers and enums written as strings or numbers ("1.5", "NaN", 1 for GAUGE), booleans for floats, ' +
  'original snake_case field names (request_path), and base64 in any alphabet; ' +
  '(2) rules a schema cannot state are the codec\'s, on request and truth payloads: rectangular ndarrays (C-05), ' +
  'tensor values filling the shape with at most one -1 (C-04, C-27), a tftensor the codec decodes (C-25, C-28), ' +
  'JSON nested at most 512 levels deep (C-11).'
].join('')

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const

/**
 * Base64 as the codec reads binData (COMPATIBILITY.md C-24): the standard alphabet padded, or the
 * URL-safe alphabet with padding optional, as proto3 JSON accepts bytes.
 */
const base64Pattern = '^(?:(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?|(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?={0,2})$'

const INT32 = { type: 'integer', minimum: -2147483648, maximum: 2147483647 } as const
/** proto `float`: a double beyond float32's largest finite value is refused by protobuf's parser. */
const FLOAT32 = { type: 'number', minimum: -3.4028234663852886e38, maximum: 3.4028234663852886e38 } as const

/** A request's metric (COMPATIBILITY.md C-10): a Prometheus metric name; absent type/value are COUNTER/0. */
const metricSchema = {
  type: 'object',
  required: ['key'],
  properties: {
    key: { type: 'string', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' },
    type: { enum: ['COUNTER', 'GAUGE', 'TIMER'] },
    value: { type: 'number' },
    tags: stringMap,
  },
} as const

/** Feedback's metric: the proto's (any key; a float32 value). */
const feedbackMetricSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    type: { enum: ['COUNTER', 'GAUGE', 'TIMER'] },
    value: FLOAT32,
    tags: stringMap,
  },
  additionalProperties: false,
} as const

const statusSchema = {
  type: 'object',
  properties: {
    code: INT32,
    info: { type: 'string' },
    reason: { type: 'string' },
    // REST errors carry the integer 1, proto-JSON the enum name
    status: { anyOf: [{ enum: ['SUCCESS', 'FAILURE'] }, INT32] },
  },
} as const

const metaProperties = {
  puid: { type: 'string' },
  tags: { type: 'object' },
  routing: { type: 'object', additionalProperties: INT32 },
  requestPath: stringMap,
  metrics: { type: 'array', items: { $ref: '#/definitions/Metric' } },
} as const

const tensorProperties = {
  // -1: the size is inferred from the values
  shape: { type: 'array', items: { ...INT32, minimum: -1 } },
  values: { type: 'array', nullable: true, items: { type: 'number' } },
} as const

const dataProperties = {
  names: { type: 'array', nullable: true, items: { type: 'string' } },
  tensor: { $ref: '#/definitions/Tensor' },
  ndarray: { type: 'array', nullable: true },
  tftensor: { type: 'object', nullable: true },
} as const

const messageProperties = {
  status: { $ref: '#/definitions/Status' },
  meta: { $ref: '#/definitions/Meta' },
  data: { $ref: '#/definitions/DefaultData' },
  binData: { type: 'string', pattern: base64Pattern },
  strData: { type: 'string' },
  jsonData: {},
  customData: { type: 'object' },
} as const

const PAYLOADS = ['data', 'binData', 'strData', 'jsonData', 'customData'] as const

/**
 * `required`, with the keys also declared beside it for Ajv's strictest mode (as `{}`, not `true`:
 * boolean schemas and `const` have no OpenAPI 3.0 spelling, and these schemas feed /seldon.json).
 */
const requires = (...keys: string[]): { type: 'object', required: string[], properties: Record<string, object> } =>
  ({ type: 'object', required: keys, properties: Object.fromEntries(keys.map((k) => [k, {}])) })

/** Matches when two payload keys are present: `not` of this keeps to at most one. */
const twoPayloads = {
  type: 'object',
  anyOf: PAYLOADS.flatMap((a, i) => PAYLOADS.slice(i + 1).map((b) => requires(a, b))),
}

/** Named definitions, so that {@link schemaErrorInfo} recognises these rules and words their errors. */
const payloadRules = {
  SinglePayload: { type: 'object', not: twoPayloads },
  RestPayload: {
    type: 'object',
    anyOf: ['data', 'binData', 'strData', 'jsonData'].map((key) => requires(key)),
  },
}

/** The definitions shared by the request schemas (unknown keys ignored). */
const requestDefinitions = {
  Metric: metricSchema,
  Status: statusSchema,
  Meta: { type: 'object', nullable: true, properties: metaProperties },
  // REST needs the shape (the gRPC proto does not: values alone are a vector)
  Tensor: { type: 'object', nullable: true, required: ['shape'], properties: tensorProperties },
  DefaultData: { type: 'object', properties: dataProperties },
  ...payloadRules,
  SeldonMessage: {
    type: 'object',
    properties: messageProperties,
    allOf: [{ $ref: '#/definitions/SinglePayload' }, { $ref: '#/definitions/RestPayload' }],
  },
} as const

/** A REST request to predict, transform-input/output or route. */
export const seldonMessageSchema = {
  $id: 'SeldonMessage',
  $schema: 'http://json-schema.org/draft-07/schema#',
  description: REQUEST_DIFFERENCES,
  definitions: requestDefinitions,
  $ref: '#/definitions/SeldonMessage',
} as const

/** The body of `/aggregate`: a bare array of messages (what the executor sends) or `{"seldonMessages": [...]}`. */
export const seldonMessageListSchema = {
  $id: 'SeldonMessageList',
  $schema: 'http://json-schema.org/draft-07/schema#',
  description: REQUEST_DIFFERENCES,
  definitions: {
    ...requestDefinitions,
    Messages: { type: 'array', minItems: 1, items: { $ref: '#/definitions/SeldonMessage' } },
  },
  if: { type: 'array' },
  then: { $ref: '#/definitions/Messages' },
  else: {
    type: 'object',
    required: ['seldonMessages'],
    properties: { seldonMessages: { $ref: '#/definitions/Messages' } },
  },
} as const

/**
 * Feedback's customData: a `google.protobuf.Any`, whose JSON form names its message type, and the
 * REST parser knows none (docs/wire-format.md), so it can only be unset.
 */
const feedbackCustomData = {
  description: 'A google.protobuf.Any: gRPC only; the REST parser knows no message type to read it with.',
  not: {},
} as const

/** Feedback's definitions: closed objects, payload optional (protobuf's strict JSON parse). */
const feedbackDefinitions = {
  Metric: feedbackMetricSchema,
  Status: { ...statusSchema, additionalProperties: false },
  Meta: { type: 'object', nullable: true, properties: metaProperties, additionalProperties: false },
  Tensor: { type: 'object', nullable: true, properties: tensorProperties, additionalProperties: false },
  DefaultData: { type: 'object', properties: dataProperties, additionalProperties: false },
  SinglePayload: payloadRules.SinglePayload,
  SeldonMessage: {
    type: 'object',
    properties: { ...messageProperties, customData: feedbackCustomData },
    additionalProperties: false,
    allOf: [{ $ref: '#/definitions/SinglePayload' }],
  },
} as const

/** The body of `/send-feedback`. */
export const feedbackSchema = {
  $id: 'Feedback',
  $schema: 'http://json-schema.org/draft-07/schema#',
  description: FEEDBACK_DIFFERENCES,
  definitions: feedbackDefinitions,
  type: 'object',
  properties: {
    request: { $ref: '#/definitions/SeldonMessage' },
    response: { $ref: '#/definitions/SeldonMessage' },
    truth: { $ref: '#/definitions/SeldonMessage' },
    reward: FLOAT32,
  },
  additionalProperties: false,
} as const

/** The error body every REST error answers with: `{"status":{"code":-1,"info":...,"reason":...,"status":1}}`. */
export const seldonErrorEnvelopeSchema = {
  $id: 'SeldonErrorEnvelope',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: {
      type: 'object',
      required: ['code', 'info', 'reason', 'status'],
      additionalProperties: false,
      properties: {
        code: { enum: [-1] },
        info: { type: 'string' },
        reason: { type: 'string' },
        status: { enum: [1] },
      },
    },
  },
} as const

/** The part of a validator error (Ajv's ErrorObject) that {@link schemaErrorInfo} reads. */
export interface SchemaError {
  keyword: string
  /** JSON Pointer of the offending value, e.g. `/data/tensor/shape/1`. */
  instancePath: string
  /** Where in the schema, e.g. `#/definitions/Tensor/properties/shape/items/type`. */
  schemaPath: string
  params: Record<string, unknown>
  message?: string
}

/**
 * The `info` text for a failed validation, naming the offending field as a JS path:
 * `data.tensor.shape[1] must be integer`, `meta.metrics[0].type must be one of COUNTER, GAUGE, TIMER`,
 * `request must have one of data, binData, strData, jsonData`. Several errors are joined with `; `
 * (Ajv reports several only with `allErrors`).
 */
export function schemaErrorInfo (errors: readonly SchemaError[] | null | undefined): string {
  if (errors == null || errors.length === 0) return 'request is invalid'
  // A failed anyOf/oneOf also reports each failed branch; the combinator's own error says it
  // better. `if` errors only repeat that a `then`/`else` branch failed.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  const isBranchError = (e: SchemaError): boolean => combinators.some((c) =>
    c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(c.schemaPath + '/'))
  const texts: string[] = []
  for (const e of errors) {
    if (e.keyword === 'if' || isBranchError(e)) continue
    const text = describe(e)
    if (!texts.includes(text)) texts.push(text)
  }
  return texts.join('; ')
}

function describe (e: SchemaError): string {
  const at = jsPath(e.instancePath)
  const subject = at === '' ? 'request' : at
  const field = (name: unknown): string => (at === '' ? String(name) : `${at}.${String(name)}`)
  if (e.schemaPath.endsWith('/SinglePayload/not')) return `${subject} must have only one of data, binData, strData, jsonData, customData`
  // customData is not in the list: REST refuses it (gRPC only)
  if (e.schemaPath.endsWith('/RestPayload/anyOf')) return `${subject} must have one of data, binData, strData, jsonData`
  if (e.schemaPath.endsWith('/Status/properties/status/anyOf')) return `${subject} must be SUCCESS, FAILURE or an integer`
  if (e.schemaPath.endsWith('/customData/not')) return `${subject} is gRPC-only`
  switch (e.keyword) {
    case 'required': return `${field(e.params.missingProperty)} is required`
    case 'additionalProperties': return `${field(e.params.additionalProperty)} is not allowed`
    case 'enum': return `${subject} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`
    case 'type': return `${subject} must be ${String(e.params.type)}`
    case 'pattern': return `${subject} must be ${at.endsWith('binData') ? 'base64' : /\.metrics\[\d+\]\.key$/.test(at) ? 'a Prometheus metric name' : `a string matching ${String(e.params.pattern)}`}`
    case 'minItems': return `${subject} must not be empty`
    default: return `${subject} ${e.message ?? 'is invalid'}`
  }
}

/** `/data/tensor/shape/1` → `data.tensor.shape[1]`. */
function jsPath (pointer: string): string {
  if (pointer === '') return ''
  let out = ''
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (/^(?:0|[1-9]\d*)$/.test(part)) out += `[${part}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}
