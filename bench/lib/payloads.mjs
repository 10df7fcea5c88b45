// The request bodies of every case, built deterministically (the same bytes in every process).
import { encodeSeldonMessage } from '@fastify-seldon/protocol'

/** The small predict of cases A, B, D, E. */
export const SMALL_JSON = '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}'
// The small predict as a node after the first of a graph receives it: names, and the `meta` the
// executor passes on (a puid, a UUID as the executor makes it, and the tags, routing, request
// path and custom metrics of the nodes before).
export const SMALL_HOP_JSON = '{"meta":{"puid":"0b6f5a7e-3c1d-4e8a-9f2b-6d4c8e1a7b3f","tags":{"confidence":0.93,"model":"iris"},' +
  '"routing":{"router":0},"requestPath":{"router":"seldonio/router:1.0","model":"seldonio/iris:1.0"},' +
  '"metrics":[{"type":"GAUGE","key":"score","value":0.25}]},"data":{"names":["sepal_length","sepal_width","petal_length","petal_width"],"ndarray":[[5.1,3.5,1.4,0.2]]}}'

// Deterministic pseudo-random floats with three decimals, printed the way clients print them.
function floats (n, seed0) {
  let seed = seed0
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    out[i] = Math.round(seed / 2147483648 * 1e6) / 1e3
  }
  return out
}

const cache = new Map()
function once (key, build) {
  if (!cache.has(key)) cache.set(key, build())
  return cache.get(key)
}

const nested = () => once('nested', () => {
  const flat = floats(100 * 1000, 42)
  return Array.from({ length: 100 }, (_, r) => flat.slice(r * 1000, (r + 1) * 1000))
})
const tensorValues = () => once('tensor', () => floats(100_000, 7))
// A batch of short rows (25,000 × 4, an iris-like feature batch)
const batchRows = () => once('rows', () => {
  const flat = floats(100_000, 5)
  return Array.from({ length: 25_000 }, (_, r) => flat.slice(r * 4, r * 4 + 4))
})
// Full-precision doubles (a model's computed outputs: 17 significant digits, e.g. 523.4560918731689),
// which the JSON writer's short-decimal path cannot print: the case that keeps it honest.
const fullValues = () => once('tensor-full', () => floats(100_000, 11).map((x) => x * Math.PI / 3))
// A batch of short rows of probabilities at full precision (a classifier's predict_proba as numpy
// prints it: 0.8807970779778823), 25,000 × 4: the leading "0." and short rows, 17 digits.
const fullRows = () => once('rows-full', () => {
  const flat = floats(100_000, 13).map((x) => 1 / (1 + Math.exp(x / 100 - 5)))
  return Array.from({ length: 25_000 }, (_, r) => flat.slice(r * 4, r * 4 + 4))
})

// The 100×1000 ndarray as a Seldon component answers it, with a name per column and `meta`: what
// each node of a graph after the first receives, and what Seldon's Python client sends with names.
const hopNames = () => once('hop-names', () => Array.from({ length: 1000 }, (_, i) => `t:${i}`))

/**
 * JSON text of a payload by name: small | small-hop (with names and a graph's meta) | ndarray
 * (100×1000) | ndarray-hop (the same with names and meta) | rows (25,000×4) | tensor (100,000
 * values) | tensor-full (the same, 17 digits) | rows-full (25,000×4 probabilities, 17 digits).
 */
export function jsonBody (name) {
  switch (name) {
    case 'small': return SMALL_JSON
    case 'small-hop': return SMALL_HOP_JSON
    case 'ndarray': return once('ndarray.json', () => JSON.stringify({ data: { ndarray: nested() } }))
    case 'ndarray-hop': return once('ndarray-hop.json', () => JSON.stringify({ data: { names: hopNames(), ndarray: nested() }, meta: {} }))
    case 'rows': return once('rows.json', () => JSON.stringify({ data: { ndarray: batchRows() } }))
    case 'tensor': return once('tensor.json', () => JSON.stringify({ data: { tensor: { shape: [100_000], values: tensorValues() } } }))
    case 'tensor-full': return once('tensor-full.json', () => JSON.stringify({ data: { tensor: { shape: [100_000], values: fullValues() } } }))
    case 'rows-full': return once('rows-full.json', () => JSON.stringify({ data: { ndarray: fullRows() } }))
    default: throw new Error(`unknown payload ${name}`)
  }
}

/** The protobuf SeldonMessage of the same payload, as a gRPC client sends it. */
export function protoBody (name) {
  switch (name) {
    case 'small': return once('small.pb', () => Buffer.from(encodeSeldonMessage({ data: { ndarray: [[1, 2, 3, 4]] } })))
    case 'ndarray': return once('ndarray.pb', () => Buffer.from(encodeSeldonMessage({ data: { ndarray: nested() } })))
    case 'ndarray-hop': return once('ndarray-hop.pb', () => Buffer.from(encodeSeldonMessage({ data: { names: hopNames(), ndarray: nested() }, meta: {} })))
    case 'rows': return once('rows.pb', () => Buffer.from(encodeSeldonMessage({ data: { ndarray: batchRows() } })))
    case 'tensor': return once('tensor.pb', () => Buffer.from(encodeSeldonMessage({ data: { tensor: { shape: [100_000], values: Float64Array.from(tensorValues()) } } })))
    case 'tensor-full': return once('tensor-full.pb', () => Buffer.from(encodeSeldonMessage({ data: { tensor: { shape: [100_000], values: Float64Array.from(fullValues()) } } })))
    case 'rows-full': return once('rows-full.pb', () => Buffer.from(encodeSeldonMessage({ data: { ndarray: fullRows() } })))
    default: throw new Error(`unknown payload ${name}`)
  }
}
