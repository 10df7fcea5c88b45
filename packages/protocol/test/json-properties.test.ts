/**
 * Property tests of the JSON codec. Expected bytes come from generators and oracles written
 * independently of the codec (src/json-*.ts, src/py-number.ts): the Python float repr below works from the double's exact decimal
 * expansion (checked against CPython 3.11 on 322k doubles when it was written), strings are
 * escaped from JSON.stringify's output, keys sorted by code point.
 */
import t from 'tap'
import fc from 'fast-check'
import { MAX_JSON_DEPTH, parseJson } from '../src/json-parse.js'
import { stringifyJson } from '../src/json-stringify.js'
import { JsonFloat } from '../src/marks.js'
import { formatFloat } from '../src/py-number.js'
import { NDArray } from '../src/ndarray.js'
import { SeldonError } from '../src/errors.js'

// ---------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------

interface Decimal { digits: string, point: number } // 0.<digits> x 10^point

/** The exact decimal value of a positive finite double (a dyadic rational: the expansion ends). */
function exactDecimal (a: number): Decimal {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, a)
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  let mantissa = bits & ((1n << 52n) - 1n)
  let e2 = -1074
  if (biased !== 0) { mantissa |= 1n << 52n; e2 = biased - 1075 }
  const n = e2 >= 0 ? mantissa << BigInt(e2) : mantissa * 5n ** BigInt(-e2)
  const digits = n.toString()
  return { digits: digits.replace(/0+$/, ''), point: digits.length + Math.min(e2, 0) }
}

/** The two p-digit decimals around a value, the nearer first (on a tie, the even one first). */
function neighbours ({ digits, point }: Decimal, p: number): Decimal[] {
  if (digits.length <= p) return [{ digits, point }]
  const head = digits.slice(0, p)
  const rest = digits.slice(p)
  const down = { digits: head.replace(/0+$/, ''), point }
  const bumped = (BigInt(head) + 1n).toString()
  const up = bumped.length > p
    ? { digits: bumped.slice(0, p).replace(/0+$/, ''), point: point + 1 }
    : { digits: bumped.padStart(p, '0').replace(/0+$/, ''), point }
  const upFirst = (rest[0] as string) > '5' || (rest[0] === '5' && (rest.length > 1 || Number(head[p - 1]) % 2 === 1))
  return upFirst ? [up, down] : [down, up]
}

/** The shortest neighbour of `exact` (1 to 17 digits) that reads back as `a`. */
function shortestReadingBack (exact: Decimal, a: number): Decimal | undefined {
  for (let p = 1; p <= 17; p++) {
    for (const c of neighbours(exact, p)) {
      if (Number(`0.${c.digits}e${c.point}`) === a) return c
    }
  }
  return undefined
}

/** CPython's repr(float) as json.dumps writes it: the shortest decimal that reads back the same. */
function pythonFloatRepr (d: number): string {
  if (Number.isNaN(d)) return 'NaN'
  if (d === Infinity) return 'Infinity'
  if (d === -Infinity) return '-Infinity'
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0'
  const a = Math.abs(d)
  const exact = exactDecimal(a)
  const { digits, point } = shortestReadingBack(exact, a) ?? exact
  const sign = d < 0 ? '-' : ''
  const x = point - 1
  if (x >= -4 && x < 16) {
    if (point <= 0) return sign + '0.' + '0'.repeat(-point) + digits
    if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length) + '.0'
    return sign + digits.slice(0, point) + '.' + digits.slice(point)
  }
  return sign + (digits[0] as string) + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + (x < 0 ? '-' : '+') + String(Math.abs(x)).padStart(2, '0')
}

/** json.dumps(ensure_ascii=True) of a string: JSON.stringify, then every non-ASCII unit and DEL escaped. */
function pythonString (s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** Python sorts str keys by code point (lone surrogates count as themselves). */
function byCodePoint (a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number)
  const y = Array.from(b, (c) => c.codePointAt(0) as number)
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x.length - y.length
}

/** Structural equality of a parseJson value with a JSON.parse value (bigints rounded, -0 kept). */
function sameAsJsonParse (ours: unknown, theirs: unknown): boolean {
  if (ours instanceof JsonFloat) return Object.is(ours.valueOf(), theirs)
  if (typeof ours === 'bigint') return typeof theirs === 'number' && Number(ours) === theirs
  if (typeof ours === 'number') return Object.is(ours, theirs)
  if (Array.isArray(ours)) {
    return Array.isArray(theirs) && ours.length === theirs.length && ours.every((v, i) => sameAsJsonParse(v, theirs[i]))
  }
  if (ours !== null && typeof ours === 'object') {
    if (theirs === null || typeof theirs !== 'object' || Array.isArray(theirs)) return false
    if (Object.getPrototypeOf(ours) !== Object.prototype) return false
    const keys = Object.keys(ours)
    return keys.length === Object.keys(theirs).length &&
      keys.every((k) => Object.hasOwn(theirs, k) && sameAsJsonParse((ours as Record<string, unknown>)[k], (theirs as Record<string, unknown>)[k]))
  }
  return ours === theirs
}

/** The value a number literal parses to, as a number. */
const numeric = (v: unknown): number => (v instanceof JsonFloat ? v.valueOf() : typeof v === 'bigint' ? Number(v) : v as number)

// ---------------------------------------------------------------------------------------------
// Generators of JSON texts together with the bytes CPython would write back
// ---------------------------------------------------------------------------------------------

/** A JSON text and what `json.dumps(json.loads(text), sort_keys=True, separators=(',', ':'))` gives. */
interface Doc { text: string, canonical: string }

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ')

/** Ways to write a double as a float literal (always with a fraction or an exponent). */
const floatFormats: Array<(d: number, k: number) => string> = [
  (d) => String(d),
  (d) => d.toExponential(),
  (d, k) => d.toExponential(k % 21),
  (d, k) => d.toPrecision(1 + (k % 21)),
  (d) => String(d).toUpperCase(),
  (d) => d.toExponential().replace('e+', 'e'),
  (d, k) => (Math.abs(d) < 1e21 ? d.toFixed(k % 21) : String(d)),
]
const asFloatLiteral = (s: string): string => (/[.eE]/.test(s) ? s : s + '.0')

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true })

const floatLiteral: fc.Arbitrary<Doc> = fc.tuple(finiteDouble, fc.nat(floatFormats.length - 1), fc.nat(40)).map(([d, f, k]) => {
  const text = asFloatLiteral((floatFormats[f] as (d: number, k: number) => string)(d, k))
  return { text, canonical: pythonFloatRepr(JSON.parse(text) as number) }
})

const intLiteral: fc.Arbitrary<Doc> = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc.constantFrom('0', '9007199254740991', '9007199254740992', '-9007199254740993', '123456789012345')
).map((text) => ({ text, canonical: text }))

const specialLiteral: fc.Arbitrary<Doc> = fc.constantFrom(
  { text: 'NaN', canonical: 'NaN' },
  { text: 'Infinity', canonical: 'Infinity' },
  { text: '-Infinity', canonical: '-Infinity' },
  { text: '-0', canonical: '0' },
  { text: '-0.0', canonical: '-0.0' },
  { text: '1e400', canonical: 'Infinity' }
)

const numberLiteral = fc.oneof({ weight: 4, arbitrary: floatLiteral }, { weight: 3, arbitrary: intLiteral }, { weight: 1, arbitrary: specialLiteral })

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
const rawString = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: anyCodeUnit, maxLength: 12 }),
  fc.string({ unit: fc.oneof(fc.constant('a'), fc.constant('é'), fc.constant('\\'), fc.constant('"')), minLength: 60, maxLength: 200 })
)

const SHORT: Record<number, string> = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r', 34: '"', 92: '\\', 47: '/' }

/** A string written in JSON with a mix of raw characters and every kind of escape. */
const stringLiteral: fc.Arbitrary<Doc & { value: string }> = fc.tuple(rawString, fc.array(fc.nat(3), { maxLength: 16 })).map(([s, choices]) => {
  let text = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const choice = choices.length === 0 ? 0 : (choices[i % choices.length] as number)
    const rawAllowed = c >= 0x20 && c !== 0x22 && c !== 0x5c
    const hex = c.toString(16).padStart(4, '0')
    if (choice === 3 && SHORT[c] !== undefined) text += '\\' + SHORT[c]
    else if (choice === 0 && rawAllowed) text += s[i]
    else if (choice === 2) text += '\\u' + hex.toUpperCase()
    else text += '\\u' + hex
  }
  return { text: text + '"', canonical: pythonString(s), value: s }
})

const key = fc.oneof(
  { weight: 4, arbitrary: stringLiteral },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', '1', '01', '', 'data').map((k) => ({ text: JSON.stringify(k), canonical: JSON.stringify(k), value: k })) }
)

const literal = fc.oneof(
  { weight: 3, arbitrary: numberLiteral },
  { weight: 2, arbitrary: stringLiteral.map(({ text, canonical }) => ({ text, canonical })) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map((x) => ({ text: x, canonical: x })) }
)

const arrayOf = (items: Doc[], spaces: string[]): Doc => ({
  text: '[' + items.map((d, i) => (spaces[i] ?? '') + d.text + (spaces[i + 1] ?? '')).join(',') + ']',
  canonical: '[' + items.map((d) => d.canonical).join(',') + ']',
})

/** Long numeric arrays, the batch path: all floats, all ints, or mixed, now and then with an odd one out. */
const numberRun: fc.Arbitrary<Doc> = fc.tuple(
  fc.constantFrom('floats', 'ints', 'mixed'),
  fc.array(fc.tuple(floatLiteral, intLiteral, fc.boolean()), { minLength: 16, maxLength: 60 }),
  fc.array(ws, { maxLength: 61 }),
  fc.option(fc.oneof(specialLiteral, stringLiteral, fc.constant({ text: '[1.0]', canonical: '[1.0]' })), { freq: 4 }),
  fc.nat()
).map(([kind, pairs, spaces, odd, at]) => {
  const items = pairs.map(([f, i, pick]) => (kind === 'floats' ? f : kind === 'ints' ? i : pick ? f : i))
  if (odd !== null) items.splice(at % (items.length + 1), 0, odd)
  return arrayOf(items, spaces)
})

const { doc } = fc.letrec<{ doc: Doc, array: Doc, object: Doc }>((tie) => ({
  doc: fc.oneof({ maxDepth: 4, depthIdentifier: 'doc' }, literal, tie('array'), tie('object'), numberRun),
  array: fc.tuple(fc.array(tie('doc'), { maxLength: 5 }), fc.array(ws, { maxLength: 6 })).map(([items, spaces]) => arrayOf(items, spaces)),
  object: fc.tuple(
    fc.uniqueArray(fc.tuple(key, tie('doc')), { selector: ([k]) => k.value, maxLength: 5 }),
    ws, ws
  ).map(([entries, a, b]) => ({
    text: '{' + entries.map(([k, v]) => a + k.text + b + ':' + a + v.text + b).join(',') + '}',
    canonical: '{' + [...entries].sort(([x], [y]) => byCodePoint(x.value, y.value)).map(([k, v]) => k.canonical + ':' + v.canonical).join(',') + '}',
  })),
}))

const isWellFormed = (s: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

t.test('stringify(parse(text)) is what CPython writes back, byte for byte', async (t) => {
  fc.assert(fc.property(ws, doc, ws, (before, { text, canonical }, after) => {
    const input = before + text + after
    if (stringifyJson(parseJson(input)) !== canonical) return false
    // the same bytes from UTF-8 (a lone surrogate cannot travel in UTF-8)
    return !isWellFormed(input) || stringifyJson(parseJson(Buffer.from(input))) === canonical
  }), { numRuns: 1500 })
  t.pass()
})

t.test('parse agrees with JSON.parse on standard JSON', async (t) => {
  fc.assert(fc.property(fc.json({ maxDepth: 4 }), (text) => sameAsJsonParse(parseJson(text), JSON.parse(text))), { numRuns: 1000 })
  fc.assert(fc.property(doc, ({ text }) => {
    if (/NaN|Infinity/.test(text)) return true // not JSON.parse's grammar
    return sameAsJsonParse(parseJson(text), JSON.parse(text))
  }), { numRuns: 500 })
  t.pass()
})

t.test('number literals parse bit-identically to JSON.parse', async (t) => {
  const formats = [...floatFormats, (d: number) => String(d).replace('e', 'E'), (d: number) => d.toExponential(3).replace('e', 'e+').replace('e+-', 'e-').replace('e++', 'e+')]
  fc.assert(fc.property(finiteDouble, fc.nat(40), (d, k) => {
    for (const format of formats) {
      const text = format(d, k)
      const expected = JSON.parse(text) as number
      if (!Object.is(numeric(parseJson(text)), expected)) return false
      // inside short and long arrays (the element-wise and the batch paths), alone and mixed with ints
      const short = parseJson(`[${text},1]`) as unknown[]
      if (!Object.is(numeric(short[0]), expected)) return false
      const long = parseJson('[' + new Array(20).fill(text).join(',') + ']') as unknown[]
      if (!long.every((v) => Object.is(numeric(v), expected))) return false
      const mixed = parseJson('[' + new Array(20).fill(`${text},7`).join(',') + ']') as unknown[]
      if (!mixed.every((v, i) => Object.is(numeric(v), i % 2 === 0 ? expected : 7))) return false
    }
    return true
  }), { numRuns: 2000 })
  t.pass()
})

t.test('arbitrary digit strings parse bit-identically to JSON.parse', async (t) => {
  const literalText = fc.stringMatching(/^-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?$/)
  fc.assert(fc.property(literalText, (text) => {
    const ours = parseJson(text)
    const expected = JSON.parse(text) as number
    if (!/[.eE]/.test(text) && typeof ours === 'bigint') return ours === BigInt(text) && Number(ours) === expected
    return Object.is(numeric(ours), expected) &&
      (parseJson('[' + new Array(17).fill(text).join(',') + ']') as unknown[]).every((v) => Object.is(numeric(v), expected))
  }), { numRuns: 3000 })
  t.pass()
})

t.test('formatFloat is the Python repr and reads back exactly', async (t) => {
  fc.assert(fc.property(fc.double(), (d) => {
    const text = formatFloat(d)
    return text === pythonFloatRepr(d) && (!Number.isFinite(d) || Object.is(JSON.parse(text) as number, d))
  }), { numRuns: 20000 })
  t.pass()
})

t.test('typed arrays and NDArrays print each element as a Python float', async (t) => {
  const expected = (values: ArrayLike<number>): string => '[' + Array.from(values, pythonFloatRepr).join(',') + ']'
  fc.assert(fc.property(fc.float64Array({ maxLength: 40 }), (arr) => stringifyJson(arr) === expected(arr)), { numRuns: 500 })
  fc.assert(fc.property(fc.float32Array({ maxLength: 40 }), (arr) => stringifyJson(arr) === expected(arr)), { numRuns: 300 })
  // long runs, mostly well-behaved values (most of them 17 digits) with a few odd ones
  const mostlyPlain = fc.oneof({ weight: 20, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }) }, { weight: 1, arbitrary: fc.double() })
  fc.assert(fc.property(fc.array(mostlyPlain, { minLength: 1000, maxLength: 2500 }), (values) => {
    const arr = Float64Array.from(values)
    return stringifyJson(arr) === expected(arr) && stringifyJson(values, { allFloats: true }) === expected(arr)
  }), { numRuns: 30 })
  fc.assert(fc.property(fc.array(fc.double(), { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), (values, cols) => {
    const rows = Math.floor(values.length / cols)
    const data = Float64Array.from(values.slice(0, rows * cols))
    const nested = Array.from({ length: rows }, (_, r) => expected(data.subarray(r * cols, r * cols + cols)))
    return stringifyJson(new NDArray(data, [rows, cols])) === '[' + nested.join(',') + ']'
  }), { numRuns: 300 })
  t.pass()
})

/** The doubles either side of `d` (d finite and non-zero). */
function adjacentDoubles (d: number): number[] {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, d)
  const bits = view.getBigUint64(0)
  const around = [bits - 1n, bits + 1n].map((b) => { view.setBigUint64(0, b); return view.getFloat64(0) })
  return around.filter((x) => Number.isFinite(x))
}

t.test('runs of short decimals print as Python does (the byte printer of json-float-run.ts)', async (t) => {
  const expected = (values: ArrayLike<number>): string => '[' + Array.from(values, pythonFloatRepr).join(',') + ']'
  // a decimal of 1 to 17 significant digits, its point anywhere from 1e-6 to 1e13, either sign
  const shortDecimal = fc.tuple(fc.integer({ min: 1, max: 17 }), fc.integer({ min: -6, max: 13 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([digits, point, negative, r]) => {
      const significand = Math.floor(r * 10 ** digits)
      const value = Number(`${significand}e${point - digits}`)
      return negative ? -value : value
    })
  fc.assert(fc.property(fc.array(shortDecimal, { minLength: 16, maxLength: 400 }), (values) => {
    const arr = Float64Array.from(values)
    return stringifyJson(arr) === expected(arr)
  }), { numRuns: 400 })
  // the edges: powers of ten and the range limits, the doubles beside them and beside short
  // decimals (those need 17 digits), values that round across a power of ten at 12 digits
  const edges: number[] = []
  for (let e = -6; e <= 17; e++) {
    for (const m of [1, 9.99999999999, 9.999999999995, 9.9999999999995, 1.00000000001, 5, 1.5]) {
      const v = Number(`${m}e${e}`)
      edges.push(v, -v, ...adjacentDoubles(v))
    }
  }
  edges.push(0.1 + 0.2, 1e-4, 99999999999.9, 99999999999.99, 123456789012.5, 0.30000000000000004, 2 ** -14, 2 ** 40 + 0.5)
  for (const d of [0.1, 0.5, 523.456, 1 / 3, 2 / 3, 123.456789012]) edges.push(...adjacentDoubles(d))
  t.equal(stringifyJson(Float64Array.from(edges)), expected(edges))
  t.equal(stringifyJson(Float32Array.from(edges)), expected(Float32Array.from(edges)))
  // NDArrays printed as one block: rows short and long, values that turn long part-way (a short
  // row then gives up and the whole array prints the other way), integral values, 1 to 3 dims
  const element = fc.oneof({ weight: 12, arbitrary: shortDecimal }, { weight: 1, arbitrary: fc.double() }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) })
  const nested = (data: Float64Array, shape: number[], offset = 0): string => {
    if (shape.length === 1) return expected(data.subarray(offset, offset + (shape[0] as number)))
    const [n, ...rest] = shape as [number, ...number[]]
    const stride = rest.reduce((x, y) => x * y, 1)
    return '[' + Array.from({ length: n }, (_, i) => nested(data, rest, offset + i * stride)).join(',') + ']'
  }
  const shapes = fc.oneof(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 24 })).map(([r, c]) => [r, c]),
    fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20 })).map(([a, b, c]) => [a, b, c]),
    fc.integer({ min: 1, max: 300 }).map((n) => [n]))
  fc.assert(fc.property(shapes, fc.array(element, { minLength: 6000, maxLength: 6000 }), fc.nat(6000), (shape, values, turn) => {
    const size = shape.reduce((x, y) => x * y, 1)
    // from `turn` on, full-precision values: a block that starts short and turns long
    const data = Float64Array.from(values.slice(0, size), (v, i) => (i >= turn && i % 3 !== 0 ? v * Math.PI : v))
    return stringifyJson(new NDArray(data, shape)) === nested(data, shape)
  }), { numRuns: 300 })
  // many times the printer's 64 KiB buffer, every kind of element, so that its flushes land
  // between all of them
  const kinds = (i: number): number => [0.5 + i / 1000, Math.PI * i, i, 1e-7 * i, -i / 7, Math.fround(i / 3)][i % 6] as number
  for (const length of [30_000, 30_001, 30_002, 30_003, 30_004, 30_005]) {
    const big = Float64Array.from({ length }, (_, i) => kinds(i))
    t.equal(stringifyJson(big), expected(big), `${length} values`)
  }
  const block = Float64Array.from({ length: 30_000 }, (_, i) => kinds(i))
  t.equal(stringifyJson(new NDArray(block, [100, 300])), nested(block, [100, 300]))
  t.equal(stringifyJson(new NDArray(block, [10, 10, 300])), nested(block, [10, 10, 300]))
})

t.test('malformed JSON is always a 400 SeldonError, never another error', async (t) => {
  const corruption = fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '0', '7', 'e', 'E', '.', '+', '-', 'n', 't', 'f', ' ', '\\', 'u', '\u0001', 'é')
  fc.assert(fc.property(fc.json({ maxDepth: 3 }), fc.nat(), corruption, fc.boolean(), (text, at, char, truncate) => {
    const i = at % (text.length + 1)
    const broken = truncate ? text.slice(0, i) : text.slice(0, i) + char + text.slice(i + 1)
    let expected: unknown
    let jsonParseFails = false
    try { expected = JSON.parse(broken) } catch { jsonParseFails = true }
    try {
      const ours = parseJson(broken)
      return !jsonParseFails && sameAsJsonParse(ours, expected)
    } catch (err) {
      return jsonParseFails && err instanceof SeldonError && err.statusCode === 400 && err.message.startsWith('Invalid JSON: ')
    }
  }), { numRuns: 3000 })
  t.pass()
})

t.test('nesting: up to the limit parses, beyond it is a 400', async (t) => {
  let deepest = 0
  fc.assert(fc.property(fc.integer({ min: 1, max: MAX_JSON_DEPTH + 40 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (depth, pattern) => {
    deepest = Math.max(deepest, depth)
    const openers = Array.from({ length: depth }, (_, i) => (pattern[i % pattern.length] as boolean ? '[' : '{"k":'))
    const closers = openers.map((o) => (o === '[' ? ']' : '}')).reverse().join('')
    const text = openers.join('') + '1.0' + closers
    try {
      return stringifyJson(parseJson(text)) === text && depth <= MAX_JSON_DEPTH
    } catch (err) {
      return depth > MAX_JSON_DEPTH && err instanceof SeldonError && err.statusCode === 400
    }
  }), { numRuns: 300 })
  t.ok(deepest > MAX_JSON_DEPTH, 'went past the limit')
})

t.test('no input reaches Object.prototype', async (t) => {
  const before = Object.getOwnPropertyNames(Object.prototype).sort()
  const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'toString', 'valueOf')
  const { hostile } = fc.letrec<{ hostile: string }>((tie) => ({
    hostile: fc.oneof({ maxDepth: 4 },
      fc.constantFrom('1', '"x"', 'null', '{"polluted":true}'),
      fc.array(fc.tuple(hostileKey, tie('hostile')), { maxLength: 4 }).map((entries) => '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + v).join(',') + '}')
    ),
  }))
  fc.assert(fc.property(hostile, (text) => {
    const value = parseJson(text)
    stringifyJson(value)
    const plain = {} as Record<string, unknown>
    return plain.polluted === undefined && typeof plain.toString === 'function' &&
      (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) === Object.prototype)
  }), { numRuns: 500 })
  t.strictSame(Object.getOwnPropertyNames(Object.prototype).sort(), before)
})
