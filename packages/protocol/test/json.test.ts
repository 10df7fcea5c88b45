import t from 'tap'
import { MAX_JSON_DEPTH, isJsonSyntaxError, parseJson } from '../src/json-parse.js'
import { quoteJsonString } from '../src/json-string.js'
import { jsonResponseText, stringifyJson } from '../src/json-stringify.js'
import { JsonFloat, float, floatMarksOf, isFloatArray, isMarkedFloat, markFloat } from '../src/marks.js'
import { formatFloat } from '../src/py-number.js'
import { pyRepr, pyStr } from '../src/py-repr.js'
import { NDArray } from '../src/ndarray.js'
import { SeldonError, errorEnvelopeText } from '../src/errors.js'
import type { JsonValue } from '../src/types.js'

const roundTrip = (text: string): string => stringifyJson(parseJson(text))

/** The SeldonError parseJson throws for a text; any other outcome fails the test. */
function parseError (text: string | Uint8Array): SeldonError {
  try {
    parseJson(text)
  } catch (err) {
    if (err instanceof SeldonError) return err
    throw err
  }
  throw new Error(`parsed without an error: ${String(text)}`)
}

/** n copies of a literal, comma-separated, in brackets: long enough for the batch path. */
const list = (literal: string, n = 20): string => '[' + new Array(n).fill(literal).join(',') + ']'

t.test('parse: values as JSON.parse gives them', async (t) => {
  const text = '{"a":[1,-2,3.5,"x",true,false,null,{}],"b":{"c":[[]]},"d":"","e":-0.25e2}'
  t.strictSame(parseJson(text), JSON.parse(text))
  t.strictSame(parseJson(' \t\r\n[ 1 , 2 ]\n'), [1, 2])
  t.equal(parseJson('"x"'), 'x')
  t.equal(parseJson('true'), true)
  t.equal(parseJson('null'), null)
  t.equal(parseJson('17'), 17)
  t.equal(parseJson('-3.5'), -3.5)
  t.ok(Object.is(parseJson('-0'), -0), '-0 as JSON.parse gives it')
})

t.test('parse: NaN and Infinity tokens, as Python accepts them', async (t) => {
  const arr = parseJson('[NaN,Infinity,-Infinity, NaN ]') as number[]
  t.ok(Number.isNaN(arr[0]))
  t.equal(arr[1], Infinity)
  t.equal(arr[2], -Infinity)
  t.ok(isFloatArray(arr), 'numpy makes that float64')
  t.equal(stringifyJson(arr), '[NaN,Infinity,-Infinity,NaN]')
  t.equal(roundTrip('{"x":-Infinity}'), '{"x":-Infinity}')
  t.equal(roundTrip('NaN'), 'NaN')
  t.match(parseError('Nab').message, /Expecting value: line 1 column 1 \(char 0\)/)
  t.match(parseError('[1, Nul]').message, /Expecting value: line 1 column 5 \(char 4\)/)
  t.match(parseError('[-Inf]').message, /Expecting value: line 1 column 2 \(char 1\)/)
  t.equal(roundTrip('1e400'), 'Infinity')
  t.equal(roundTrip('-1e400'), '-Infinity')
})

t.test('parse: integers beyond 2^53 stay exact as bigint', async (t) => {
  t.equal(parseJson('12345678901234567890'), 12345678901234567890n)
  t.equal(parseJson('-9007199254740993'), -9007199254740993n)
  t.equal(parseJson('9007199254740992'), 9007199254740992n)
  t.equal(parseJson('9007199254740991'), 9007199254740991)
  t.equal(parseJson('1234567890123456'), 1234567890123456)
  t.equal(roundTrip('[12345678901234567890,-123456789012345678901234567890]'), '[12345678901234567890,-123456789012345678901234567890]')
  // the batch path leaves long integers to the element-wise one
  const long = '[' + new Array(20).fill('1').join(',') + ',12345678901234567890]'
  const parsed = parseJson(long) as JsonValue[]
  t.equal(parsed[20], 12345678901234567890n)
  t.equal(roundTrip(long), long)
  // many digits with a fraction or exponent make a float, not a bigint
  t.strictSame(parseJson('[123456789012345678901234567890.5,12345678901234567890e0]'), [1.2345678901234568e29, 12345678901234567000])
  t.equal(roundTrip('[123456789012345678901234567890.5]'), '[1.2345678901234568e+29]')
})

t.test('parse: float literals remember they were floats', async (t) => {
  const all = parseJson('[1.0,2.0,3.5]') as number[]
  t.strictSame(all, [1, 2, 3.5], 'plain numbers for user code')
  t.equal(floatMarksOf(all), true, 'one mark for the whole array')
  t.ok(isFloatArray(all))
  t.equal(stringifyJson(all), '[1.0,2.0,3.5]')

  const ints = parseJson('[1,2,3]') as number[]
  t.equal(floatMarksOf(ints), undefined)
  t.notOk(isFloatArray(ints))
  t.equal(stringifyJson(ints), '[1,2,3]')

  const mixed = parseJson('[1,2.0,3,4e0]') as number[]
  t.strictSame([...(floatMarksOf(mixed) as Set<number>)], [1, 3], 'the integral float literals')
  t.ok(isMarkedFloat(mixed, 1))
  t.notOk(isMarkedFloat(mixed, 0))
  t.equal(stringifyJson(mixed), '[1,2.0,3,4.0]')

  const floatsFirst = parseJson('[1.0,0.5,7,3.0]') as number[]
  t.strictSame([...(floatMarksOf(floatsFirst) as Set<number>)].sort(), [0, 3])
  t.equal(stringifyJson(floatsFirst), '[1.0,0.5,7,3.0]')

  // numpy makes [1, 0.5] float64: the array is registered even though nothing needs `.0`
  const fractional = parseJson('[1,0.5]') as number[]
  t.ok(isFloatArray(fractional))
  t.equal((floatMarksOf(fractional) as Set<number>).size, 0)
  t.equal(stringifyJson(fractional), '[1,0.5]')

  const strings = parseJson('["a",1.0,"b"]') as JsonValue[]
  t.equal(floatMarksOf(strings), true, 'every number was a float')
  t.equal(stringifyJson(strings), '["a",1.0,"b"]')
  t.notOk(isFloatArray(parseJson('["a",null]') as JsonValue[]), 'no numbers, no mark')

  t.equal(roundTrip('[2e3,1E2,-0.0,0e0,1.5e1]'), '[2000.0,100.0,-0.0,0.0,15.0]')
  t.equal(roundTrip('[-0,0]'), '[0,0]', 'an int -0 is Python int 0')

  const obj = parseJson('{"a":1.0,"b":1,"c":0.5,"d":[1.0]}') as Record<string, JsonValue>
  t.ok(isMarkedFloat(obj, 'a'))
  t.notOk(isMarkedFloat(obj, 'b'))
  t.notOk(isMarkedFloat(obj, 'c'), 'no mark needed for a fraction')
  t.equal(stringifyJson(obj), '{"a":1.0,"b":1,"c":0.5,"d":[1.0]}')
  t.equal(floatMarksOf(parseJson('{"a":1}') as object), undefined)
  // a repeated key: the last value wins, with its own kind
  t.equal(roundTrip('{"a":1.0,"a":2}'), '{"a":2}')
  t.equal(roundTrip('{"a":1.0,"a":"x"}'), '{"a":"x"}')
  t.equal(roundTrip('{"a":1,"a":2.0}'), '{"a":2.0}')
})

t.test('parse: a top-level integral float comes back boxed', async (t) => {
  const one = parseJson('1.0')
  t.ok(one instanceof JsonFloat)
  t.equal(Number(one), 1)
  t.equal(stringifyJson(one), '1.0')
  t.equal(pyRepr(one), '1.0')
  t.equal(parseJson(' 2.5 '), 2.5)
  t.equal(parseJson('2'), 2)
})

t.test('parse: long numeric arrays (batch path) keep values and marks', async (t) => {
  const cases = [
    list('1.5'), list('1.0'), list('-7'), list(' 2.25e-3 '), list('0'), list('1E+2'),
    '[' + Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `${i}.0` : i % 3 === 1 ? `${i}` : `${i}.5`)).join(', ') + ']',
    '[' + Array.from({ length: 40 }, (_, i) => (i < 20 ? `${i}` : `${i}.25`)).join(',') + ']',
    '[' + Array.from({ length: 40 }, (_, i) => (i < 20 ? `${i}` : `${i}e0`)).join(',') + ']',
    '[\n' + Array.from({ length: 30 }, (_, i) => `  ${i / 8}`).join(',\n') + '\n]',
  ]
  for (const text of cases) {
    const parsed = parseJson(text) as number[]
    t.strictSame(parsed, JSON.parse(text), text)
    const expected = '[' + text.slice(1, -1).split(',').map((s) => {
      const literal = s.trim()
      const isFloat = /[.eE]/.test(literal)
      const n = Number(literal)
      return isFloat ? formatFloat(n) : String(n)
    }).join(',') + ']'
    t.equal(stringifyJson(parsed), expected, text)
  }
  t.equal(floatMarksOf(parseJson(list('1.5')) as object), true)
  t.equal(floatMarksOf(parseJson(list('3')) as object), undefined)
  t.ok(isFloatArray(parseJson('[' + new Array(20).fill('1').join(',') + ',0.5]') as number[]))
  // anything else in a long array falls back to the element-wise path
  for (const tail of ['NaN', '"x"', '[1]', '{"a":1.0}', 'true', '-Infinity']) {
    const text = '[' + new Array(20).fill('1.5').join(',') + ',' + tail + ']'
    t.equal(roundTrip(text), stringifyJson(parseJson(text)), tail)
    t.equal((parseJson(text) as JsonValue[]).length, 21)
  }
  t.equal(roundTrip('[' + new Array(20).fill('1.0').join(',') + ',{"a":1.0}]'), '[' + new Array(20).fill('1.0').join(',') + ',{"a":1.0}]')
})

t.test('parse: strings', async (t) => {
  t.equal(parseJson('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"'), 'a"b\\c/d\b\f\n\r\t')
  t.equal(parseJson('"\\u00e9\\u00E9\\uD83D\\ude00"'), 'éé😀', 'a surrogate pair, any hex case')
  t.equal(parseJson('"\\ud800x"'), '\ud800x', 'a lone surrogate is kept, as Python does')
  t.equal(parseJson('"é😀\u007f"'), 'é😀\u007f', 'raw non-ASCII and DEL')
  const long = 'x'.repeat(100) + 'é'.repeat(100)
  t.equal(parseJson(JSON.stringify(long)), long, 'a long string without escapes')
  t.equal(parseJson(JSON.stringify(long + '"' + long)), long + '"' + long, 'a long string with an escape past the fast scan')
  t.equal(parseJson('"' + 'a'.repeat(70) + '\\n' + 'b'.repeat(70) + '"'), 'a'.repeat(70) + '\n' + 'b'.repeat(70))
  t.match(parseError('"' + 'a'.repeat(70) + '\u0001"').message, /Invalid control character at: line 1 column 72 \(char 71\)/)
  t.match(parseError('"a\\u0041\u0001"').message, /Invalid control character at/)
  t.match(parseError('"a\\u0041').message, /Invalid \\uXXXX escape: line 1 column 4 \(char 3\)/, 'no room left for the closing quote')
  t.match(parseError('"a\\u0041 ').message, /Unterminated string starting at/)
  t.match(parseError('"\\u00e').message, /Invalid \\uXXXX escape/)
})

t.test('parse: "__proto__" is a plain own key and never pollutes', async (t) => {
  const text = '{"__proto__":{"x":1,"polluted":true},"a":{"__proto__":{"y":2.0}},"constructor":{"prototype":{"z":1}}}'
  const obj = parseJson(text) as Record<string, unknown>
  t.equal(Object.getPrototypeOf(obj), Object.prototype)
  t.ok(Object.hasOwn(obj, '__proto__'))
  t.strictSame(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value, { x: 1, polluted: true })
  t.equal((obj as { x?: unknown }).x, undefined, 'not inherited')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
  t.equal(({} as Record<string, unknown>).y, undefined)
  t.equal(({} as Record<string, unknown>).z, undefined)
  t.strictSame(Object.keys(obj), ['__proto__', 'a', 'constructor'])
  t.equal(stringifyJson(obj), '{"__proto__":{"polluted":true,"x":1},"a":{"__proto__":{"y":2.0}},"constructor":{"prototype":{"z":1}}}')
  t.equal(roundTrip('{"__proto__":{"x":1}}'), '{"__proto__":{"x":1}}')
  t.equal(pyRepr(obj), "{'__proto__': {'x': 1, 'polluted': True}, 'a': {'__proto__': {'y': 2.0}}, 'constructor': {'prototype': {'z': 1}}}")
  t.equal(roundTrip('{"__proto__":1.0}'), '{"__proto__":1.0}')
  t.equal(roundTrip('{"__proto__":1,"__proto__":2}'), '{"__proto__":2}')
})

t.test('parse: bytes', async (t) => {
  t.strictSame(parseJson(Buffer.from('{"a":"é"}')), { a: 'é' })
  t.strictSame(parseJson(new TextEncoder().encode('[1]')), [1], 'a plain Uint8Array')
  t.strictSame(parseJson(Buffer.from('\ufeff{"a":1}')), { a: 1 }, 'a UTF-8 BOM is dropped from bytes, as Python does')
  t.match(parseError('\ufeff{}').message, /Unexpected UTF-8 BOM/, 'but refused at the start of a string')
  const bad = parseError(Buffer.from([0x7b, 0xff, 0x7d]))
  t.equal(bad.statusCode, 400)
  t.equal(bad.message, 'Invalid JSON: the body is not valid UTF-8')
  t.notOk(isJsonSyntaxError(bad))
  const offset = Buffer.from('xx[1,2]xx').subarray(2, 7)
  t.strictSame(parseJson(offset), [1, 2], 'a view into a larger buffer')
})

t.test('parse: nesting is limited, so hostile input is a 400, not a stack overflow', async (t) => {
  t.equal(MAX_JSON_DEPTH, 512)
  const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)
  t.equal(roundTrip(ok), ok)
  const tooDeep = parseError('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))
  t.equal(tooDeep.statusCode, 400)
  t.match(tooDeep.message, /Nesting deeper than 512 levels: line 1 column 513 \(char 512\)/)
  t.equal(parseError('['.repeat(100000)).statusCode, 400)
  t.equal(parseError('{"a":'.repeat(100000)).statusCode, 400)
  const objects = '{"a":'.repeat(MAX_JSON_DEPTH) + '1' + '}'.repeat(MAX_JSON_DEPTH)
  t.equal(roundTrip(objects), objects)
  // the depth counter is reset after an error
  t.equal(roundTrip(ok), ok)
})

t.test('parse: error positions count code points over lines, as Python does', async (t) => {
  const err = parseError('{\n  "a": "😀😀",\n  "b": x\n}') as SeldonError & { decoderMessage: string, position: number }
  t.equal(err.decoderMessage, 'Expecting value: line 3 column 8 (char 22)', 'CPython 3.11 says so')
  t.equal(err.position, 24, 'the JS offset, in UTF-16 units')
})

t.test('stringify: Python json.dumps(sort_keys=True, separators=(",", ":"))', async (t) => {
  t.equal(stringifyJson({ b: 1, a: [true, false, null], c: 'x', d: {} }), '{"a":[true,false,null],"b":1,"c":"x","d":{}}')
  t.equal(stringifyJson([]), '[]')
  t.equal(stringifyJson({}), '{}')
  t.equal(stringifyJson('é'), '"\\u00e9"')
  t.equal(stringifyJson(null), 'null')
  t.equal(stringifyJson(undefined), 'null')
  t.equal(stringifyJson({ 10: 'a', 9: 'b', a: 'c' }), '{"10":"a","9":"b","a":"c"}', 'keys sort as strings, as Python does')
  // Python sorts by code point: U+FFFF < U+E000? no: U+E000 < U+FFFF < U+10000 (a surrogate pair in JS)
  t.equal(stringifyJson({ '\u{10000}': 1, '\uffff': 2, '\ue000': 3, z: 4 }), '{"z":4,"\\ue000":3,"\\uffff":2,"\\ud800\\udc00":1}')
  t.equal(stringifyJson({ '\u{10000}b': 1, '\u{10000}a': 2, '\u{10000}': 0 }), '{"\\ud800\\udc00":0,"\\ud800\\udc00a":2,"\\ud800\\udc00b":1}')
  t.equal(jsonResponseText({ a: 1 }), '{"a":1}\n')
  t.equal(jsonResponseText([1], { allFloats: true }), '[1.0]\n')
})

t.test('stringify: numbers', async (t) => {
  t.equal(stringifyJson([1, 0.5, -3, 1e-7, 1e21, 2 ** 53, -0, NaN, Infinity, -Infinity]),
    '[1,0.5,-3,1e-07,1e+21,9007199254740992.0,0,NaN,Infinity,-Infinity]',
    'integral and safe prints as an int; an integral double beyond 2^53 cannot be a JSON int, so it is a float')
  t.equal(stringifyJson(12345678901234567890n), '12345678901234567890')
  t.equal(stringifyJson({ a: -5n }), '{"a":-5}')
  t.equal(stringifyJson(float(3)), '3.0')
  t.equal(stringifyJson([float(2), 3, float(0.5), float(-0)]), '[2.0,3,0.5,-0.0]')
  t.equal(stringifyJson({ v: float(1) }), '{"v":1.0}')
  t.equal(float(2).valueOf() * 3, 6, 'JsonFloat does arithmetic')
  t.equal(JSON.stringify({ v: float(1) }), '{"v":1}', 'and plain JSON.stringify sees a number')
  t.equal(stringifyJson(Object(5)), '5', 'a boxed Number')
  t.equal(stringifyJson([Object('s'), Object(true), Object(false)]), '["s",true,false]')
  t.equal(stringifyJson({ a: 1, b: [2, 2.5], c: new Int32Array([4]), d: 7n, e: float(1) }, { allFloats: true }),
    '{"a":1.0,"b":[2.0,2.5],"c":[4],"d":7,"e":1.0}', 'allFloats: every plain number, not integer arrays or bigints')
})

t.test('stringify: strings as Python escapes them (ensure_ascii)', async (t) => {
  const raw = 'a"b\\c/\n\r\t\b\f\u0000\u0001\u001f\u007f é€😀\ud800\u2028'
  const escaped = '"a\\"b\\\\c/\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\\u007f \\u00e9\\u20ac\\ud83d\\ude00\\ud800\\u2028"'
  t.equal(quoteJsonString(raw), escaped)
  t.equal(quoteJsonString('plain ascii ~'), '"plain ascii ~"')
  t.equal(quoteJsonString(''), '""')
  // long strings take another path: same bytes
  t.equal(quoteJsonString(raw.repeat(50)), '"' + escaped.slice(1, -1).repeat(50) + '"')
  t.equal(quoteJsonString('x'.repeat(300) + 'é'), '"' + 'x'.repeat(300) + '\\u00e9"')
  t.equal(stringifyJson({ [raw]: raw }), '{' + escaped + ':' + escaped + '}')
})

t.test('stringify: typed arrays, bytes, NDArray', async (t) => {
  t.equal(stringifyJson(new Float64Array([1, 0.5, 1e-7, -0, NaN, 1e16, -Infinity])), '[1.0,0.5,1e-07,-0.0,NaN,1e+16,-Infinity]')
  t.equal(stringifyJson(new Float32Array([0.1, 1, 2.5])), '[0.10000000149011612,1.0,2.5]', 'float32 widened to double, as protobuf does')
  t.equal(stringifyJson(new Float64Array(0)), '[]')
  t.equal(stringifyJson(new Int32Array([1, -2])), '[1,-2]')
  t.equal(stringifyJson(new Int16Array([3])), '[3]')
  t.equal(stringifyJson(new Uint16Array([65535])), '[65535]')
  t.equal(stringifyJson(new Int8Array([-8])), '[-8]')
  t.equal(stringifyJson(new Uint32Array([4294967295])), '[4294967295]')
  t.equal(stringifyJson(new Uint8ClampedArray([255])), '[255]')
  t.equal(stringifyJson(new BigInt64Array([2n ** 62n, -1n])), '[4611686018427387904,-1]')
  t.equal(stringifyJson(new BigUint64Array([2n ** 64n - 1n])), '[18446744073709551615]')
  // bytes: proto `bytes` fields, written as base64 (binData as the Python wrapper writes it)
  t.equal(stringifyJson({ binData: Buffer.from([0, 1, 0x62, 0x69, 0x6e, 0x61, 0x72, 0x79, 0xff]) }), '{"binData":"AAFiaW5hcnn/"}')
  t.equal(stringifyJson(new TextEncoder().encode('hello binary')), '"aGVsbG8gYmluYXJ5"')
  t.equal(stringifyJson(Buffer.from('xxab').subarray(2)), '"YWI="', 'a view: only its bytes')
  t.equal(stringifyJson(new DataView(new ArrayBuffer(2))), '{}', 'a DataView is no array')

  t.equal(stringifyJson(new NDArray(new Float64Array([1, 2.5, 3, 4, 5, 6]), [2, 3])), '[[1.0,2.5,3.0],[4.0,5.0,6.0]]')
  t.equal(stringifyJson(new NDArray(new Float32Array([0.5, 0.1]), [1, 2])), '[[0.5,0.10000000149011612]]')
  t.equal(stringifyJson(new NDArray(new Float64Array([1, 2, 1e21, -0]), [2, 2], 'int64')), '[[1,2],[1000000000000000000000,0]]')
  t.equal(stringifyJson(new NDArray(new Float64Array([1.5]), [1], 'int64')), '[1.5]', 'a fraction under an int dtype still prints')
  t.equal(stringifyJson(new NDArray(new Int32Array([1, 2, 3, 4]), [2, 2])), '[[1,2],[3,4]]')
  t.equal(stringifyJson(new NDArray(new Uint8Array([0, 255]), [2])), '[0,255]', 'numeric uint8 in an NDArray is numbers')
  t.equal(stringifyJson(new NDArray(new BigInt64Array([2n ** 60n]), [1, 1])), '[[1152921504606846976]]')
  t.equal(stringifyJson(new NDArray([1, 2n, null], [3], 'int64')), '[1,2,null]')
  t.equal(stringifyJson(new NDArray([true, false, true, false], [2, 2], 'bool')), '[[true,false],[true,false]]')
  t.equal(stringifyJson(new NDArray(new Uint8Array([1, 0]), [2], 'bool')), '[true,false]')
  t.equal(stringifyJson(new NDArray(['a', 'é'], [2], 'string')), '["a","\\u00e9"]')
  t.equal(stringifyJson(new NDArray(['a', 1, null, true, 1.5], [5])), '["a",1,null,true,1.5]', 'object dtype: values as they are')
  t.equal(stringifyJson(new NDArray(new Float64Array([7]), [])), '7.0', 'a 0-d array is its scalar')
  t.equal(stringifyJson(new NDArray(new Int32Array([7]), [])), '7')
  t.equal(stringifyJson(new NDArray(new Float64Array(0), [0])), '[]')
  t.equal(stringifyJson(new NDArray(new Float64Array(0), [2, 0])), '[[],[]]')
  t.equal(stringifyJson(new NDArray(new Float64Array(0), [0, 3])), '[]')
  t.equal(stringifyJson(new NDArray(new Float64Array(24).map((_, i) => i / 2), [2, 3, 4])),
    '[[[0.0,0.5,1.0,1.5],[2.0,2.5,3.0,3.5],[4.0,4.5,5.0,5.5]],[[6.0,6.5,7.0,7.5],[8.0,8.5,9.0,9.5],[10.0,10.5,11.0,11.5]]]')
  t.equal(stringifyJson({ data: { ndarray: new NDArray(new Float64Array([0.25]), [1, 1]) } }), '{"data":{"ndarray":[[0.25]]}}')
})

t.test('stringify: long float runs print exactly as element by element', async (t) => {
  const elementWise = (values: ArrayLike<number>): string => '[' + Array.from(values, formatFloat).join(',') + ']'
  const fractional = Float64Array.from({ length: 3000 }, (_, i) => (i + 0.5) / 7)
  const integral = Float64Array.from({ length: 3000 }, (_, i) => i - 1500)
  const mixed = Float64Array.from({ length: 3000 }, (_, i) => (i % 10 === 0 ? i : i / 4))
  const odd = Float64Array.from({ length: 100 }, (_, i) => [1e-7, -0, NaN, 1e300, 0.5, 3, 1e16, Infinity][i % 8] as number)
  for (const values of [fractional, integral, mixed, odd]) {
    t.equal(stringifyJson(values), elementWise(values))
    t.equal(stringifyJson(Array.from(values), { allFloats: true }), elementWise(values), 'a plain array in float context')
    const marked = Array.from(values)
    markFloat(marked)
    t.equal(stringifyJson(marked), elementWise(values), 'a float-marked plain array')
    t.equal(stringifyJson(new NDArray(values, [values.length / 10, 10])), '[' + Array.from({ length: values.length / 10 }, (_, r) => elementWise(values.subarray(r * 10, r * 10 + 10))).join(',') + ']')
  }
  const withValues = [1.5, 'a', 2, null, true, [1], { a: 1 }, 2.5, 1e-9, -0, undefined, () => 1]
  const marked = [...withValues, ...withValues]
  markFloat(marked)
  t.equal(stringifyJson(marked), '[' + new Array(2).fill('1.5,"a",2.0,null,true,[1],{"a":1},2.5,1e-09,-0.0,null,null').join(',') + ']', 'other values in a float-marked array print as themselves')
})

t.test('stringify: many short rows (native blocks) print exactly as row by row', async (t) => {
  const row = (values: ArrayLike<number>): string => '[' + Array.from(values, formatFloat).join(',') + ']'
  const cols = 3
  const values = Float64Array.from({ length: 3 * 1000 }, (_, i) => (i + 0.25) / 3)
  values[300] = 2 // an integral value: its row prints on its own
  values[301] = -0
  values[1500] = 1e-9
  values[2999] = 5
  const rows = Array.from({ length: 1000 }, (_, r) => row(values.subarray(r * cols, r * cols + cols)))
  t.equal(stringifyJson(new NDArray(values, [1000, cols])), '[' + rows.join(',') + ']')
  t.equal(stringifyJson(new NDArray(values, [10, 100, cols])),
    '[' + Array.from({ length: 10 }, (_, b) => '[' + rows.slice(b * 100, b * 100 + 100).join(',') + ']').join(',') + ']')
  t.equal(stringifyJson(new NDArray(Float64Array.from(values.subarray(0, 6)), [2, 3], 'float32')), '[' + rows.slice(0, 2).join(',') + ']')

  // parsed nested arrays: rows of fractions are batched, anything else prints as usual
  const text = '[' + [
    ...Array.from({ length: 700 }, (_, r) => `[${r}.5,${r}.25]`),
    '[1.0,2.5]', '[1,2]', '[]', '["a",0.5]', '[[0.5]]', '0.5', '3', 'null',
    ...Array.from({ length: 700 }, (_, r) => `[-${r}.75,1e-3]`),
  ].join(',') + ']'
  const expected = '[' + [
    ...Array.from({ length: 700 }, (_, r) => `[${r}.5,${r}.25]`),
    '[1.0,2.5]', '[1,2]', '[]', '["a",0.5]', '[[0.5]]', '0.5', '3', 'null',
    ...Array.from({ length: 700 }, (_, r) => `[-${r}.75,0.001]`),
  ].join(',') + ']'
  t.equal(roundTrip(text), expected)
})

t.test('stringify: objects like JSON.stringify for what Python cannot hold', async (t) => {
  t.equal(stringifyJson({ a: undefined, b: () => 1, c: Symbol('s'), d: 1 }), '{"d":1}')
  t.equal(stringifyJson([undefined, () => 1, Symbol('s')]), '[null,null,null]')
  t.equal(stringifyJson({ [Symbol('k')]: 1, a: 2 }), '{"a":2}')
  t.equal(stringifyJson({ when: new Date(Date.UTC(2020, 0, 2)) }), '{"when":"2020-01-02T00:00:00.000Z"}')
  const keyed = { toJSON: (key: string) => `key=${key}` }
  t.equal(stringifyJson({ a: keyed, b: [keyed] }), '{"a":"key=a","b":["key=0"]}')
  const nested = { toJSON: () => ({ inner: { toJSON: () => 'called' }, self: { toJSON: () => 'x' } }) }
  t.equal(stringifyJson(nested), '{"inner":"called","self":"x"}')
  const replacedTwice = { toJSON: () => ({ toJSON: () => 'not called again', v: 1 }) }
  t.equal(stringifyJson(replacedTwice), '{"v":1}', 'the replacement\'s own toJSON is not called (a function member is skipped)')
  t.equal(stringifyJson({ toJSON: () => [1.0] }), '[1]')
  t.equal(stringifyJson({ toJSON: () => new Float64Array([1]) }), '[1.0]')
  t.equal(stringifyJson(new Map([['a', 1]])), '{}')
  class Point { constructor (readonly x: number, readonly y: number) {} }
  t.equal(stringifyJson(new Point(1, 2.5)), '{"x":1,"y":2.5}')
})

t.test('stringify: cycles are refused like Python does', async (t) => {
  const arr: unknown[] = [1]
  arr.push(arr)
  t.throws(() => stringifyJson(arr), { message: 'Circular reference detected' })
  const obj: Record<string, unknown> = { a: { b: {} } }
  ;(obj.a as { b: Record<string, unknown> }).b.c = obj
  t.throws(() => stringifyJson(obj), { message: 'Circular reference detected' })
  // a deep acyclic value is fine, and a shared (not circular) value too
  let deep: unknown = 1
  for (let i = 0; i < 1000; i++) deep = [deep]
  t.equal(stringifyJson(deep), '['.repeat(1000) + '1' + ']'.repeat(1000))
  const shared = { x: 1 }
  t.equal(stringifyJson([shared, shared]), '[{"x":1},{"x":1}]')
  t.equal(stringifyJson({ a: 1 }), '{"a":1}', 'state recovers after an error')
})

t.test('stringify: re-entrant calls from toJSON keep their own options', async (t) => {
  const inner = { toJSON: () => stringifyJson([1], { allFloats: true }) }
  t.equal(stringifyJson([1, inner, 2]), '[1,"[1.0]",2]')
  const throwing = { toJSON: () => { throw new Error('boom') } }
  t.throws(() => stringifyJson([1, [throwing]], { allFloats: true }), { message: 'boom' })
  t.equal(stringifyJson([1]), '[1]', 'allFloats does not leak out of a failed call')
})

t.test('float marks by hand', async (t) => {
  const obj: Record<string, number> = { a: 1, b: 2 }
  markFloat(obj, 'a')
  t.equal(stringifyJson(obj), '{"a":1.0,"b":2}')
  markFloat(obj, 'b')
  t.equal(stringifyJson(obj), '{"a":1.0,"b":2.0}')
  markFloat(obj)
  markFloat(obj, 'c')
  t.equal(floatMarksOf(obj), true, 'a whole mark covers every key')
  const arr = [1, 2, 3]
  markFloat(arr, 1)
  t.equal(stringifyJson(arr), '[1,2.0,3]')
  t.ok(isFloatArray(arr))
  // frozen containers cannot carry a field: marks go to a side table
  const frozen = Object.freeze({ a: 1 })
  markFloat(frozen, 'a')
  t.ok(isMarkedFloat(frozen, 'a'))
  t.equal(stringifyJson(frozen), '{"a":1.0}')
  const frozenArr = Object.freeze([1, 2])
  markFloat(frozenArr)
  markFloat(frozenArr)
  t.equal(stringifyJson(frozenArr), '[1.0,2.0]')
  t.equal(floatMarksOf(Object.freeze({})), undefined)
})

t.test('marks are invisible to user code and do not follow copies', async (t) => {
  const parsed = parseJson('{"v":[1.0,2.0],"w":1.0}') as { v: number[], w: number }
  t.strictSame(parsed, { v: [1, 2], w: 1 }, 'deep-equal to plain values')
  t.strictSame(Object.getOwnPropertySymbols(parsed.v), [])
  t.strictSame(Object.getOwnPropertyNames(parsed.v), ['0', '1', 'length'])
  t.strictSame(Reflect.ownKeys(parsed), ['v', 'w'])
  t.equal(JSON.stringify(parsed), '{"v":[1,2],"w":1}')
  t.equal(stringifyJson({ ...parsed, v: [...parsed.v] }), '{"v":[1,2],"w":1}', 'a copy is a new container: numbers print as ints')
})

t.test('pyRepr: Python repr() of values', async (t) => {
  t.equal(pyRepr(parseJson('{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}')), "{'data': {'ndarray': [[1.0, 2.0, 3.0, 4.0]]}}")
  t.equal(pyRepr({ a: [1, 0.5, true, false, null, 'x'], b: {} }), "{'a': [1, 0.5, True, False, None, 'x'], 'b': {}}")
  t.equal(pyRepr([NaN, Infinity, -Infinity, -0, 1e16, 2 ** 60]), '[nan, inf, -inf, 0, 1e+16, 1.152921504606847e+18]')
  t.equal(pyRepr([float(1), 10n, new JsonFloat(NaN)]), '[1.0, 10, nan]')
  t.equal(pyRepr(undefined), 'None')
  t.equal(pyRepr({ a: undefined, b: () => 1, c: 1 }), "{'c': 1}")
  t.equal(pyRepr(new Float64Array([1, 0.5])), '[1.0, 0.5]')
  t.equal(pyRepr(new Int32Array([1, 2])), '[1, 2]')
  t.equal(pyRepr(new BigInt64Array([3n])), '[3]')
  t.equal(pyRepr(new NDArray(new Float64Array([1, 2, 3, 4]), [2, 2])), '[[1.0, 2.0], [3.0, 4.0]]')
  t.equal(pyRepr(new NDArray(new Int32Array([1, 2]), [2])), '[1, 2]')
  t.equal(pyRepr(new NDArray([true, false], [2], 'bool')), '[True, False]')
  t.equal(pyRepr(new NDArray(new Float64Array([5]), [])), '5.0')
  t.equal(pyRepr(new NDArray(new Float64Array(0), [0])), '[]')
  t.equal(pyRepr(Buffer.from("a'b\\\n\t\r\x00\xff")), "b\"a'b\\\\\\n\\t\\r\\x00\\xc3\\xbf\"")
  t.equal(pyRepr(Buffer.from('it"s')), "b'it\"s'")
  t.equal(pyRepr(Buffer.from('both \' and "')), "b'both \\' and \"'")
  t.equal(pyRepr(new Date(Date.UTC(2020, 0, 2))), "'2020-01-02T00:00:00.000Z'")
  t.equal(pyRepr([Object(1), Object('s'), Object(false)]), "[1, 's', False]")
  t.equal(pyRepr(Symbol('s')), 'Symbol(s)')
  const cyclic: unknown[] = [1]
  cyclic.push(cyclic)
  t.equal(pyRepr(cyclic), '[1, [...]]')
  const cyclicObj: Record<string, unknown> = {}
  cyclicObj.self = cyclicObj
  t.equal(pyRepr(cyclicObj), "{'self': {...}}")
})

t.test('pyRepr: keys in insertion order, as a Python dict', async (t) => {
  const obj = parseJson('{"b":1,"a":2,"1":3,"0":4}') as Record<string, number>
  t.strictSame(Object.keys(obj), ['0', '1', 'b', 'a'], 'JS hoists integer keys')
  t.equal(pyRepr(obj), "{'b': 1, 'a': 2, '1': 3, '0': 4}", 'Python keeps the text order')
  obj.z = 5
  delete obj.a
  t.equal(pyRepr(obj), "{'b': 1, '1': 3, '0': 4, 'z': 5}", 'later changes: removed keys go, new keys come last')
  t.equal(pyRepr(parseJson('{"1":1,"1":2,"a":3}')), "{'1': 2, 'a': 3}", 'a repeated key keeps its first place')
  t.equal(pyRepr({ b: 1, a: 2 }), "{'b': 1, 'a': 2}")
})

t.test('pyRepr: strings as Python quotes them', async (t) => {
  t.equal(pyRepr('plain'), "'plain'")
  t.equal(pyRepr("it's"), '"it\'s"')
  t.equal(pyRepr('x"y\''), "'x\"y\\''")
  t.equal(pyRepr('a\\b'), "'a\\\\b'")
  t.equal(pyRepr('\t\n\r\x00\x1f\x7f\x80\x9f'), "'\\t\\n\\r\\x00\\x1f\\x7f\\x80\\x9f'")
  t.equal(pyRepr('\xa0\u00ad\u200b\u2028\ue000\u{e0001}'), "'\\xa0\\xad\\u200b\\u2028\\ue000\\U000e0001'", 'non-printable: separators, format, private use')
  t.equal(pyRepr('é€😀中'), "'é€😀中'", 'printable non-ASCII stays')
  t.equal(pyRepr('\ud800 \udfff'), "'\\ud800 \\udfff'", 'lone surrogates')
})

t.test('pyStr: Python str() of returned values', async (t) => {
  t.equal(pyStr('hello'), 'hello')
  t.equal(pyStr(null), 'None')
  t.equal(pyStr(undefined), 'None')
  t.equal(pyStr(true), 'True')
  t.equal(pyStr(false), 'False')
  t.equal(pyStr(1), '1')
  t.equal(pyStr(1.5), '1.5')
  t.equal(pyStr(1e-7), '1e-07')
  t.equal(pyStr(NaN), 'nan')
  t.equal(pyStr(-Infinity), '-inf')
  t.equal(pyStr(float(2)), '2.0')
  t.equal(pyStr(10n), '10')
  t.equal(pyStr([1, 'a', null]), "[1, 'a', None]")
  t.equal(pyStr({ a: 'b' }), "{'a': 'b'}")
  t.equal(pyStr(Symbol('x')), 'Symbol(x)')
  t.equal(pyStr(function named () {}).startsWith('function named'), true)
})

t.test('errorEnvelopeText escapes as Python does', async (t) => {
  t.equal(errorEnvelopeText({ statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info: "'é' \u007f \"q\" 😀" }),
    '{"status":{"code":-1,"info":"\'\\u00e9\' \\u007f \\"q\\" \\ud83d\\ude00","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n')
})
