#!/usr/bin/env node
// `node bench/small-bodies.mjs`: small REST bodies from bytes to the decoded payload, in a loop, on
// the bytes fast path (`parseNumericDataBytes`, what the REST plugins try first) and on the general
// path (`parseJson` of the text), side by side: the plain small predict, and the same with names
// and the `meta` a graph's executor or Seldon's Python client send; and the same messages as
// protobuf (what the gRPC service decodes). Medians of ROUNDS rounds of LOOPS bodies each;
// nanoseconds per body. Bounded: about a second per body kind per round.
import { decodePayload, decodeSeldonMessage, encodeSeldonMessage, parseJson } from '@fastify-seldon/protocol'
import { parseNumericDataBytes } from '@fastify-seldon/protocol/internal'
import { SMALL_HOP_JSON, SMALL_JSON } from './lib/payloads.mjs'
import { median } from './lib/stats.mjs'

const ROUNDS = Number(process.env.ROUNDS ?? 4)
const LOOPS = Number(process.env.LOOPS ?? 200_000)

const bodies = {
  'no names, no meta': SMALL_JSON,
  'four names, "meta":{}': '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[1.0,2.0,3.0,4.0]]},"meta":{}}',
  'four names, the executor\'s meta': '{"meta":{"puid":"0b6f5a7e-3c1d-4e8a-9f2b-6d4c8e1a7b3f","requestPath":{}},"data":{"names":["a","b","c","d"],"ndarray":[[1,2,3,4]]}}',
  'four names, a puid and a tag': '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[1.0,2.0,3.0,4.0]]},"meta":{"puid":"a7c9e1f3-5b2d-4a6c-8e0f-1d3b5a7c9e2f","tags":{"x":1}}}',
  'small-hop (a graph\'s meta)': SMALL_HOP_JSON
}

function nsPerBody (run) {
  const t0 = performance.now()
  for (let i = 0; i < LOOPS; i++) run()
  return (performance.now() - t0) * 1e6 / LOOPS
}

const results = new Map(Object.keys(bodies).map(name => [name, { fast: [], general: [], protobuf: [] }]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, text] of Object.entries(bodies)) {
    const bytes = Buffer.from(text)
    const taken = parseNumericDataBytes(bytes)
    if (taken === undefined) throw new Error(`the fast path declines "${name}"`)
    const r = results.get(name)
    r.fast.push(nsPerBody(() => decodePayload(parseNumericDataBytes(bytes), 'rest')))
    r.general.push(nsPerBody(() => decodePayload(parseJson(bytes.toString('utf8')), 'rest')))
    const proto = encodeSeldonMessage(parseJson(text))
    r.protobuf.push(nsPerBody(() => decodePayload(decodeSeldonMessage(proto), 'grpc')))
  }
}
console.log(`Bytes to decoded payload, ${ROUNDS} rounds × ${LOOPS} bodies, medians (Node ${process.version}):`)
console.log('| body | JSON, fast path | JSON, general path | protobuf |\n| --- | ---: | ---: | ---: |')
for (const [name, r] of results) console.log(`| ${name} | ${median(r.fast).toFixed(0)} ns | ${median(r.general).toFixed(0)} ns | ${median(r.protobuf).toFixed(0)} ns |`)
