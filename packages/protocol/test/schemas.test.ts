import t from 'tap'
import AjvModule from 'ajv'
import {
  seldonMessageSchema, seldonMessageListSchema, feedbackSchema, seldonErrorEnvelopeSchema, schemaErrorInfo,
} from '../src/schemas.js'
import { parseJson } from '../src/json-parse.js'

// ajv is CommonJS: its class is the default export's `default`.
const Ajv = AjvModule.default

// strict: every strict-mode check of Ajv throws; strictNumbers off so NaN/Infinity pass, as in Python
const ajv = new Ajv({ strict: true, strictNumbers: false })
const validateMessage = ajv.compile(seldonMessageSchema)
const validateList = ajv.compile(seldonMessageListSchema)
const validateFeedback = ajv.compile(feedbackSchema)
const validateEnvelope = ajv.compile(seldonErrorEnvelopeSchema)

type Validator = typeof validateMessage

/** The info text for a JSON text, or undefined when it is valid. */
function check (validate: Validator, text: string): string | undefined {
  return validate(parseJson(text)) ? undefined : schemaErrorInfo(validate.errors)
}

t.test('schemas are plain JSON with ids, usable side by side', async (t) => {
  for (const schema of [seldonMessageSchema, seldonMessageListSchema, feedbackSchema, seldonErrorEnvelopeSchema]) {
    t.strictSame(JSON.parse(JSON.stringify(schema)), schema, `${schema.$id} is plain JSON`)
    t.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#')
  }
  t.strictSame([seldonMessageSchema.$id, seldonMessageListSchema.$id, feedbackSchema.$id, seldonErrorEnvelopeSchema.$id],
    ['SeldonMessage', 'SeldonMessageList', 'Feedback', 'SeldonErrorEnvelope'])
  // registered together, as a framework would, and referenced by id
  const shared = new Ajv({ strict: true, strictNumbers: false })
  shared.addSchema([seldonMessageSchema, seldonMessageListSchema, feedbackSchema, seldonErrorEnvelopeSchema])
  const byRef = shared.compile({ $ref: 'SeldonMessage' })
  t.ok(byRef({ strData: 'x' }))
  t.notOk(byRef({}))
})

t.test('SeldonMessage: the requests recorded against the Python wrapper are valid', async (t) => {
  const valid = [
    '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}',
    '{"data":{"ndarray":[[1,2,3]]}}',
    '{"data":{"ndarray":["a",1,null,true]}}',
    '{"data":{"names":["a","b"],"tensor":{"shape":[2,2],"values":[1,2,3,4.5]}}}',
    '{"strData":"hello world"}',
    '{"jsonData":{"a":[1,2],"b":"x","c":{"d":null}}}',
    '{"binData":"aGVsbG8gYmluYXJ5"}',
    '{"binData":"AAFiaW5hcnn/"}',
    '{"binData":""}',
    '{"meta":{"puid":"abc123","tags":{"t":"x","n":1},"routing":{"r":1},"requestPath":{"m":"img:1"}},"data":{"names":["f0","f1"],"ndarray":[[0.5,1.5]]}}',
    '{"meta":{"tags":{"client":"yes","model":"overridden?"}},"data":{"ndarray":[[1,2,3,4]]}}',
    // the Python wrapper answers these (an empty ndarray, a 500 reshape error, a ragged 500): not a schema matter
    '{"data":{"foo":[1]}}',
    '{"data":{"tensor":{"shape":[2,2],"values":[1,2,3]}}}',
    '{"data":{"ndarray":[[1,2],[3]]}}',
    '{"data":{"tensor":{"shape":[1],"values":[1]},"ndarray":[[1]]}}',
    '{"data":{}}',
    // any jsonData, unknown top-level keys ignored, NaN/Infinity as Python reads them
    '{"jsonData":null}',
    '{"jsonData":"text"}',
    '{"jsonData":[1,2]}',
    '{"strData":"x","unknown":1}',
    '{"data":{"tensor":{"shape":[3],"values":[NaN,Infinity,-Infinity]}}}',
    '{"status":{"code":0,"info":"","reason":"","status":"SUCCESS"},"data":{"tftensor":{"dtype":"DT_FLOAT"}}}',
    '{"status":{"status":1},"strData":""}',
    '{"meta":{"metrics":[{"key":"mycounter","type":"COUNTER","value":1},{"key":"g","type":"GAUGE","value":2.5,"tags":{"a":"b"}},{"key":"t","type":"TIMER","value":0}]},"strData":"x"}',
    // proto3 defaults: a metric without type is a COUNTER, without value a 0 (COMPATIBILITY.md C-10)
    '{"meta":{"metrics":[{"key":"c"},{"key":"g","type":"GAUGE"}]},"strData":"x"}',
    // base64 as proto3 JSON reads bytes: unpadded, URL-safe (C-24)
    '{"binData":"abc"}',
    '{"binData":"aGVsbG8_"}',
    // null is absent, as the routes read it
    '{"meta":null,"data":{"names":null,"tensor":null,"ndarray":[1]}}',
    '{"data":{"tensor":{"shape":[-1],"values":null}}}',
  ]
  for (const text of valid) t.equal(check(validateMessage, text), undefined, text)
})

t.test('SeldonMessage: invalid requests name the offending field', async (t) => {
  const invalid: Array<[string, string]> = [
    ['{}', 'request must have one of data, binData, strData, jsonData'],
    ['{"meta":{"puid":"x"}}', 'request must have one of data, binData, strData, jsonData'],
    ['{"customData":{"@type":"x"}}', 'request must have one of data, binData, strData, jsonData'],
    ['{"data":{},"strData":"x"}', 'request must have only one of data, binData, strData, jsonData, customData'],
    ['{"data":{},"customData":{}}', 'request must have only one of data, binData, strData, jsonData, customData'],
    ['{"jsonData":1,"binData":"AA=="}', 'request must have only one of data, binData, strData, jsonData, customData'],
    ['[{"data":{}}]', 'request must be object'],
    ['"x"', 'request must be object'],
    ['{"data":{"tensor":{"shape":[2,"a"],"values":[1,2]}}}', 'data.tensor.shape[1] must be integer'],
    ['{"data":{"tensor":{"shape":[1,1.5]}}}', 'data.tensor.shape[1] must be integer'],
    ['{"data":{"tensor":{"shape":[2],"values":[1,"2"]}}}', 'data.tensor.values[1] must be number'],
    ['{"data":{"tensor":[1]}}', 'data.tensor must be object'],
    ['{"data":{"ndarray":5}}', 'data.ndarray must be array'],
    ['{"data":{"names":[1],"ndarray":[]}}', 'data.names[0] must be string'],
    ['{"data":{"tftensor":[]}}', 'data.tftensor must be object'],
    ['{"data":[1]}', 'data must be object'],
    ['{"binData":"a"}', 'binData must be base64'],
    ['{"binData":"ab+"}', 'binData must be base64'],
    ['{"binData":"%%%"}', 'binData must be base64'],
    ['{"data":{"tensor":{"values":[1]}}}', 'data.tensor.shape is required'],
    ['{"data":{"tensor":{"shape":[-2],"values":[1]}}}', 'data.tensor.shape[0] must be >= -1'],
    ['{"meta":{"metrics":[{"value":1}]},"data":{}}', 'meta.metrics[0].key is required'],
    ['{"meta":{"metrics":[{"key":"bad key"}]},"data":{}}', 'meta.metrics[0].key must be a Prometheus metric name'],
    ['{"strData":5}', 'strData must be string'],
    ['{"meta":{"routing":{"r":1.5}},"data":{}}', 'meta.routing.r must be integer'],
    ['{"meta":{"requestPath":{"m":1}},"data":{}}', 'meta.requestPath.m must be string'],
    ['{"meta":{"requestPath":{"my model":1}},"data":{}}', 'meta.requestPath["my model"] must be string'],
    ['{"meta":{"requestPath":{"a/b~c":1}},"data":{}}', 'meta.requestPath["a/b~c"] must be string'],
    ['{"meta":{"puid":1},"data":{}}', 'meta.puid must be string'],
    ['{"meta":{"tags":[]},"data":{}}', 'meta.tags must be object'],
    ['{"meta":{"metrics":[{"key":"a","type":"BAD","value":1}]},"data":{}}', 'meta.metrics[0].type must be one of COUNTER, GAUGE, TIMER'],
    ['{"meta":{"metrics":[{"key":"a","value":1},{"key":"b","value":"x"}]},"data":{}}', 'meta.metrics[1].value must be number'],
    ['{"meta":{"metrics":[{"key":"a","value":1,"tags":{"t":1}}]},"data":{}}', 'meta.metrics[0].tags.t must be string'],
    ['{"meta":{"metrics":{}},"data":{}}', 'meta.metrics must be array'],
    ['{"status":{"status":"DONE"},"data":{}}', 'status.status must be SUCCESS, FAILURE or an integer'],
    ['{"status":{"code":"x"},"data":{}}', 'status.code must be integer'],
  ]
  for (const [text, info] of invalid) t.equal(check(validateMessage, text), info, text)
})

t.test('SeldonMessageList: a bare array or {"seldonMessages": [...]}', async (t) => {
  const valid = [
    '[{"data":{"ndarray":[[1.0]]}},{"data":{"ndarray":[[3.0]]}}]',
    '{"seldonMessages":[{"data":{"ndarray":[[1.0,2.0]]}},{"data":{"ndarray":[[3.0,6.0]]}}]}',
    '{"seldonMessages":[{"data":{"tensor":{"shape":[1,2],"values":[1,2]}}},{"data":{"tensor":{"shape":[1,2],"values":[3,6]}}}]}',
    '{"seldonMessages":[{"meta":{"tags":{"a":1}},"data":{"names":["x","y"],"ndarray":[[1,2]]}},{"meta":{"tags":{"b":2}},"data":{"names":["x","y"],"ndarray":[[3,4]]}}]}',
    '{"seldonMessages":[{"strData":"x"}],"other":1}',
  ]
  for (const text of valid) t.equal(check(validateList, text), undefined, text)
  const invalid: Array<[string, string]> = [
    ['{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}', 'seldonMessages is required'],
    ['[]', 'request must not be empty'],
    ['{"seldonMessages":[]}', 'seldonMessages must not be empty'],
    ['{"seldonMessages":{}}', 'seldonMessages must be array'],
    ['[{"data":{}},{"foo":1}]', '[1] must have one of data, binData, strData, jsonData'],
    ['{"seldonMessages":[{"data":{},"binData":"AA=="}]}', 'seldonMessages[0] must have only one of data, binData, strData, jsonData, customData'],
    ['{"seldonMessages":[{"data":{"tensor":{"shape":[1.5]}}}]}', 'seldonMessages[0].data.tensor.shape[0] must be integer'],
    ['"x"', 'request must be object'],
  ]
  for (const [text, info] of invalid) t.equal(check(validateList, text), info, text)
})

t.test('Feedback: closed at every level, messages without payload allowed', async (t) => {
  const valid = [
    '{"request":{"data":{"ndarray":[[1.0,2.0]]}},"response":{"data":{"ndarray":[[1.0,2.0]]}},"reward":1.0,"truth":{"data":{"ndarray":[[1.0]]}}}',
    '{"request":{"data":{"ndarray":[[0.9]]}},"response":{"meta":{"routing":{"router":1}},"data":{"ndarray":[[1]]}},"reward":0.5}',
    '{"request":{"data":{"ndarray":[[0.9]]}},"response":{"meta":{"routing":{"router":1}}},"reward":0.5}',
    '{"request":{"data":{"ndarray":[[1.0]]}},"reward":2}',
    '{"reward":42}',
    '{}',
    '{"request":{"strData":"x","meta":{"puid":"p","tags":{"a":[1]},"requestPath":{"m":"i"},"metrics":[{"key":"k","type":"GAUGE","value":1,"tags":{"x":"y"}}]}}}',
    '{"request":{"data":{"names":["a"],"tensor":{"shape":[1],"values":[1]}}},"response":{"status":{"code":0,"info":"","reason":"","status":"SUCCESS"}}}',
    // the proto's tensor: shape optional; any metric key; a float32 reward
    '{"request":{"data":{"tensor":{"values":[1]}},"meta":{"metrics":[{"key":"any key","value":1}]}},"reward":3.4028234663852886e38}',
  ]
  for (const text of valid) t.equal(check(validateFeedback, text), undefined, text)
  const invalid: Array<[string, string]> = [
    ['{"reward":1,"foo":1}', 'foo is not allowed'],
    ['{"reward":"x"}', 'reward must be number'],
    ['{"request":{"data":{"ndarray":[]},"extra":1}}', 'request.extra is not allowed'],
    ['{"request":{"data":{"ndarray":[]},"strData":"x"}}', 'request must have only one of data, binData, strData, jsonData, customData'],
    ['{"request":{"data":{"tensor":{"shape":[1],"values":[1],"x":1}}}}', 'request.data.tensor.x is not allowed'],
    ['{"request":{"data":{"ndarray":[],"foo":1}}}', 'request.data.foo is not allowed'],
    ['{"response":{"meta":{"routing":{"router":"1"}}}}', 'response.meta.routing.router must be integer'],
    ['{"response":{"meta":{"extra":{}}}}', 'response.meta.extra is not allowed'],
    ['{"truth":{"meta":{"metrics":[{"key":"k","value":1,"help":"x"}]}}}', 'truth.meta.metrics[0].help is not allowed'],
    ['{"truth":{"status":{"code":1,"details":"x"}}}', 'truth.status.details is not allowed'],
    ['{"truth":[]}', 'truth must be object'],
    // a google.protobuf.Any the REST parser cannot read
    ['{"request":{"customData":{}}}', 'request.customData is gRPC-only'],
    ['{"reward":3.5e38}', 'reward must be <= 3.4028234663852886e+38'],
    ['{"response":{"meta":{"routing":{"r":2147483648}}}}', 'response.meta.routing.r must be <= 2147483647'],
  ]
  for (const [text, info] of invalid) t.equal(check(validateFeedback, text), info, text)
})

t.test('the error envelope', async (t) => {
  const bodies = [
    '{"status":{"code":-1,"info":"Route not defined","reason":"MICROSERVICE_BAD_DATA","status":1}}',
    '{"status":{"code":-1,"info":"Invalid request data type: {}","reason":"MICROSERVICE_BAD_DATA","status":1}}',
    '{"status":{"code":-1,"info":"cannot reshape array of size 3 into shape (2,2)","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}',
  ]
  for (const body of bodies) t.equal(check(validateEnvelope, body), undefined, body)
  t.equal(check(validateEnvelope, '{"status":{"code":0,"info":"x","reason":"r","status":1}}'), 'status.code must be one of -1')
  t.equal(check(validateEnvelope, '{"status":{"code":-1,"reason":"r","status":1}}'), 'status.info is required')
  t.equal(check(validateEnvelope, '{"status":{"code":-1,"info":"i","reason":"r","status":1},"meta":{}}'), 'meta is not allowed')
})

t.test('schemaErrorInfo', async (t) => {
  t.equal(schemaErrorInfo(null), 'request is invalid')
  t.equal(schemaErrorInfo(undefined), 'request is invalid')
  t.equal(schemaErrorInfo([]), 'request is invalid')
  // with allErrors, several problems are listed once each
  const all = new Ajv({ strict: true, strictNumbers: false, allErrors: true })
  const validate = all.compile(seldonMessageSchema)
  t.notOk(validate(parseJson('{"data":{"names":[1,2],"tensor":{"shape":["a"]}},"strData":"x"}')))
  t.equal(schemaErrorInfo(validate.errors),
    'request must have only one of data, binData, strData, jsonData, customData; data.names[0] must be string; data.names[1] must be string; data.tensor.shape[0] must be integer')
  t.equal(schemaErrorInfo([{ keyword: 'pattern', instancePath: '/code', schemaPath: '#/x/pattern', params: { pattern: '^a$' } }]), 'code must be a string matching ^a$')
  t.equal(schemaErrorInfo([{ keyword: 'custom', instancePath: '/x/0', schemaPath: '#/custom', params: {} }]), 'x[0] is invalid')
  t.equal(schemaErrorInfo([{ keyword: 'const', instancePath: '/a', schemaPath: '#/const', params: {}, message: 'must be equal to constant' }]), 'a must be equal to constant')
})
