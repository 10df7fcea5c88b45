/**
 * Adaptive batching (docs/inference-pool.md, "Adaptive batching"): stacking and splitting for
 * ndarray and tensor, requests that cannot join run alone, a result of the wrong size fails the
 * whole batch, the opt-out, each answer's own meta, REST and gRPC requests in one batch (on the
 * event loop and in inference threads), a request that gives up leaving its batch, the batch
 * metrics. Batches here close by size, or in the event-loop turn they opened (maxBatchTimeMs 0):
 * nothing depends on how fast the machine is.
 */
import t from 'tap'
import { NDArray, decodePayload, decodeSeldonMessage, stringifyJson, type Meta } from '@fastify-seldon/protocol'
import { PooledRuntime, SeldonResponse, SeldonRuntime, runtimeFor, type Answer, type BatchInfo, type BatchingOptions, type MetricsRecorder } from '../src/index.js'
import { Batcher } from '../src/batch/batcher.js'
import { batchKey, sliceRows, stack } from '../src/batch/stack.js'

t.setTimeout(240_000)

interface Call { X: NDArray, names: string[], meta: unknown, batch: BatchInfo | undefined }

class Doubler {
  calls: Call[] = []
  predict (X: NDArray, names: string[], meta: unknown, batch?: BatchInfo): unknown {
    this.calls.push({ X, names, meta, batch })
    return X instanceof NDArray ? X.map(v => (v as number) * 2) : X
  }

  tags (): Record<string, string> { return { model: 'doubler' } }
}

/** Closes by size only (a long wait that no test reaches). */
const BY_SIZE = (maxBatchSize: number): BatchingOptions => ({ maxBatchSize, maxBatchTimeMs: 60_000 })
/** Closes in the event-loop turn it opened: the requests sent together join. */
const SAME_TURN: BatchingOptions = { maxBatchSize: 64, maxBatchTimeMs: 0 }

async function runtimeOf (component: object, batching: BatchingOptions, extra: { metrics?: MetricsRecorder } = {}): Promise<SeldonRuntime> {
  const runtime = new SeldonRuntime(component, { batching, unitId: 'u', ...extra })
  await runtime.load()
  return runtime
}

/** The answer as its client reads it (the JSON text of the message form). */
const json = (a: Answer): any => JSON.parse(stringifyJson(a.message))
const rows = (n: number): unknown => ({ data: { ndarray: Array.from({ length: n }, (_, i) => [i]) } })

t.test('batch keys, stacking and slicing', async t => {
  const key = (message: unknown, transport: 'rest' | 'grpc' = 'rest'): string | undefined => batchKey(decodePayload(message, transport))
  const ints = key({ data: { ndarray: [[1, 2], [3, 4]] } })
  t.ok(ints !== undefined)
  const floats = key({ data: { ndarray: [[5.5, 6]] } })
  t.not(ints, floats, 'JSON integers (int64) and floats (float64) do not join: an answer must not depend on its batch')
  t.equal(floats, key({ data: { tensor: { shape: [1, 2], values: new Float64Array([1, 2]) } } }, 'grpc'), 'a gRPC tensor joins a REST ndarray of floats')
  t.equal(ints, key({ data: { tensor: { shape: [1, 2], values: [1, 2] } } }), 'a REST tensor of integers joins an ndarray of integers')
  t.not(ints, key({ data: { ndarray: [[1, 2, 3]] } }), 'another trailing shape')
  t.not(ints, key({ data: { names: ['x', 'y'], ndarray: [[1, 2]] } }), 'other names')
  t.not(ints, key({ data: { ndarray: [[true, false]] } }), 'booleans join only booleans')
  t.equal(key({ data: { ndarray: [] } }), undefined, 'no rows: runs alone')
  t.ok(key({ data: { ndarray: [1, 2] } }), 'a 1-D array joins: its elements are its rows')
  t.equal(key({ jsonData: { a: 1 } }), undefined)
  t.equal(key({ strData: 'x' }), undefined)

  const a = new NDArray(new Float64Array([1, 2, 3, 4]), [2, 2], 'int64')
  const b = new NDArray(new Float64Array([5, 6]), [1, 2], 'int64')
  const s = stack([a, b])
  t.same(s.shape, [3, 2])
  t.equal(s.dtype, 'int64', 'the dtype kept')
  t.same([...(s.data as Float64Array)], [1, 2, 3, 4, 5, 6])
  const objects = stack([NDArray.fromNested([['a', 1]]), NDArray.fromNested([['b', 2]])])
  t.same(objects.shape, [2, 2])
  t.same(objects.data, ['a', 1, 'b', 2], 'non-numeric data stacked too')
  const slice = sliceRows(s, 2, 3) as NDArray
  t.same(slice.shape, [1, 2])
  t.same([...(slice.data as Float64Array)], [5, 6])
  t.same(sliceRows([[1], [2], [3]], 1, 3), [[2], [3]])
  t.same([...(sliceRows(new Float64Array([1, 2, 3]), 0, 2) as Float64Array)], [1, 2])
})

t.test('ndarray and tensor requests stacked into one call, split back with their own meta', async t => {
  const model = new Doubler()
  const runtime = await runtimeOf(model, BY_SIZE(3))
  const answers = await Promise.all([
    runtime.predict({ meta: { puid: 'p1', tags: { who: 'a' } }, data: { ndarray: [[1, 2], [3, 4]] } }, 'rest'),
    runtime.predict({ meta: { puid: 'p2', tags: { who: 'b' } }, data: { tensor: { shape: [1, 2], values: [5, 6] } } }, 'rest'),
    runtime.predict({ data: { ndarray: [[7, 8]] } }, 'rest')
  ])
  t.equal(model.calls.length, 1, 'one predict call')
  const call = model.calls[0] as Call
  t.same(call.X.shape, [4, 2], 'stacked along the first axis')
  t.same([...(call.X.data as Float64Array)], [1, 2, 3, 4, 5, 6, 7, 8])
  t.same(call.batch?.rows, [2, 1, 1])
  t.equal(call.batch?.size, 3)
  t.same(call.batch?.metas.map(m => (m as Meta | undefined)?.tags?.who), ['a', 'b', undefined], "each request's meta in the batch argument")
  t.same(call.meta, {}, 'the third argument is neutral in a batched call')
  const [a, b, c] = answers.map(json)
  t.same(a.data.ndarray, [[2, 4], [6, 8]])
  t.same(a.meta, { puid: 'p1', tags: { who: 'a', model: 'doubler' }, requestPath: { u: 'NOT_IMPLEMENTED:NOT_IMPLEMENTED' } })
  t.same(b.data.tensor, { shape: [1, 2], values: [10, 12] }, 'a tensor request gets a tensor')
  t.equal(b.meta.puid, 'p2')
  t.same(b.meta.tags, { who: 'b', model: 'doubler' })
  t.same(c.data.ndarray, [[14, 16]])
  t.notOk('puid' in c.meta, 'no puid leaks from another request')
  t.same(c.meta.tags, { model: 'doubler' }, 'no tags leak from another request')
})

t.test('a REST and a gRPC request in one batch on the event loop', async t => {
  const model = new Doubler()
  const runtime = await runtimeOf(model, BY_SIZE(2))
  const [rest, grpc] = await Promise.all([
    runtime.predict({ meta: { puid: 'r' }, data: { ndarray: [[1.5, 2]] } }, 'rest'),
    runtime.predict({ meta: { puid: 'g' }, data: { tensor: { shape: [2, 2], values: new Float64Array([3, 4, 5, 6]) } } }, 'grpc')
  ])
  t.equal(model.calls.length, 1)
  t.same(json(rest).data.ndarray, [[3, 4]])
  t.equal(json(rest).meta.puid, 'r')
  t.same(json(grpc).data.tensor.shape, [2, 2])
  t.same([...json(grpc).data.tensor.values], [6, 8, 10, 12])
  t.equal(json(grpc).meta.puid, 'g')
})

t.test('requests that cannot join run alone, called as without batching', async t => {
  const model = new Doubler()
  const runtime = await runtimeOf(model, SAME_TURN)
  const answers = await Promise.all([
    runtime.predict({ data: { ndarray: [[1, 2]] } }, 'rest'),
    runtime.predict({ data: { ndarray: [[1, 2, 3]] } }, 'rest'),
    runtime.predict({ data: { names: ['a', 'b'], ndarray: [[1, 2]] } }, 'rest'),
    runtime.predict({ jsonData: { x: 1 } }, 'rest'),
    runtime.predict({ strData: 'hello' }, 'rest')
  ])
  t.equal(answers.length, 5)
  t.equal(model.calls.length, 5, 'other shape, other names, other payloads: each its own call')
  t.ok(model.calls.every(c => c.batch === undefined), 'no batch argument')
  t.same(json(answers[0] as Answer).data.ndarray, [[2, 4]])
  const refused = await runtime.predict({ meta: { metrics: 'no' }, data: { ndarray: [[1]] } }, 'rest').catch((err: unknown) => err)
  t.match(refused, { statusCode: 400 }, 'a request that does not pass the checks gets its own 400, as without batching')
  const transformer = await runtimeOf({ transformInput: (X: unknown) => X, predictRaw: () => ({ jsonData: 1 }) }, SAME_TURN)
  t.notOk(transformer.batchable, 'a component with predictRaw is not batched')
})

t.test('a result whose first dimension does not match fails every request of the batch', async t => {
  const runtime = await runtimeOf({ predict: () => [[1]] }, BY_SIZE(2))
  const results = await Promise.allSettled([
    runtime.predict({ data: { ndarray: [[1]] } }, 'rest'),
    runtime.predict({ data: { ndarray: [[2]] } }, 'grpc')
  ])
  for (const r of results) {
    t.equal(r.status, 'rejected')
    const err = (r as PromiseRejectedResult).reason as { statusCode: number, message: string }
    t.equal(err.statusCode, 500)
    t.match(err.message, /batched predict returned 1 rows for 2 stacked rows of 2 requests/)
  }
  const throwing = await runtimeOf({ predict: () => { throw new Error('boom') } }, BY_SIZE(2))
  const thrown = await Promise.allSettled([throwing.predict(rows(1), 'rest'), throwing.predict(rows(2), 'rest')])
  t.same(thrown.map(r => r.status === 'rejected' && (r.reason as Error).message), ['boom', 'boom'], 'an error of the call fails every request')
})

t.test('batchable = false: never batched', async t => {
  class Stateful extends Doubler { batchable = false }
  const opted = new Stateful()
  const runtime = await runtimeOf(opted, SAME_TURN)
  t.notOk(runtime.batchable)
  await Promise.all([1, 2, 3].map(v => runtime.predict({ data: { ndarray: [[v]] } }, 'rest')))
  t.equal(opted.calls.length, 3, 'one call per request')
  t.ok(opted.calls.every(c => c.batch === undefined))
})

t.test("a SeldonResponse's tags and metrics and the component's reach every answer; the batch metrics", async t => {
  const batches: Array<[number, number]> = []
  const records: string[] = []
  const metrics: MetricsRecorder = {
    record: (m) => { records.push(...m.map(x => x.key)) },
    feedback: () => {},
    batch: (size, waited) => { batches.push([size, waited.length]) }
  }
  const runtime = await runtimeOf({
    predict: (X: NDArray) => new SeldonResponse(X, { run: 1 }, [{ type: 'COUNTER', key: 'c', value: 1 }]),
    metrics: () => [{ type: 'GAUGE', key: 'g', value: 2 }]
  }, BY_SIZE(2), { metrics })
  const [x, y] = (await Promise.all([1, 2].map(v => runtime.predict({ data: { ndarray: [[v]] } }, 'grpc')))).map(json)
  t.same(x.meta.tags, { run: 1 })
  t.same(y.meta.tags, { run: 1 })
  t.same(x.meta.metrics.map((m: { key: string }) => m.key), ['g', 'c'])
  t.same(y.meta.metrics.map((m: { key: string }) => m.key), ['g', 'c'])
  t.same(records.sort(), ['c', 'g'], 'the metrics recorded once per call, not per request')
  t.same(batches, [[2, 2]], 'the batch size and each request\'s wait observed once')
})

t.test('a request that gives up while its batch is open leaves it', async t => {
  const model = new Doubler()
  const runtime = await runtimeOf(model, BY_SIZE(2))
  t.ok(runtime.cancellable, 'the transports pass a signal')
  const controller = new AbortController()
  const leaving = runtime.predict({ data: { ndarray: [[1]] } }, 'rest', { signal: controller.signal })
  controller.abort(new Error('timed out'))
  const staying: [Promise<Answer>, Promise<Answer>] = [runtime.predict(rows(1), 'rest'), runtime.predict(rows(2), 'rest')]
  await t.rejects(leaving, /timed out/)
  const [b, c] = await Promise.all(staying)
  t.equal(model.calls.length, 1)
  t.same(model.calls[0]?.batch?.rows, [1, 2], 'the batch ran without it (it did not count towards maxBatchSize)')
  const late = new AbortController()
  const lone = runtime.predict(rows(3), 'rest', { signal: late.signal })
  late.abort(new Error('gone'))
  ;(runtime as unknown as { batcher: Batcher }).batcher.flush()
  await t.rejects(lone, /gone/, 'a batch left with nobody makes no call')
  t.equal(model.calls.length, 1)
  t.same(json(b).data.ndarray, [[0]])
  t.same(json(c).data.ndarray, [[0], [2]])
})

t.test('Batcher: closes at maxBatchSize at once; flush closes what is open', async t => {
  const closed: number[] = []
  const batcher = new Batcher(BY_SIZE(2), entries => {
    closed.push(entries.length)
    for (const e of entries) e.resolve({ message: null, statusCode: 200 })
  })
  const request = decodePayload({ data: { ndarray: [[1]] } }, 'rest')
  await Promise.all([batcher.offer('k', {}, 'rest', request), batcher.offer('k', {}, 'rest', request)])
  t.same(closed, [2])
  const lone = batcher.offer('k', {}, 'rest', request)
  batcher.flush()
  await lone
  t.same(closed, [2, 1])
})

t.test('with inference threads', async t => {
  const MODEL = new URL('./fixtures/batch-model.mjs', import.meta.url)
  const start = async (parameters: Record<string, unknown>, batching: BatchingOptions): Promise<PooledRuntime> => {
    const runtime = runtimeFor({ module: MODEL, parameters }, { threads: 1, threadExecArgv: [], batching }) as PooledRuntime
    t.teardown(() => runtime.close())
    await runtime.load()
    return runtime
  }
  const restJson = (a: Answer): any => JSON.parse(typeof a.encoded === 'string' ? a.encoded : Buffer.from(a.encoded as Uint8Array).toString())

  const runtime = await start({}, BY_SIZE(2))
  t.ok(runtime.batchable)
  const [rest, grpc] = await Promise.all([
    runtime.predict({ meta: { puid: 'r', tags: { who: 'rest' } }, data: { ndarray: [[1.5, 2]] } }, 'rest'),
    runtime.predict({ meta: { puid: 'g' }, data: { tensor: { shape: [2, 2], values: new Float64Array([3, 4, 5, 6]) } } }, 'grpc')
  ])
  const restBody = restJson(rest)
  t.same(restBody.data.ndarray, [[3.5]], 'REST: its row of the batch, as JSON')
  t.same(restBody.meta.tags, { who: 'rest', calls: 1, batch: 2 }, 'one call for both')
  t.equal(restBody.meta.puid, 'r')
  const grpcBody = decodeSeldonMessage(grpc.encoded as Uint8Array) as any
  t.same(grpcBody.data.tensor.shape, [2, 1], 'gRPC: its rows, as protobuf bytes')
  t.same([...grpcBody.data.tensor.values], [7, 11])
  t.equal(grpcBody.meta.puid, 'g')
  t.same(grpcBody.meta.tags, { calls: 1, batch: 2 })

  const wrong = await start({ rows: 1 }, BY_SIZE(2))
  const failed = await Promise.allSettled([wrong.predict(rows(1), 'rest'), wrong.predict(rows(1), 'grpc')])
  for (const r of failed) {
    t.equal(r.status, 'rejected')
    t.match((r as PromiseRejectedResult).reason, { statusCode: 500, message: /returned 1 rows for 2 stacked rows/ })
  }

  const opted = await start({ batchable: false }, SAME_TURN)
  t.notOk(opted.batchable, 'the threads\' instance said batchable = false')
  const alone = await Promise.all([opted.predict(rows(1), 'rest'), opted.predict(rows(1), 'rest')])
  t.same(alone.map(a => restJson(a).meta.tags.batch), [1, 1], 'each request its own call')
})

t.test('the batching option is checked at registration', async t => {
  const { validateRuntimeSettings, runtimeOptionsFrom } = await import('../src/index.js')
  for (const batching of [null, 5, {}, { maxBatchSize: 1.5 }, { maxBatchSize: -1 }, { maxBatchSize: 4, maxBatchTimeMs: -1 }, { maxBatchSize: 4, maxBatchTimeMs: 'soon' }]) {
    t.throws(() => { validateRuntimeSettings({ batching } as never) }, /option batching must be/, JSON.stringify(batching))
  }
  validateRuntimeSettings({ batching: { maxBatchSize: 8 } })
  t.same(runtimeOptionsFrom({ batching: { maxBatchSize: 8, maxBatchTimeMs: 2 } }).batching, { maxBatchSize: 8, maxBatchTimeMs: 2 })
  const off = new SeldonRuntime(new Doubler(), { batching: { maxBatchSize: 1 } })
  t.notOk(off.cancellable, 'maxBatchSize 1: no batching')
})
