/**
 * gRPC fuzzing against a real grpc-js server on a free loopback port (the CLI's worker app,
 * buildServer), every RPC of the wrapper's table, through a client with identity serializers:
 * well-formed messages encoded with the protocol codec (SeldonMessage, SeldonMessageList,
 * Feedback, the metadata request), the same bytes mutated (bit flips, splices, truncation,
 * duplicated ranges, junk fields), random bytes; then many calls at once on several connections;
 * then a catalogue of crafted wire inputs (deep nesting, lying lengths, giant varints, shapes).
 *
 * Every answer must be OK with a decodable response, or INVALID_ARGUMENT / RESOURCE_EXHAUSTED
 * (UNIMPLEMENTED for GraphMetadata, as documented) with details that carry no internals; never
 * INTERNAL/UNKNOWN from a well-behaved component; no unhandled rejection, no error log.
 */
import fc from 'fast-check'
import { encodeFeedback, encodeSeldonMessage, encodeSeldonMessageList } from '@fastify-seldon/protocol'
import t, { type Test } from 'tap'
import { grpcInput, type GrpcInput, type Rpc } from './arbitraries.js'
import { describeGrpc, grpcProblem } from './checks.js'
import { FuzzModel, RawModel } from './fixtures/models.mjs'
import {
  FUZZ_RUNS, FUZZ_SEED, grpc, grpcCall, pool, RPCS, rawGrpcClient, startInProcess, watchProcess, type InProcessServer
} from './helpers.js'

t.setTimeout(Math.max(120_000, FUZZ_RUNS * 8))
t.comment(`FUZZ_RUNS=${FUZZ_RUNS} FUZZ_SEED=${FUZZ_SEED}`)

interface Tally { answers: number, byCode: Map<string, number> }

async function check (client: grpc.Client, input: GrpcInput, tally: Tally): Promise<void> {
  const answer = await grpcCall(client, input.rpc.path, input.bytes)
  tally.answers++
  const key = grpc.status[answer.code] ?? String(answer.code)
  tally.byCode.set(key, (tally.byCode.get(key) ?? 0) + 1)
  const bad = grpcProblem(input, answer)
  if (bad !== undefined) throw new Error(`${bad}\n  input: ${describeGrpc(input)}`)
}

const BAD_LOGS = (server: InProcessServer): string[] => server.logs.filter(l => l.level >= 50).map(l => `${l.level} ${l.msg ?? ''}`)

async function fuzz (t: Test, component: object, runs: number, concurrent: number): Promise<void> {
  const seen = watchProcess(t)
  const server = await startInProcess(t, component, { grpcEnabled: true }, { listen: false })
  t.ok(server.grpcPort > 0, `gRPC on port ${server.grpcPort}`)
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  const tally: Tally = { answers: 0, byCode: new Map() }

  await fc.assert(fc.asyncProperty(grpcInput, async input => { await check(client, input, tally) }), { seed: FUZZ_SEED, numRuns: runs })

  // many calls in flight at once, over several connections
  const clients = Array.from({ length: 4 }, () => rawGrpcClient(server.grpcPort))
  t.teardown(() => { for (const c of clients) c.close() })
  const batch = fc.sample(grpcInput, { seed: FUZZ_SEED + 1, numRuns: concurrent })
  const failures: string[] = []
  await pool(batch, 32, async (input, i) => {
    try { await check(clients[i % clients.length] as grpc.Client, input, tally) } catch (err) { failures.push((err as Error).message) }
  })
  t.same(failures.slice(0, 3), [], `${concurrent} concurrent calls on 4 connections: every answer proper`)

  t.equal(tally.answers, runs + concurrent, `${tally.answers} inputs answered, each OK or a proper status`)
  t.comment(`answers by code: ${JSON.stringify(Object.fromEntries([...tally.byCode].sort()))}`)
  // the server still serves
  const after = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ data: { ndarray: [[1, 2]] } }))
  t.equal(after.code, grpc.status.OK, 'a plain Predict still answers OK')
  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(seen.warnings.map(w => `${w.name}: ${w.message}`), [], 'no process warning')
  t.same(BAD_LOGS(server), [], 'no error log')
}

t.test('FuzzModel: FUZZ_RUNS inputs on every RPC', async t => {
  await fuzz(t, new FuzzModel(), FUZZ_RUNS, Math.max(200, Math.round(FUZZ_RUNS / 5)))
})

t.test('RawModel: raw methods echoing the decoded request', async t => {
  const n = Math.max(200, Math.round(FUZZ_RUNS / 4))
  await fuzz(t, new RawModel(), n, Math.round(n / 5))
})

// ── crafted wire inputs ─────────────────────────────────────────────────────────────────────────

function varint (n: number): number[] {
  const out: number[] = []
  while (n > 127) { out.push((n % 128) | 128); n = Math.floor(n / 128) }
  out.push(n)
  return out
}

/** SeldonMessage{jsonData: Value{list_value: ListValue{values: [Value{list_value: ...}]}}}, `n` deep. */
function deepListValue (n: number): Buffer {
  const sizes: Array<[number, number]> = []
  let inner = 0
  for (let i = 0; i < n; i++) {
    const list = 1 + varint(inner).length + inner
    sizes.push([inner, list])
    inner = 1 + varint(list).length + list
  }
  const bytes: number[] = [0x32, ...varint(inner)]
  for (let i = n - 1; i >= 0; i--) {
    const [innerSize, list] = sizes[i] as [number, number]
    bytes.push(0x32, ...varint(list), 0x0a, ...varint(innerSize))
  }
  return Buffer.from(bytes)
}

/** SeldonMessage{data: DefaultData{tensor: Tensor{shape, values}}} written by hand (any int32 dims). */
function tensorMessage (shape: number[], values: number[]): Buffer {
  const dims = shape.flatMap(d => d < 0 ? negativeVarint(d) : varint(d))
  const doubles = Buffer.alloc(values.length * 8)
  values.forEach((v, i) => doubles.writeDoubleLE(v, i * 8))
  const tensor = [0x0a, ...varint(dims.length), ...dims, 0x12, ...varint(doubles.length), ...doubles]
  const data = [0x12, ...varint(tensor.length), ...tensor]
  return Buffer.from([0x1a, ...varint(data.length), ...data])
}

/** A negative int32 as protobuf writes it: ten bytes, two's complement over 64 bits. */
function negativeVarint (d: number): number[] {
  let v = BigInt.asUintN(64, BigInt(d))
  const out: number[] = []
  while (v > 127n) { out.push(Number(v & 127n) | 128); v >>= 7n }
  out.push(Number(v))
  return out
}

const PREDICT = '/seldon.protos.Model/Predict'
const CRAFTED: Array<[string, string, Buffer, grpc.status, RegExp?]> = [
  ['jsonData nested 200 deep', PREDICT, deepListValue(200), grpc.status.INVALID_ARGUMENT, /nesting deeper than/],
  ['jsonData nested 100000 deep', PREDICT, deepListValue(100_000), grpc.status.INVALID_ARGUMENT, /nesting deeper than/],
  ['jsonData nested 50 deep', PREDICT, deepListValue(50), grpc.status.OK],
  ['a length running past the end', PREDICT, Buffer.from([0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f]), grpc.status.INVALID_ARGUMENT],
  ['an 11-byte varint', PREDICT, Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), grpc.status.INVALID_ARGUMENT],
  ['wire type 7', PREDICT, Buffer.from([0x0f, 0x00]), grpc.status.INVALID_ARGUMENT],
  ['field number 0', PREDICT, Buffer.from([0x02, 0x00]), grpc.status.INVALID_ARGUMENT],
  ['a group start', PREDICT, Buffer.from([0x0b, 0x0c]), grpc.status.INVALID_ARGUMENT],
  ['tensor shape [0, 1e8]', PREDICT, encodeSeldonMessage({ data: { tensor: { shape: [0, 1e8], values: [] } } }), grpc.status.INVALID_ARGUMENT, /declares more than 1048576 elements/],
  ['tensor shape [2^31-1] with one value', PREDICT, tensorMessage([2 ** 31 - 1], [1]), grpc.status.INVALID_ARGUMENT, /cannot reshape/],
  ['tensor shape [-1] (int32 varint of 10 bytes)', PREDICT, tensorMessage([-1], [1]), grpc.status.OK],
  ['tensor shape [-5]', PREDICT, tensorMessage([-5], [1]), grpc.status.INVALID_ARGUMENT],
  ['tftensor filled to 1e9', PREDICT, encodeSeldonMessage({ data: { tftensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1000000000' }] }, floatVal: [1] } } }), grpc.status.INVALID_ARGUMENT, /filling it would make more than/],
  ['tftensor [0, 1e8]', PREDICT, encodeSeldonMessage({ data: { tftensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '0' }, { size: '100000000' }] } } } }), grpc.status.INVALID_ARGUMENT, /declares more than/],
  ['feedback with a [0, 1e8] request', '/seldon.protos.Model/SendFeedback', encodeFeedback({ request: { data: { tensor: { shape: [0, 1e8], values: [] } } }, reward: 1 }), grpc.status.INVALID_ARGUMENT, /declares more than/],
  ['10000 messages to Aggregate', '/seldon.protos.Combiner/Aggregate', encodeSeldonMessageList({ seldonMessages: Array.from({ length: 10_000 }, () => ({ data: { ndarray: [1] } })) }), grpc.status.OK],
  ['an empty list to Aggregate', '/seldon.protos.Combiner/Aggregate', Buffer.alloc(0), grpc.status.INVALID_ARGUMENT, /at least one message/],
  ['an empty SeldonMessage', PREDICT, Buffer.alloc(0), grpc.status.INVALID_ARGUMENT],
  ['two oneof members on the wire (the last wins, as in every protobuf runtime)', PREDICT, Buffer.concat([encodeSeldonMessage({ strData: 'a' }), encodeSeldonMessage({ binData: Buffer.from('b') })]), grpc.status.OK],
  ['invalid UTF-8 in strData', PREDICT, Buffer.from([0x2a, 0x02, 0xc3, 0x28]), grpc.status.OK],
  ['a NaN double in a tensor', PREDICT, encodeSeldonMessage({ data: { tensor: { shape: [2], values: [NaN, Infinity] } } }), grpc.status.OK]
]

t.test('crafted wire inputs: each answered with the documented status', async t => {
  const seen = watchProcess(t)
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: true }, { listen: false })
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  for (const [name, path, bytes, code, details] of CRAFTED) {
    const started = Date.now()
    const answer = await grpcCall(client, path, bytes)
    const input: GrpcInput = { rpc: RPCS.find(r => r.path === path) as Rpc, bytes, origin: 'random' }
    t.equal(grpcProblem(input, answer), undefined, `${name}: a proper answer`)
    t.equal(grpc.status[answer.code], grpc.status[code], `${name}: ${grpc.status[code]} (${answer.details})`)
    if (details !== undefined) t.match(answer.details, details, `${name}: details`)
    t.ok(Date.now() - started < 5000, `${name}: answered in ${Date.now() - started} ms`)
  }
  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(BAD_LOGS(server), [], 'no error log')
})
