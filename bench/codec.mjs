#!/usr/bin/env node
// Codec benchmark: decode+encode of big payloads through our JSON and protobuf codecs, side by side
// in one run with JSON.parse + JSON.stringify of the same text (the floor any JS server pays).
// Contenders alternate in rounds so machine noise hits all of them alike. Bounded: ~1 s per case
// per round, ROUNDS rounds.
import {
  parseJson, stringifyJson, decodePayload, encodeResult,
  decodeSeldonMessage, encodeSeldonMessage
} from '@fastify-seldon/protocol'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const CASE_MS = Number(process.env.CASE_MS ?? 1000)

// Deterministic pseudo-random floats, printed the way clients print them.
let seed = 42
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }

const rows = 100; const cols = 1000
const nested = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(rnd() * 1e6) / 1e3))
const ndarrayText = JSON.stringify({ data: { ndarray: nested } })
const tensorValues = Array.from({ length: 100_000 }, () => Math.round(rnd() * 1e6) / 1e3)
const tensorText = JSON.stringify({ data: { tensor: { shape: [100_000], values: tensorValues } } })
// The same tensor at full precision (17 significant digits, as numpy's tolist() prints computed values)
const fullText = JSON.stringify({ data: { tensor: { shape: [100_000], values: tensorValues.map((x) => x * Math.PI / 3) } } })

// The protobuf bodies of the same messages, as a gRPC client would send them.
const ndarrayProto = encodeSeldonMessage({ data: { ndarray: nested } })
const tensorProto = encodeSeldonMessage({ data: { tensor: { shape: [100_000], values: Float64Array.from(tensorValues) } } })

/** What a REST identity predict does with a body: parse, decode for the user, encode, print. */
function jsonRoundTrip (text) {
  const msg = parseJson(text)
  const request = decodePayload(msg, 'rest')
  const out = encodeResult(request.features, { request, transport: 'rest' })
  return stringifyJson(out).length
}

/** The same over gRPC: decode the bytes, decode for the user, encode the answer. */
function protoRoundTrip (bytes) {
  const msg = decodeSeldonMessage(bytes)
  const request = decodePayload(msg, 'grpc')
  const out = encodeResult(request.features, { request, transport: 'grpc' })
  return encodeSeldonMessage(out).length
}

const baseline = text => JSON.stringify(JSON.parse(text)).length

const cases = [
  ['ndarray 100x1000: JSON.parse+stringify', () => baseline(ndarrayText)],
  ['ndarray 100x1000: our JSON codec', () => jsonRoundTrip(ndarrayText)],
  ['ndarray 100x1000: our protobuf codec', () => protoRoundTrip(ndarrayProto)],
  ['tensor 100k: JSON.parse+stringify', () => baseline(tensorText)],
  ['tensor 100k: our JSON codec', () => jsonRoundTrip(tensorText)],
  ['tensor 100k: our protobuf codec', () => protoRoundTrip(tensorProto)],
  ['tensor 100k, 17 digits: JSON.parse+stringify', () => baseline(fullText)],
  ['tensor 100k, 17 digits: our JSON codec', () => jsonRoundTrip(fullText)]
]

const samples = new Map(cases.map(([name]) => [name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of cases) {
    for (let i = 0; i < 3; i++) fn() // warm-up
    const times = []
    const end = performance.now() + CASE_MS
    while (performance.now() < end && times.length < 10_000) {
      const t0 = performance.now(); fn(); times.push(performance.now() - t0)
    }
    samples.get(name).push(...times)
  }
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const result = new Map([...samples].map(([k, v]) => [k, median(v)]))
const ms = name => result.get(name)
console.log('| case | median ms | vs JSON.parse+stringify of the same message |')
console.log('| --- | ---: | ---: |')
for (const [name] of cases) {
  const base = ms(name.replace(/: .*/, ': JSON.parse+stringify'))
  console.log(`| ${name} | ${ms(name).toFixed(2)} | ${(ms(name) / base).toFixed(2)}x |`)
}
const speedup = ms('tensor 100k: JSON.parse+stringify') / ms('tensor 100k: our protobuf codec')
console.log(`\nprotobuf tensor 100k is ${speedup.toFixed(1)}x faster than JSON.parse+stringify (target >= 10x)`)
console.log(`protobuf ndarray 100x1000 / our JSON ndarray: ${(ms('ndarray 100x1000: our protobuf codec') / ms('ndarray 100x1000: our JSON codec')).toFixed(2)}x (target <= 1x)`)
