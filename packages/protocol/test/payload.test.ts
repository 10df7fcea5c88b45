import t, { type Test } from 'tap'
import {
  decodeBytes, decodePayload, decodeTfTensor, encodeResult, encodeTfTensor, floatNested
} from '../src/payload.js'
import { NDArray } from '../src/ndarray.js'
import { parseJson } from '../src/json-parse.js'
import { stringifyJson } from '../src/json-stringify.js'
import { JsonFloat } from '../src/marks.js'
import { mergeMeta } from '../src/meta.js'
import {
  SeldonError, SeldonMicroserviceError, errorEnvelope, errorEnvelopeText, errorStatus, isSeldonError,
  NotFoundError, InternalError
} from '../src/errors.js'

function fails (t: Test, fn: () => unknown, statusCode: number, message: RegExp | string): void {
  try {
    fn()
    t.fail('expected an error')
  } catch (err) {
    t.ok(err instanceof SeldonError, 'a SeldonError')
    t.equal((err as SeldonError).statusCode, statusCode)
    if (typeof message === 'string') t.equal((err as Error).message, message)
    else t.match((err as Error).message, message)
  }
}

t.test('decodePayload: the first present key wins, as in the Python wrapper', async t => {
  const both = decodePayload({ strData: 's', data: { ndarray: [1] } }, 'rest')
  t.equal(both.kind, 'data')
  t.equal(decodePayload({ jsonData: null, strData: 's' }, 'rest').kind, 'jsonData', 'jsonData: null still counts')
  t.equal(decodePayload({ strData: 's', binData: 'AA==' }, 'rest').kind, 'strData')
  const bin = decodePayload({ binData: Buffer.from('hi') }, 'grpc')
  t.equal((bin.features as Buffer).toString(), 'hi')
  const any = decodePayload({ customData: { typeUrl: 't', value: new Uint8Array([1]) } }, 'grpc')
  t.equal(any.kind, 'customData')
  fails(t, () => decodePayload({ strData: 5 }, 'rest'), 400, /strData must be a string/)
  fails(t, () => decodePayload('x', 'rest'), 400, "Invalid request data type: 'x'")
  fails(t, () => decodePayload(null, 'rest'), 400, 'Invalid request data type: None')
})

t.test('decodePayload: data members', async t => {
  const tensor = decodePayload({ data: { names: ['a'], tensor: { shape: [1, 2], values: [1, 2] } } }, 'rest')
  t.equal(tensor.dataKind, 'tensor')
  t.same((tensor.features as NDArray).shape, [1, 2])
  t.equal((tensor.features as NDArray).dtype, 'int64', 'JSON int values stay ints as numpy does')
  t.same(tensor.names, ['a'])
  const grpcNoShape = decodePayload({ data: { tensor: { values: new Float64Array([1, 2, 3]) } } }, 'grpc')
  t.same((grpcNoShape.features as NDArray).shape, [3], 'gRPC: no shape means flat')
  const nd = new NDArray(new Float64Array(2))
  t.equal(decodePayload({ data: { ndarray: nd } }, 'grpc').features, nd, 'an NDArray from the fast gRPC path is used as is')
  t.equal(decodePayload({ data: { tensor: { shape: [2], values: nd } } }, 'grpc').dataKind, 'tensor')
  const none = decodePayload({ data: { names: null } }, 'rest')
  t.equal(none.dataKind, 'none')
  t.same(none.names, [])
  fails(t, () => decodePayload({ data: 1 }, 'rest'), 400, /data must be an object/)
  fails(t, () => decodePayload({ data: { names: [1] } }, 'rest'), 400, /names must be an array of strings/)
  fails(t, () => decodePayload({ data: { ndarray: 'x' } }, 'rest'), 400, /ndarray must be an array/)
  fails(t, () => decodePayload({ data: { tensor: 1 } }, 'rest'), 400, /tensor must be an object/)
  fails(t, () => decodePayload({ data: { tensor: { shape: [1], values: 'x' } } }, 'rest'), 400, /values must be an array/)
  fails(t, () => decodePayload({ data: { tensor: { shape: [1], values: ['x'] } } }, 'rest'), 400, /flat array of numbers/)
  fails(t, () => decodePayload({ data: { tensor: { shape: [1.5], values: [1] } } }, 'rest'), 400, /shape must be an array of integers/)
})

t.test('tftensor in and out', async t => {
  const content = Buffer.from(Float64Array.from([1, 2, 3, 4]).buffer)
  const viaContent = decodePayload({ data: { tftensor: { dtype: 'DT_DOUBLE', tensorShape: { dim: [{ size: '2' }, { size: '2' }] }, tensorContent: content.toString('base64') } } }, 'rest')
  t.equal(viaContent.dataKind, 'tftensor')
  t.same((viaContent.features as NDArray).toNested(), [[1, 2], [3, 4]])
  const viaVals = decodeTfTensor({ dtype: 'DT_INT32', tensorShape: { dim: [{ size: 3 }] }, intVal: [7] })
  t.same(viaVals.toNested(), [7, 7, 7], 'TensorFlow repeats the last value to fill the shape')
  t.equal(viaVals.dtype, 'int32')
  t.same(decodeTfTensor({ dtype: 'DT_STRING', tensorShape: { dim: [{ size: 1 }] }, stringVal: [Buffer.from('hé').toString('base64')] }).toNested(), ['hé'])
  t.same(decodeTfTensor({ dtype: 'DT_STRING', tensorShape: { dim: [{ size: 1 }] }, stringVal: [Buffer.from('x')] }).toNested(), ['x'])
  t.same(decodeTfTensor({ dtype: 'DT_BOOL', tensorShape: { dim: [{ size: 2 }] }, boolVal: [true, false] }).toNested(), [true, false])
  t.same(decodeTfTensor({ dtype: 'DT_INT64', tensorShape: { dim: [{ size: 1 }] }, int64Val: ['5'] }).toNested(), [5])
  fails(t, () => decodeTfTensor({ dtype: 'DT_COMPLEX64' }), 400, /not supported/)
  fails(t, () => decodeTfTensor('x' as never), 400, /TensorProto object/)
  fails(t, () => decodeTfTensor({ dtype: 'DT_DOUBLE', tensorShape: { dim: [{ size: 3 }] }, tensorContent: content }), 400, /holds 32 bytes/)
  fails(t, () => decodeTfTensor({ dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: 1 }] }, floatVal: [1, 2] }), 400, /2 values/)

  for (const [dtype, data] of [
    ['float32', new Float32Array([1.5, 2])], ['float64', new Float64Array([1.5, 2])], ['int32', new Int32Array([1, -2])],
    ['int16', new Int16Array([1, -2])], ['int8', new Int8Array([1, -2])], ['uint8', new Uint8Array([1, 2])],
    ['uint16', new Uint16Array([1, 2])], ['uint32', new Uint32Array([1, 2])], ['int64', new BigInt64Array([1n, -2n])],
    ['uint64', new BigUint64Array([1n, 2n])]
  ] as const) {
    const array = new NDArray(data, [1, 2])
    const proto = encodeTfTensor(array)
    const back = decodeTfTensor(proto)
    t.equal(back.dtype, dtype, `${dtype} round-trips`)
    t.same(back.toNested(), [Array.from(data as ArrayLike<number | bigint>, Number)], `${dtype} values`)
  }
  const fromPlainInts = encodeTfTensor(new NDArray(Float64Array.from([1, 2]), [2], 'int32'))
  t.same(decodeTfTensor(fromPlainInts).toNested(), [1, 2])
  for (const dtype of ['int16', 'int8', 'uint8', 'uint16', 'uint32', 'float32', 'int64', 'uint64'] as const) {
    t.same(decodeTfTensor(encodeTfTensor(new NDArray(Float64Array.from([1, 2]), [2], dtype))).toNested(), [1, 2], `${dtype} from a Float64Array`)
  }
  t.same(decodeTfTensor(encodeTfTensor(new NDArray(['a', 'b'], [2], 'string'))).toNested(), ['a', 'b'])
  t.same(decodeTfTensor(encodeTfTensor(new NDArray([true, false], [2], 'bool'))).toNested(), [true, false])
  t.throws(() => encodeTfTensor(new NDArray([{}], [1], 'object')), /cannot encode/)
  const bigContent = Buffer.from(BigInt64Array.from([2n ** 60n]).buffer)
  t.same(decodeTfTensor({ dtype: 'DT_INT64', tensorShape: { dim: [{ size: 1 }] }, tensorContent: bigContent }).data[0], 2n ** 60n, 'int64 beyond 2^53 stays a bigint')
})

t.test('decodeBytes: strict base64, URL-safe accepted', async t => {
  t.equal(decodeBytes('aGVsbG8=', 'b').toString(), 'hello')
  t.equal(decodeBytes('aGVsbG8', 'b').toString(), 'hello', 'missing padding')
  t.equal(decodeBytes('_-8=', 'b').toString('hex'), 'ffef')
  t.equal(decodeBytes('aGVs\nbG8=', 'b').toString(), 'hello', 'line breaks ignored')
  t.equal(decodeBytes(new Uint8Array([1, 2]), 'b').length, 2)
  fails(t, () => decodeBytes('a', 'binData'), 400, 'binData is not valid base64')
  fails(t, () => decodeBytes('!!', 'binData'), 400, 'binData is not valid base64')
  fails(t, () => decodeBytes(1, 'binData'), 400, 'binData must be a base64 string')
})

t.test('encodeResult: type mirroring and names (docs/wire-format.md, Results)', async t => {
  const ndReq = { kind: 'data', dataKind: 'ndarray' } as const
  const tensorReq = { kind: 'data', dataKind: 'tensor' } as const
  const tfReq = { kind: 'data', dataKind: 'tftensor' } as const
  const strReq = { kind: 'strData', dataKind: 'none' } as const
  const list = [[1, 2.5, 'a']]
  const echoed = encodeResult(list, { request: ndReq, transport: 'rest' })
  t.equal(echoed.data?.ndarray, list, 'a returned list is echoed unchanged')
  t.same(echoed.data?.names, ['t:0', 't:1', 't:2'])
  const numeric = encodeResult([[1, 2]], { request: tensorReq, transport: 'rest', classNames: () => ['x', 'y'] })
  t.same(numeric.data?.names, ['x', 'y'])
  t.equal(stringifyJson(numeric.data?.tensor), '{"shape":[1,2],"values":[1,2]}', 'int tensors print ints over REST')
  const grpcTensor = encodeResult([[1, 2]], { request: tensorReq, transport: 'grpc' })
  t.ok(grpcTensor.data?.tensor?.values instanceof Float64Array)
  t.ok(encodeResult([[1]], { request: tfReq, transport: 'rest' }).data?.tftensor, 'tftensor in → tftensor out')
  t.ok(encodeResult(['a'], { request: tensorReq, transport: 'rest' }).data?.ndarray, 'non-numeric → ndarray')
  t.ok(encodeResult([1], { request: strReq, transport: 'rest' }).data?.tensor, 'numeric for a non-data request → tensor')
  t.ok(encodeResult([true], { request: undefined, transport: 'rest' }).data?.ndarray, 'bools are not numeric')
  t.ok(encodeResult(new Float32Array([1]), { request: ndReq, transport: 'rest' }).data?.ndarray, 'a typed array')
  const proto = encodeResult([[1, 2]], { request: ndReq, transport: 'rest', protoJson: true })
  t.equal(stringifyJson(proto), '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]}}', 'proto rendering prints doubles')
  const emptyProto = encodeResult(new NDArray(new Float64Array(0), [0]), { request: undefined, transport: 'grpc', protoJson: true })
  t.equal(stringifyJson(emptyProto), '{"data":{"tensor":{"shape":[0]}}}', 'proto-JSON omits empty values and names')
  const manyNames = encodeResult(new NDArray(new Float64Array(600), [1, 600]), { request: ndReq, transport: 'rest' })
  t.equal(manyNames.data?.names?.[599], 't:599')
  t.equal(encodeResult(new NDArray(new Float64Array(4), [1, 4]), { request: ndReq, transport: 'rest' }).data?.names?.length, 4, 'cached names are copied, not shared')
})

t.test('encodeResult: other payloads and refusals', async t => {
  t.same(encodeResult('s', { request: undefined, transport: 'rest' }), { strData: 's' })
  t.same(encodeResult({ a: 1 }, { request: undefined, transport: 'rest' }), { jsonData: { a: 1 } })
  t.ok(Buffer.isBuffer(encodeResult(new Uint8Array([1]), { request: undefined, transport: 'rest' }).binData))
  t.ok(Buffer.isBuffer(encodeResult(Buffer.from('x'), { request: undefined, transport: 'rest' }).binData))
  const any = { typeUrl: 'type.googleapis.com/x', value: new Uint8Array([1]) }
  t.equal(encodeResult(any, { request: undefined, transport: 'grpc' }).customData, any)
  fails(t, () => encodeResult(any, { request: undefined, transport: 'rest' }), 400, /Unknown data type returned as payload/)
  fails(t, () => encodeResult(1.5, { request: undefined, transport: 'rest' }), 400, 'Unknown data type returned as payload (must be list or np array):1.5')
  fails(t, () => encodeResult(new Map(), { request: undefined, transport: 'rest' }), 400, /Unknown data type/)
  fails(t, () => encodeResult([[1], [1, 2]], { request: undefined, transport: 'rest' }), 500, /ragged/)
})

t.test('floatNested boxes every number', async t => {
  const out = floatNested({ a: [1, 2n, 'x'], b: null }) as { a: unknown[] }
  t.ok(out.a[0] instanceof JsonFloat)
  t.ok(out.a[1] instanceof JsonFloat)
  t.equal(out.a[2], 'x')
  t.equal(stringifyJson(out), '{"a":[1.0,2.0,"x"],"b":null}')
})

t.test('mergeMeta (docs/wire-format.md, Meta)', async t => {
  t.same(mergeMeta({ requestMetas: [], mergeRequest: true }), {})
  const meta = mergeMeta({
    requestMetas: [{ tags: { a: 1, b: 1 }, metrics: [{ key: 'm', value: 1 }], requestPath: { x: 'y' }, routing: { r: 1 } }, undefined, { tags: { b: 2 } }],
    mergeRequest: true,
    puid: 'p',
    userTags: { c: 3 },
    runtimeTags: { c: 4 },
    customMetrics: [{ key: 'u', value: 2, type: 'GAUGE' }],
    unitRequestPath: { unit: 'img' }
  })
  t.same(meta, { puid: 'p', tags: { a: 1, b: 2, c: 4 }, metrics: [{ key: 'm', value: 1 }, { key: 'u', value: 2, type: 'GAUGE' }], requestPath: { unit: 'img', x: 'y' } })
  const noRequest = mergeMeta({ requestMetas: [{ tags: { a: 1 } }], mergeRequest: false, puid: '' })
  t.same(noRequest, {}, 'route/feedback ignore the request meta; an empty puid is dropped')
  const polluted = mergeMeta({ requestMetas: [JSON.parse('{"tags":{"__proto__":{"polluted":true}}}')], mergeRequest: true })
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
  t.ok(Object.prototype.hasOwnProperty.call(polluted.tags, '__proto__'), '__proto__ kept as a plain key')
})

t.test('errors: envelope, status, user error', async t => {
  const user = new SeldonMicroserviceError('nope', { statusCode: 418, reason: 'TEAPOT' })
  t.ok(isSeldonError(user))
  t.same(errorStatus(user), { statusCode: 418, reason: 'TEAPOT', info: 'nope' })
  t.same(errorStatus(new SeldonMicroserviceError('x')), { statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', info: 'x' })
  t.same(errorStatus(new Error('boom')), { statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info: 'boom' })
  t.same(errorStatus('thrown string'), { statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info: 'thrown string' })
  t.notOk(isSeldonError(new Error('x')))
  const nf = new NotFoundError('GET', '/nope')
  t.equal(nf.statusCode, 404)
  t.equal(nf.code, 'SELDON_ERR_NOT_FOUND')
  t.equal(nf.message, 'Not Found: GET /nope')
  t.equal(new InternalError('x').reason, 'MICROSERVICE_INTERNAL_ERROR')
  t.same(errorEnvelope({ statusCode: 400, reason: 'R', info: 'i' }), { status: { code: -1, info: 'i', reason: 'R', status: 1 } })
  t.equal(errorEnvelopeText({ statusCode: 400, reason: 'R', info: 'é' }), '{"status":{"code":-1,"info":"\\u00e9","reason":"R","status":1}}\n')
})

t.test('mergeMeta keeps a request tag written as a float, unless a later source replaces it', async t => {
  const request = parseJson('{"tags":{"x":1.0,"y":2.0,"n":1}}') as { tags: Record<string, number> }
  const merged = mergeMeta({ requestMetas: [request], mergeRequest: true, userTags: { y: 2 } })
  t.equal(stringifyJson(merged), '{"tags":{"n":1,"x":1.0,"y":2}}')
})

t.test('a tftensor dtype that is not a string is the client\'s 400, never a 500', async t => {
  fails(t, () => decodeTfTensor({ dtype: { toString: [1] } } as never), 400, /dtype .* is not supported/)
  fails(t, () => decodeTfTensor({ dtype: 'toString' } as never), 400, /dtype toString is not supported/)
})

t.test('a tftensor dim size that is not an integer is the client\'s 400', async t => {
  fails(t, () => decodeTfTensor({ dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: { toString: '0' } }] } } as never), 400, /size must be a non-negative integer/)
  fails(t, () => decodeTfTensor({ dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }] } }), 400, /non-negative integer/)
})
