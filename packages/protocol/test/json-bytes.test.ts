/**
 * The bytes → NDArray fast path (src/json-bytes.ts) against the general path it stands in for,
 * `decodePayload(parseJson(text))`: wherever the fast path answers, the decoded payload is the
 * same (dtype, shape, every double bit for bit, -0 and NaN included) or the same error; where it
 * declines, the general path is what runs.
 */
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { parseJson } from '../src/json-parse.js'
import { parseNumericDataBytes } from '../src/json-bytes.js'
import { decodePayload } from '../src/payload.js'
import { NDArray } from '../src/ndarray.js'
import { stringifyJson } from '../src/json-stringify.js'
import { pyRepr } from '../src/py-repr.js'
import { floatMarksOf } from '../src/marks.js'
import type { JsonValue, SeldonMessage } from '../src/types.js'

type Outcome = { error: string } | { dataKind: string, dtype: string, shape: readonly number[], data: unknown[], names: string[], meta: string }

/** The decoded payload, and the message's `meta` as JSON text (which shows float marks: a `1.0` must stay `1.0`) and as Python's repr. */
function outcome (message: () => JsonValue | SeldonMessage): Outcome {
  try {
    const m = message()
    const d = decodePayload(m, 'rest')
    const a = d.features as NDArray
    // Python's repr too: it lists an object's keys in the body's order, which JS objects forget
    // for digit keys (parseJson records it).
    const raw = (m as { meta?: unknown }).meta ?? null
    const meta = stringifyJson(raw) + ' ' + pyRepr(raw) + ' ' + JSON.stringify(marksWithin(raw))
    return { dataKind: d.dataKind, dtype: a.dtype, shape: a.shape, data: Array.from(a.data as ArrayLike<unknown>), names: d.names, meta }
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` }
  }
}

/** The float marks of every container within `value` (each array's and object's), which decide how numbers added to them later print. */
function marksWithin (value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null) return []
  const mark = floatMarksOf(value)
  const own = mark === undefined ? null : mark === true ? true : [...mark].map(String).sort()
  return [own, ...Object.values(value).map(marksWithin)]
}

function general (text: string): Outcome {
  return outcome(() => parseJson(text))
}

/** The fast path's outcome, or undefined when it declines. */
function fast (text: string): Outcome | undefined {
  const message = parseNumericDataBytes(Buffer.from(text, 'utf8'))
  if (message === undefined) return undefined
  return outcome(() => message)
}

/** Same values bit for bit: Object.is tells -0 from 0 and NaN from NaN. */
function same (a: Outcome, b: Outcome): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b && a.error === b.error
  return a.dataKind === b.dataKind && a.dtype === b.dtype && a.meta === b.meta &&
    a.names.length === b.names.length && a.names.every((n, i) => n === b.names[i]) &&
    a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]) &&
    a.data.length === b.data.length && a.data.every((v, i) => Object.is(v, b.data[i]))
}

function check (tt: Test, text: string, expectFast: boolean): void {
  const f = fast(text)
  const g = general(text)
  if (expectFast) tt.not(f, undefined, `fast path takes ${text.slice(0, 80)}`)
  else tt.equal(f, undefined, `fast path declines ${text.slice(0, 80)}`)
  if (f !== undefined) tt.ok(same(f, g), `same as the general path: ${text.slice(0, 80)}`, { fast: f, general: g })
}

t.test('what the fast path takes, decoded as the general path decodes it', async (tt) => {
  for (const text of [
    '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}',
    '{"data":{"ndarray":[[1,2],[3,4]]}}',
    '{"data":{"ndarray":[1,2.5,-0,-0.0,0.0]}}',
    '{"data":{"ndarray":[-0]}}',
    '{"data":{"ndarray":[[[1e3,2E-3],[1.5e+2,-4.25e-300]]]}}',
    '{"data":{"ndarray":[NaN,Infinity,-Infinity,1]}}',
    '{"data":{"ndarray":[123456789012345,-123456789012345]}}',
    '{"data":{"ndarray":[0.1234567890123456789,1.7976931348623157e308,5e-324,2.2250738585072014e-308]}}',
    '{"data":{"ndarray":[9007199254740993.0,12345678901234567890.5]}}',
    // leading zeros, a scale past 10^22 (not Clinger's), 16 and 17 digits, the point anywhere
    '{"data":{"ndarray":[0.0000000000000000000001234,0.000000000000000000000000000001,0.00000000000000000000000000]}}',
    '{"data":{"ndarray":[0.00012345678901234567,0.0012345678901234567,1234567890123456.7,-0.30000000000000004]}}',
    '{"data":{"ndarray":[1.0000076293945312,1.0000076293945313,0.12499999999999999,0.125000000000000001]}}',
    ' \n{ "data" :\t{ "ndarray" : [ [ 1 , 2 ] , [ 3 , 4 ] ] } }\r\n',
    '{"data":{"tensor":{"shape":[2,2],"values":[1.0,2,3,4]}}}',
    '{"data":{"tensor":{"values":[1,2,3,4],"shape":[4]}}}',
    '{"data":{"tensor":{"shape":[-1,2],"values":[1,2,3,4]}}}',
    '{"data":{"tensor":{"shape":[3],"values":[1,2,3,4]}}}', // the shape's error, from decodeTensor either way
    '{"data":{"tensor":{"shape":[-5],"values":[1]}}}',
    // names and meta, as Seldon's Python client and every component's answer write them
    '{"data":{"names":["a"],"ndarray":[[1,2]]}}',
    '{"data":{"names":[],"ndarray":[[1,2]]}}',
    '{"meta":{},"data":{"ndarray":[[1,2]]}}',
    '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{"puid":"abc","tags":{"x":1.0,"y":[2.5,3]},"routing":{},"requestPath":{"m":"img:1"}}}',
    '{"data":{"tensor":{"shape":[2],"values":[1,2]},"names":["a","b"]},"meta":{"metrics":[{"key":"k","type":"COUNTER","value":1.0}]}}',
    '{ "meta" : { "s" : "} ] \\" \\\\" } , "data" : { "names" : [ "\\u00e9", "é", "]" ] , "ndarray" : [ 1 ] } }',
    '{"data":{"names":["a","b","c"],"ndarray":[[1,2]]}}', // names longer than a row: the general path's error
    '{"data":{"names":[1,2],"ndarray":[[1,2]]}}',
    '{"meta":{"tags":{"a":1,"a":2}},"data":{"ndarray":[1]}}',
    '{"meta":[],"data":{"ndarray":[1]}}',
    // metas of plain values, read without parseJson, and their neighbours, read with it
    '{"meta":{"puid":"x","requestPath":{"a":"b:1"},"routing":{"r":-1,"s":0,"t":123456789012345},"y":true,"n":null,"f":false,"l":[ ]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1234567890123456,"b":-0,"c":1.0,"d":2e3,"e":[1],"f":"\\n","g":"é"},"data":{"ndarray":[1]}}',
    '{"meta":{"a":12345678901234567890,"b":-12345678901234567},"data":{"ndarray":[1]}}',
    '{"meta":{"1":"a","b":"c","0":"d"},"data":{"ndarray":[1]}}',
    '{"meta":{"__proto__":{"x":"y"},"constructor":"z"},"data":{"ndarray":[1]}}',
    '{"meta":{"a":"x","a":"y","b":{"c":1},"b":{"d":2}},"data":{"ndarray":[1]}}',
    '{"meta":{"":1,"-":2,"a b":3},"data":{"ndarray":[1]}}',
    '{"meta":{"a":{"b":{"c":{"d":{"e":{"f":"g"}}}}}},"data":{"ndarray":[1]}}',
    // fractional floats and arrays, as components' tags and custom metrics are written
    '{"meta":{"tags":{"confidence":0.93,"p":-2.5e-3,"q":1E-7,"r":5e-324,"s":1.7976931348623157e308},"metrics":[{"type":"COUNTER","key":"c","value":1},{"type":"GAUGE","key":"g","value":0.5}]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1.0,"b":1e2,"c":1.00000000000000001,"d":-0.0,"e":1e400,"f":0.1e1,"g":-1E+2,"h":0.30000000000000004},"data":{"ndarray":[1]}}',
    '{"meta":{"a":[0.5,1],"b":[1.0],"c":[1,2,"x",true,null,[],{}],"d":[[1],[2.5]],"e":[ 1 , { "f" : 0.5 } ]},"data":{"ndarray":[1]}}',
    // arrays with fractional floats, each meta read whole without parseJson: their float marks
    '{"meta":{"a":[0.5,1.5],"b":["x",0.25,null],"c":[[0.5],[1,2]]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":[1,0.5,"x"],"b":[-2.5e-3,7,8]},"data":{"ndarray":[1]}}',
    // runs of 16 numbers or more, which parseJson reads on its batch path
    `{"meta":{"a":[${Array(17).fill(0.5)}],"b":[${[...Array(16).keys(), 0.25]}],"c":[0.5,${[...Array(17).keys()]}]},"data":{"ndarray":[1]}}`,
    '{"meta":{"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],"b":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"c":[0.5,1.5],"d":[0.5,2.0,3]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":[[[["x"]]]],"b":[[[[[1]]]]]},"data":{"ndarray":[1]}}'
  ]) check(tt, text, true)
})

t.test('names and meta keys read again and again are the texts of each body', async (tt) => {
  // "Aa" and "BB" have the same hash in the fast path's table of recurring texts; past its first
  // 1024 texts it keeps no more.
  for (const text of [
    '{"data":{"names":["Aa","BB"],"ndarray":[[1,2]]},"meta":{"Aa":"BB","BB":{"Aa":1}}}',
    '{"data":{"names":["BB","Aa"],"ndarray":[[1,2]]},"meta":{"BB":"Aa","Aa":{"BB":2}}}',
    ...Array.from({ length: 1100 }, (_, i) => `{"data":{"names":["n${i}","Aa"],"ndarray":[[1,2]]},"meta":{"k${i}":${i},"BB":0}}`),
    '{"data":{"names":["Aa","BB"],"ndarray":[[1,2]]},"meta":{"Aa":"BB","BB":{"Aa":1}}}',
    '{"data":{"names":["n1099","n0","n1"],"ndarray":[[1,2,3]]},"meta":{"k1099":"k0"}}'
  ]) check(tt, text, true)
  const last = parseNumericDataBytes(Buffer.from('{"data":{"names":["n1099","BB"],"ndarray":[[1,2]]},"meta":{"k5":1,"Aa":0.5}}'))
  tt.same(last?.data?.names, ['n1099', 'BB'])
  tt.same(last?.meta, { k5: 1, Aa: 0.5 })
})

t.test('what the fast path leaves to the general path', async (tt) => {
  for (const text of [
    '{"data":{"ndarray":[[1,2]]},"data":{"ndarray":[[3]]}}',
    '{"data":{"ndarray" "tensor":{"shape":[1],"values":[1]}}}', // a key without its colon
    '{"data":{"tensor":{"shape" "values":[1],"shape":[1]}}}',
    '{"data":{"names":["a"],"names":["b"],"ndarray":[1]}}',
    '{"meta":{},"meta":{},"data":{"ndarray":[1]}}',
    '{"data":{"names":["a"]}}',
    '{"data":{"names":"a","ndarray":[1]}}',
    '{"meta":1.0,"data":{"ndarray":[1]}}',
    '{"meta":null,"data":{"ndarray":[1]}}',
    '{"meta":{"a":"x},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1,"data":{"ndarray":[1]}}',
    '{"meta":{"a":[1}],"data":{"ndarray":[1]}}',
    '{"meta":{"a":01},"data":{"ndarray":[1]}}',
    '{"meta":{"a":-},"data":{"ndarray":[1]}}',
    '{"meta":{"a":tru},"data":{"ndarray":[1]}}',
    '{"meta":{"a":"b",},"data":{"ndarray":[1]}}',
    '{"meta":{"a" "b"},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1.},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1e},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1e+},"data":{"ndarray":[1]}}',
    '{"meta":{"a":.5},"data":{"ndarray":[1]}}',
    '{"meta":{"a":-.5},"data":{"ndarray":[1]}}',
    '{"meta":{"a":0.5.5},"data":{"ndarray":[1]}}',
    '{"meta":{"a":[1,]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":[1 2]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":[0.5,]},"data":{"ndarray":[1]}}',
    '{"meta":{"a":5.e-1},"data":{"ndarray":[1]}}',
    '{"meta":{"a":1e-},"data":{"ndarray":[1]}}',
    '{"meta":' + '['.repeat(70) + ']'.repeat(70) + ',"data":{"ndarray":[1]}}',
    '{"data":{"ndarray":[1],"tensor":{"shape":[1],"values":[1]}}}',
    '{"data":{"ndarray":[1]},"other":1}',
    '{"data":{"ndarray":[[1,2],[3]]}}', // ragged: the general path's 400
    '{"data":{"ndarray":[[1,2],3]}}',
    '{"data":{"ndarray":[1,[2]]}}',
    '{"data":{"ndarray":[]}}',
    '{"data":{"ndarray":[[],[]]}}',
    '{"data":{"ndarray":[["a",1]]}}',
    '{"data":{"ndarray":[true]}}',
    '{"data":{"ndarray":[12345678901234567890]}}', // beyond 2^53: a bigint there
    '{"data":{"ndarray":[1234567890123456]}}',
    '{"data":{"ndarray":[1.]}}',
    '{"data":{"ndarray":[01]}}',
    '{"data":{"ndarray":[1,]}}',
    '{"data":{"ndarray":[-NaN]}}',
    '{"data":{"ndarray":5}}',
    '{"data":{"tensor":{"shape":[2.0],"values":[1,2]}}}',
    '{"data":{"tensor":{"shape":[2],"values":[[1,2]]}}}',
    '{"data":{"tensor":{"shape":[2],"shape":[2],"values":[1,2]}}}',
    '{"data":{"tensor":{"shape":[2]}}}',
    '{"data":{"d\\u0061ta":1}}',
    '\ufeff{"data":{"ndarray":[1]}}',
    '{"data":{"ndarray":[1]}} x',
    '{"data":{"ndarray":[1]}',
    '[1,2]',
    ''
  ]) check(tt, text, false)
  const deep = '{"data":{"ndarray":' + '['.repeat(600) + '1' + ']'.repeat(600) + '}}'
  check(tt, deep, false)
  tt.equal(parseNumericDataBytes(Buffer.from([0x7b, 0xff, 0x7d])), undefined, 'invalid UTF-8 declined')
})

t.test('a body of more values than the scratch holds', async (tt) => {
  const values = Array.from({ length: (1 << 20) + 5 }, (_, i) => i % 7 === 0 ? i : i / 8)
  const text = JSON.stringify({ data: { tensor: { shape: [values.length], values } } })
  const f = fast(text) as Outcome
  tt.ok(!('error' in f) && f.data.length === values.length && f.data.every((v, i) => v === values[i]), 'every value read')
  check(tt, '{"data":{"ndarray":[[1.5,2]]}}', true) // and the next body starts clean
})

t.test('a run of more exponent literals than the deferred-literal arrays keep', async (tt) => {
  // A short first literal, 70,000 literals with an exponent (converted natively, after the scan),
  // one at a time because of the NaN; then a body of the same kind with no NaN.
  for (const withNaN of [true, false]) {
    const values = Array.from({ length: 70_002 }, (_, i) => (i === 0 ? '1.5' : i === 70_001 && withNaN ? 'NaN' : (i * Math.PI).toExponential()))
    const text = `{"data":{"tensor":{"shape":[${values.length}],"values":[${values.join(',')}]}}}`
    const f = fast(text) as Outcome
    tt.ok(!('error' in f) && f.data.length === values.length && f.data.every((v, i) => Object.is(v, Number(values[i]))), `every value read (NaN: ${withNaN})`)
  }
  check(tt, '{"data":{"ndarray":[[1.5,2.123456789012345678]]}}', true) // and the next body starts clean
})

// Number literals as clients write them: JS and Python floats, ints, integral floats, exponents,
// long mantissas, -0, the non-finite tokens Python's json accepts.
const literal = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('1', '2.5') },
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(x => stringifyJson(new Float64Array([x])).slice(1, -1)),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.integer({ min: -1e6, max: 1e6 }).map(n => `${n}.0`),
  { arbitrary: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String), weight: 1 },
  fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: 0, max: 99999 }), fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 }))
    .map(([i, f, e, s, x]) => `${i}.${f}${e}${s}${x}`),
  fc.constantFrom('-0', '-0.0', '0', '0.0', 'NaN', 'Infinity', '-Infinity', '1.5', '0.1', '123456789012345.6', '0.30000000000000004')
)
const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', ' \r\n ')

/** A nested array of literals of the given shape, whitespace between tokens. */
function nested (shape: number[]): fc.Arbitrary<string> {
  if (shape.length === 0) return literal
  const [n, ...rest] = shape as [number, ...number[]]
  return fc.tuple(fc.array(fc.tuple(ws, nested(rest), ws), { minLength: n, maxLength: n }), ws)
    .map(([items, w]) => '[' + items.map(([a, v, b]) => a + v + b).join(',') + w + ']')
}

const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })

const numbersOfNdarray = dims.chain(nested).map(nd => `"ndarray":${nd}`)
const numbersOfTensor = fc.integer({ min: 1, max: 12 }).chain(n => fc.tuple(
  nested([n]),
  fc.constantFrom([n], [-1], [1, n], [n + 1], [n, 1, 1]),
  fc.boolean(), ws
).map(([values, shape, shapeFirst, w]) => {
  const s = `"shape":${w}${JSON.stringify(shape)}`
  const v = `"values":${values}`
  return `"tensor":{${shapeFirst ? s + ',' + v : v + ',' + w + s}}`
}))

// `names` and `meta` as clients and components write them: usually absent or short and plain,
// sometimes with escapes, brackets and braces inside strings, integral floats, nesting.
const name = fc.oneof(fc.constantFrom('a', 't:0', 'x]', 'y}', 'q"', 'b\\', 'é'), fc.string({ maxLength: 6 }))
const namesMember = fc.option(fc.tuple(fc.array(name, { maxLength: 5 }), ws)
  .map(([names, w]) => `"names":${w}${JSON.stringify(names)}`), { freq: 2 })
const plainKey = fc.oneof(fc.constantFrom('puid', 'tags', 'routing', 'requestPath', 'a', 'x:y', '1', '__proto__'), fc.string({ maxLength: 4 }))
const plainScalar = fc.oneof(
  fc.string({ maxLength: 6 }), fc.integer(), fc.constantFrom(true, false, null, [], 1e16, 2 ** 53 + 2, -0, 1.5),
  fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }).map(n => Number(n)),
  fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: -1, max: 1, noNaN: true })
)
const plainLeaf = fc.oneof(
  { weight: 4, arbitrary: plainScalar },
  // up to 18 elements: an array of 16 numbers or more is one parseJson tries to read as a run
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constantFrom(null, 0.5, 2.0)), { maxLength: 18 }) }
)
const metaValue = fc.oneof(
  fc.constantFrom('{}', '{"puid":"abc","tags":{"x":1.0,"y":[2.5,3.0]},"routing":{"r":1},"requestPath":{"m":"img:1"}}',
    '{"metrics":[{"key":"k","type":"GAUGE","value":2.0}]}', '{"tags":{"s":"} ] \\" {"}}'),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 })).map(o => JSON.stringify(o)),
  // plain values, which the fast path reads without parseJson, now and then a value it does not
  fc.dictionary(plainKey, fc.oneof(plainLeaf, fc.dictionary(plainKey, plainLeaf, { maxKeys: 3 })), { maxKeys: 5 }).map(o => JSON.stringify(o))
)
const metaMember = fc.option(fc.tuple(metaValue, ws).map(([m, w]) => `"meta":${w}${m}`), { freq: 2 })

/** A message of `numbers`, with `names` and `meta` when drawn, each object's members in a drawn order. */
function message (numbers: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(numbers, namesMember, metaMember, fc.boolean(), fc.boolean(), ws, ws).map(([nums, names, meta, namesFirst, metaFirst, a, b]) => {
    const data = names === null ? [nums] : namesFirst ? [names, nums] : [nums, names]
    const dataMember = `"data":{${data.join(',' + a)}}`
    const members = meta === null ? [dataMember] : metaFirst ? [meta, dataMember] : [dataMember, meta]
    return `{${a}${members.join(',' + b)}${b}}`
  })
}

const ndarrayBody = message(numbersOfNdarray)
const tensorBody = message(numbersOfTensor)

/** Asserts that wherever the fast path answers, it answers as the general path; how many it took. */
function agreesWhereTaken (bodies: fc.Arbitrary<string>, numRuns: number): number {
  let taken = 0
  fc.assert(fc.property(bodies, (text) => {
    const f = fast(text)
    if (f === undefined) return true
    taken++
    return same(f, general(text))
  }), { numRuns })
  return taken
}

t.test('property: wherever the fast path answers, it answers as the general path', async (tt) => {
  const taken = agreesWhereTaken(fc.oneof(ndarrayBody, tensorBody), 1000)
  tt.ok(taken > 500, `the fast path took most bodies (${taken} of 1000)`)
})

t.test('property: long runs of full-precision literals decode as the general path', async (tt) => {
  // Runs of 17-digit literals (read by readLongDecimal) and exponent literals (converted natively,
  // together once there are enough of them), mixed with short ones, ints, whitespace and
  // (sometimes) NaN/Infinity, which make the deferred ones convert one at a time.
  const double = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
  const full = fc.oneof(double.map(String), double.map(x => x.toExponential()), double.map(x => x.toPrecision(17)), double.map(x => x.toFixed(19)))
  const mixed = fc.oneof({ weight: 6, arbitrary: full }, { weight: 1, arbitrary: literal })
  const run = fc.array(fc.tuple(ws, mixed), { minLength: 32, maxLength: 300 }).map(items => '[' + items.map(([w, l]) => w + l).join(',') + ']')
  const bodies = fc.tuple(run, fc.boolean()).map(([values, asTensor]) => asTensor
    ? `{"data":{"tensor":{"shape":[-1],"values":${values}}}}`
    : `{"data":{"ndarray":[${values},${values}]}}`)
  const taken = agreesWhereTaken(bodies, 300)
  tt.ok(taken > 100, `the fast path took most bodies (${taken} of 300)`)
})

t.test('property: a body edited anywhere is decoded the same or declined', async (tt) => {
  // One character replaced, dropped or inserted: syntax errors, ragged rows, stray tokens.
  const edited = fc.tuple(fc.oneof(ndarrayBody, tensorBody), fc.nat(), fc.constantFrom('', ',', '[', ']', '1', '.', 'e', '-', '"', ' ', '}', 'N'), fc.boolean())
    .map(([text, at, c, insert]) => {
      const i = at % (text.length + 1)
      return text.slice(0, i) + c + text.slice(insert ? i : i + 1)
    })
  fc.assert(fc.property(edited, (text) => {
    const f = fast(text)
    return f === undefined || same(f, general(text))
  }), { numRuns: 1500 })
  tt.pass('no edit made the two paths disagree')
})
