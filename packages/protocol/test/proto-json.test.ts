/**
 * feedbackFromJson / messageFromJson: strict proto3-JSON parsing as Python's ParseDict does it,
 * with protobuf's number semantics in the result.
 */
import t from 'tap'
import { feedbackFromJson, messageFromJson, messageListFromJson } from '../src/proto/index.js'
import { BadDataError, InvalidFeedbackError } from '../src/errors.js'
import { float, isFloatArray, isMarkedFloat } from '../src/marks.js'
import type { JsonValue } from '../src/types.js'

const feedbackError = (fn: () => unknown, message: string | RegExp, name?: string): void => {
  t.throws(fn, { code: 'SELDON_ERR_INVALID_FEEDBACK', statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', message }, name ?? 'refused')
}

t.test('reward and metric values are float32, printed as floats', async (t) => {
  const fb = feedbackFromJson({ reward: 1.1 })
  t.equal(fb.reward, 1.100000023841858)
  t.ok(isMarkedFloat(fb, 'reward'))
  t.equal(feedbackFromJson({ reward: 2 }).reward, 2, 'an int becomes a float')
  t.equal(feedbackFromJson({ reward: float(2.5) }).reward, 2.5)
  t.equal(feedbackFromJson({ reward: 3n }).reward, 3)
  t.equal(feedbackFromJson({ reward: '1.5' }).reward, 1.5, 'numeric strings, as Python float()')
  t.equal(feedbackFromJson({ reward: ' 1e2 ' }).reward, 100)
  t.ok(Number.isNaN(feedbackFromJson({ reward: 'NaN' }).reward))
  t.equal(feedbackFromJson({ reward: 'Infinity' }).reward, Infinity)
  t.equal(feedbackFromJson({ reward: '-Infinity' }).reward, -Infinity)
  t.equal(feedbackFromJson({ reward: '-inf' }).reward, -Infinity)
  t.equal(feedbackFromJson({ reward: true }).reward, 1, "Python's float(True)")
  t.same(feedbackFromJson({ reward: 0 }), {}, 'zero is the default: absent')
  t.same(feedbackFromJson({ reward: null }), {}, 'null clears')
  t.equal(feedbackFromJson({ reward: 1e-50 }).reward, undefined, 'rounds to float32 zero')
  feedbackError(() => feedbackFromJson({ reward: 1e39 }), /Failed to parse reward field: Float value too large at Feedback\.reward\./)
  feedbackError(() => feedbackFromJson({ reward: -1e39 }), /Float value too small/)
  feedbackError(() => feedbackFromJson({ reward: NaN }), /Couldn't parse NaN, use quoted "NaN" instead/)
  feedbackError(() => feedbackFromJson({ reward: Infinity }), /Couldn't parse Infinity or value too large, use quoted "Infinity" instead/)
  feedbackError(() => feedbackFromJson({ reward: 'abc' }), /Couldn't parse float: abc at Feedback\.reward/)
  feedbackError(() => feedbackFromJson({ reward: 'nan' }), /Couldn't parse float "nan", use "NaN" instead/)
  feedbackError(() => feedbackFromJson({ reward: [1] }), /Couldn't parse float/)
  const m = messageFromJson({ meta: { metrics: [{ key: 'k', type: 'GAUGE', value: 1.1 }, { key: 'c', value: 0 }] }, strData: '' })
  t.same(m, { meta: { metrics: [{ key: 'k', type: 'GAUGE', value: 1.100000023841858 }, { key: 'c' }] }, strData: '' })
  t.ok(isMarkedFloat(m.meta?.metrics?.[0] as object, 'value'))
})

t.test('unknown fields: ParseDict wording, with the path', async (t) => {
  feedbackError(() => feedbackFromJson({ bogus: 1 }),
    'Invalid JSON: Message type "seldon.protos.Feedback" has no field named "bogus" at "Feedback".\n' +
    ' Available Fields(except extensions): "[\'request\', \'response\', \'reward\', \'truth\']"')
  feedbackError(() => feedbackFromJson({ request: { x: 1 } }),
    'Invalid JSON: Failed to parse request field: Message type "seldon.protos.SeldonMessage" has no field named "x" at "Feedback.request".\n' +
    ' Available Fields(except extensions): "[\'status\', \'meta\', \'data\', \'binData\', \'strData\', \'jsonData\', \'customData\']".')
  // below a oneof member (data) the field is not named again
  feedbackError(() => feedbackFromJson({ truth: { data: { foo: [1] } } }),
    /^Invalid JSON: Failed to parse truth field: Message type "seldon.protos.DefaultData" has no field named "foo" at "Feedback\.truth\.data"\.\n/)
  feedbackError(() => feedbackFromJson({ response: { meta: { tags: {}, bogus: 1 } } }),
    /^Invalid JSON: Failed to parse response field: Failed to parse meta field: Message type "seldon.protos.Meta" has no field named "bogus" at "Feedback\.response\.meta"/)
  feedbackError(() => feedbackFromJson({ request: { meta: { metrics: [{ key: 'k', x: 1 }] } } }), /Message type "seldon.protos.Metric" has no field named "x" at "Feedback\.request\.meta\.metrics\[0\]"/)
  feedbackError(() => feedbackFromJson({ request: { data: { tensor: { shape: [1], x: 1 } } } }), /Message type "seldon.protos.Tensor" has no field named "x"/)
  feedbackError(() => feedbackFromJson({ request: { status: { x: 1 } } }), /Failed to parse request field: Failed to parse status field: Message type "seldon.protos.Status" has no field named "x"/)
  t.throws(() => messageFromJson({ x: 1 }), BadDataError)
  t.throws(() => messageFromJson({ x: 1 }), /Message type "seldon.protos.SeldonMessage" has no field named "x" at "SeldonMessage"/)
})

t.test('the REST feedback bodies recorded from the Python wrapper', async (t) => {
  const fb = feedbackFromJson(JSON.parse('{"request":{"data":{"ndarray":[[1.0,2.0]]}},"response":{"data":{"ndarray":[[1.0,2.0]]}},"reward":1.0,"truth":{"data":{"ndarray":[[1.0]]}}}'))
  t.same(fb, { request: { data: { ndarray: [[1, 2]] } }, response: { data: { ndarray: [[1, 2]] } }, reward: 1, truth: { data: { ndarray: [[1]] } } })
  const nd = fb.request?.data?.ndarray as JsonValue[]
  t.ok(isFloatArray(nd) && isFloatArray(nd[0] as JsonValue[]), 'ListValue numbers are doubles: float-marked')
  const routed = feedbackFromJson(JSON.parse('{"request":{"data":{"ndarray":[[0.9]]}},"response":{"meta":{"routing":{"router":1}},"data":{"ndarray":[[1]]}},"reward":0.5}'))
  t.same(routed.response?.meta?.routing, { router: 1 })
  t.same(feedbackFromJson(JSON.parse('{"request":{"data":{"ndarray":[[1.0]]}},"reward":2}')), { request: { data: { ndarray: [[1]] } }, reward: 2 })
})

t.test('SeldonMessage fields: types and number semantics', async (t) => {
  const m = messageFromJson({
    status: { code: -1, info: 'i', reason: '', status: 'FAILURE' },
    meta: { puid: 'p', tags: { n: 1, s: 'x', big: 2n ** 60n, f: float(2) }, routing: { r: '2', z: 0 }, requestPath: { a: 'b' }, metrics: [{ key: 'k', type: 1, value: '2' }, { key: 't', type: '2', tags: { a: 'b' } }, { type: 'COUNTER' }, { type: 9 }] },
    data: { names: ['a', 'b'], tensor: { shape: [1, '2', 3n], values: [1, '2.5', float(3), 4n, 'Infinity'] } }
  })
  t.same(m.status, { code: -1, info: 'i', status: 'FAILURE' })
  t.same(m.meta, { puid: 'p', tags: { n: 1, s: 'x', big: 2 ** 60, f: 2 }, routing: { r: 2, z: 0 }, requestPath: { a: 'b' }, metrics: [{ key: 'k', type: 'GAUGE', value: 2 }, { key: 't', type: 'TIMER', tags: { a: 'b' } }, {}, { type: 9 }] })
  t.ok(isMarkedFloat(m.meta?.tags as object, 'n'))
  t.same(m.data?.names, ['a', 'b'])
  t.same(m.data?.tensor?.shape, [1, 2, 3])
  t.ok(m.data?.tensor?.values instanceof Float64Array)
  t.same(Array.from(m.data?.tensor?.values as Float64Array), [1, 2.5, 3, 4, Infinity])
  t.same(messageFromJson({ status: { status: 0 } }), { status: {} })
  t.same(messageFromJson({ meta: { puid: '', tags: {}, metrics: [] }, data: { names: [], tensor: { shape: [], values: [] } } }), { meta: {}, data: { tensor: {} } }, 'defaults are dropped, messages kept')

  const json = messageFromJson({ jsonData: { a: [1, 2], b: { c: null }, d: true, e: 2n } })
  t.same(json.jsonData, { a: [1, 2], b: { c: null }, d: true, e: 2 })
  t.ok(isFloatArray((json.jsonData as { a: number[] }).a))
  const n = messageFromJson({ jsonData: 5 })
  t.ok(isMarkedFloat(n, 'jsonData'))
  t.same(messageFromJson({ jsonData: null }), { jsonData: null }, 'a null Value')
  t.same(messageFromJson({ data: { ndarray: [[1]] }, jsonData: null }), { jsonData: null }, 'jsonData null is set, and takes the oneof')
  t.same(messageFromJson({ data: { ndarray: [[1]] }, strData: null }), { data: { ndarray: [[1]] } }, 'other nulls clear')
  t.same(messageFromJson({ data: { ndarray: null } }), { data: {} })
  t.same(messageFromJson({ strData: '' }), { strData: '' }, 'an empty oneof member stays')
  t.same(Buffer.from(messageFromJson({ binData: 'aGVsbG8=' }).binData as Uint8Array).toString(), 'hello')
  t.same([...(messageFromJson({ binData: '-_8' }).binData as Uint8Array)], [0xfb, 0xff], 'URL-safe alphabet, no padding')
  const proto = messageFromJson(JSON.parse('{"meta":{"tags":{"__proto__":1}}}'))
  t.ok(Object.hasOwn(proto.meta?.tags as object, '__proto__'))
  t.same(messageFromJson({ meta: { tags: { a: undefined, b: 1 } } as never }).meta?.tags, { b: 1 })
  const tf = messageFromJson({ data: { tftensor: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '2' }] }, floatVal: [1, 2] } } })
  t.same(tf.data?.tftensor, { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] }, floatVal: [1, 2] }, 'snake_case and camelCase names')
})

t.test('SeldonMessage fields: wrong types', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ strData: 'a', binData: 'YQ==' }, /Message type "seldon.protos.SeldonMessage" should not have multiple "data_oneof" oneof fields at "SeldonMessage"\./],
    [{ data: { tensor: {}, ndarray: [] } }, /Failed to parse data field|should not have multiple "data_oneof" oneof fields at "SeldonMessage\.data"/],
    [{ strData: 5 }, /5 has type int, but expected one of: bytes, str at SeldonMessage\.strData/],
    [{ binData: 5 }, /5 has type int, but expected a base64 string/],
    [{ status: 'x' }, /Failed to parse status field: Message type "seldon.protos.Status" must be a JSON object at "SeldonMessage\.status", got str/],
    [{ status: { code: 1.5 } }, /Couldn't parse integer: 1.5 at SeldonMessage\.status\.code/],
    [{ status: { code: true } }, /Bool value True is not acceptable for integer field/],
    [{ status: { code: 2 ** 31 } }, /Value out of range: 2147483648/],
    [{ status: { code: 2n ** 40n } }, /Value out of range: 1099511627776/],
    [{ status: { code: '1.5' } }, /invalid literal for int\(\) with base 10: '1.5'/],
    [{ status: { code: '1 2' } }, /Couldn't parse integer: "1 2"/],
    [{ status: { code: [] } }, /int\(\) argument must be a string, a bytes-like object or a real number, not 'list'/],
    [{ status: { status: 'BAD' } }, /Invalid enum value BAD for enum type seldon.protos.Status.StatusFlag/],
    [{ status: { status: {} } }, /Invalid enum value/],
    [{ status: { status: 2 ** 40 } }, /Invalid enum value/],
    [{ meta: { tags: [] } }, /Map field tags must be in a dict which is .* at SeldonMessage\.meta\.tags/],
    [{ meta: { routing: { a: 1.5 } } }, /Couldn't parse integer: 1.5 at SeldonMessage\.meta\.routing\[a\]/],
    [{ meta: { routing: { a: null } } }, /not 'NoneType'/],
    [{ meta: { requestPath: { a: 1 } } }, /1 has type int, but expected one of: bytes, str at SeldonMessage\.meta\.requestPath\[a\]/],
    [{ meta: { metrics: {} } }, /repeated field metrics must be in \[\] which is/],
    [{ meta: { metrics: [null] } }, /null is not allowed to be used as an element in a repeated field at SeldonMessage\.meta\.metrics\[0\]/],
    [{ meta: { metrics: [{ type: 'BAD' }] } }, /Invalid enum value BAD for enum type seldon.protos.Metric.MetricType/],
    [{ meta: { metrics: [{ value: 'x' }] } }, /Couldn't parse float: x/],
    [{ data: { names: 'a' } }, /repeated field names must be in \[\]/],
    [{ data: { names: [1] } }, /1 has type int, but expected one of: bytes, str at SeldonMessage\.data\.names\[0\]/],
    [{ data: { names: [null] } }, /null is not allowed/],
    [{ data: { ndarray: 'x' } }, /ListValue must be in \[\] which is .* at SeldonMessage\.data\.ndarray/],
    [{ data: { tensor: { shape: [1.5] } } }, /Couldn't parse integer: 1.5 at SeldonMessage\.data\.tensor\.shape\[0\]/],
    [{ data: { tensor: { values: 'x' } } }, /repeated field values must be in \[\]/],
    [{ data: { tensor: { values: [null] } } }, /null is not allowed/],
    [{ data: { tensor: { values: [Infinity] } } }, /use quoted "Infinity"/],
    [{ data: { tensor: { values: ['x'] } } }, /Couldn't parse float: x/],
    [{ data: { tftensor: { bogus: 1 } } }, /unknown field: "bogus" at SeldonMessage\.data\.tftensor/],
    [{ data: { tftensor: [] } }, /Message type "tensorflow.TensorProto" must be a JSON object/],
    [{ jsonData: { f: () => 1 } }, /has unexpected type function at SeldonMessage\.jsonData\.f/],
    [{ jsonData: { d: new Date(0) } }, /has unexpected type object/],
    [{ customData: {} }, /@type is missing when parsing any message at SeldonMessage\.customData/],
    [{ customData: { '@type': 'type.googleapis.com/x.Y' } }, /Can not find message descriptor by type_url: type\.googleapis\.com\/x\.Y at SeldonMessage\.customData/],
    [[], /Message type "seldon.protos.SeldonMessage" must be a JSON object at "SeldonMessage", got list/],
    [null, /got NoneType/],
    [5.5, /got float/]
  ]
  for (const [value, re] of cases) {
    t.throws(() => messageFromJson(value), { code: 'SELDON_ERR_BAD_DATA', message: re }, String(re))
  }
  feedbackError(() => feedbackFromJson('x'), /got str/)
  feedbackError(() => feedbackFromJson({ request: [] }), /Failed to parse request field: Message type "seldon.protos.SeldonMessage" must be a JSON object at "Feedback.request", got list/)
  t.throws(() => feedbackFromJson({ bogus: 1 }), InvalidFeedbackError)
  // nesting deeper than ParseDict's limit
  let deep: JsonValue = 1
  for (let i = 0; i < 120; i++) deep = [deep]
  t.throws(() => messageFromJson({ jsonData: deep }), /Message too deep. Max recursion depth is 100/)
  let deepStruct: JsonValue = 1
  for (let i = 0; i < 120; i++) deepStruct = { a: deepStruct }
  t.throws(() => messageFromJson({ jsonData: deepStruct }), /Message too deep/)
  t.throws(() => messageFromJson({ jsonData: { a: 1n } as never, meta: { tags: { x: Symbol('s') } } as never }), /has unexpected type symbol/)
})

t.test('messageListFromJson', async (t) => {
  t.same(messageListFromJson({ seldonMessages: [{ strData: 'a' }, { data: { ndarray: [1] } }] }), { seldonMessages: [{ strData: 'a' }, { data: { ndarray: [1] } }] })
  t.same(messageListFromJson({}), { seldonMessages: [] })
  t.throws(() => messageListFromJson({ seldonMessages: [{ x: 1 }] }), { code: 'SELDON_ERR_BAD_DATA', message: /Failed to parse seldonMessages field: Message type "seldon.protos.SeldonMessage" has no field named "x" at "SeldonMessageList.seldonMessages\[0\]"/ })
  t.throws(() => messageListFromJson([]), BadDataError)
})
