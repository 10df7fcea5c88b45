/**
 * A numeric `data.ndarray` arrives decoded straight into one float64 NDArray where the component
 * has no raw method (serverMethodDefinition's decodedArrays, runtimeBackend's decodesArrays): the
 * answers are those of the nested-array path, byte for byte, errors get the same status, and a
 * raw method is still handed nested arrays.
 */
import t from 'tap'
import { NotImplementedError, SeldonRuntime } from '@fastify-seldon/core'
import { NDArray, encodeSeldonMessage } from '@fastify-seldon/protocol'
import { SELDON_RPCS, runtimeBackend, serverMethodDefinition } from '../src/index.js'
import { call, serve } from './fixtures/helpers.js'

/** Identity, remembering what predict was handed. */
class Recording {
  seen: unknown[] = []
  predict (X: unknown): unknown { this.seen.push(X); return X }
}
/** The same with raw methods that decline: its requests keep the nested-array path. */
class NestedRecording extends Recording {
  predictRaw (): never { throw new NotImplementedError() }
  transformInputRaw (): never { throw new NotImplementedError() }
  transformOutputRaw (): never { throw new NotImplementedError() }
  routeRaw (): never { throw new NotImplementedError() }
}

const MESSAGES: Array<[string, unknown]> = [
  ['one row', { data: { ndarray: [[1, 2.5, 3, 4]] } }],
  ['2×2 with names', { data: { names: ['a', 'b'], ndarray: [[1, 2], [3, 4]] } }],
  ['1-D', { data: { ndarray: [1, -0, 1e300, 5e-324] } }],
  ['3-D', { data: { ndarray: [[[0.1, 0.2], [0.30000000000000004, 9007199254740992]]] } }],
  // left to the nested path by the decoder: the answer must not depend on which path ran
  ['strings', { data: { ndarray: [['a', 'b']] } }],
  ['mixed', { data: { ndarray: [[1, 'b', true, null]] } }],
  ['empty', { data: { ndarray: [] } }],
  ['empty rows', { data: { ndarray: [[], []] } }],
  ['ragged', { data: { ndarray: [[1, 2], [3]] } }],
  ['scalar and list', { data: { ndarray: [[1, 2], 3] } }],
  ['with meta', { meta: { tags: { x: 1 } }, data: { ndarray: [[1, 2]] } }]
]

t.test('which requests are decoded into an NDArray', async t => {
  const predict = SELDON_RPCS.find(s => s.service === 'Model' && s.rpc === 'Predict')
  const aggregate = SELDON_RPCS.find(s => s.service === 'Combiner' && s.rpc === 'Aggregate')
  if (predict === undefined || aggregate === undefined) throw new Error('no such rpc')
  const bytes = encodeSeldonMessage({ data: { ndarray: [[1, 2]] } })
  const decode = (decodedArrays: boolean): unknown =>
    (serverMethodDefinition(predict, { decodedArrays }).requestDeserialize(bytes) as { data: { ndarray: unknown } }).data.ndarray
  t.ok(decode(true) instanceof NDArray, 'decodedArrays: an NDArray')
  t.ok(Array.isArray(decode(false)), 'otherwise nested arrays')
  t.ok(serverMethodDefinition(aggregate, { decodedArrays: true }).requestDeserialize(encodeSeldonMessage({})) !== undefined, 'a SeldonMessageList is decoded as before')

  const plain = runtimeBackend(new SeldonRuntime(new Recording()))
  const raw = runtimeBackend(new SeldonRuntime(new NestedRecording()))
  for (const op of ['predict', 'transformInput', 'transformOutput', 'route'] as const) {
    t.equal(plain.decodesArrays?.(op), true, `${op}: decoded without a raw method`)
  }
  for (const op of ['predict', 'transformInput', 'transformOutput', 'route'] as const) {
    t.equal(raw.decodesArrays?.(op), false, `${op}: not with its raw method`)
  }
  t.equal(plain.decodesArrays?.('aggregate'), false, 'never for aggregate')
  t.equal(plain.decodesArrays?.('sendFeedback'), false, 'never for feedback')
})

t.test('the NDArray path answers as the nested-array path, errors included', async t => {
  const fast = await serve(new Recording())
  const nested = await serve(new NestedRecording())
  t.teardown(async () => { await fast.close(); await nested.close() })
  // TransformInput and Route: methods the component lacks (identity answer, the default route)
  const rpcs = [['Model', 'Predict'], ['Transformer', 'TransformInput'], ['OutputTransformer', 'TransformOutput'], ['Router', 'Route']]
  for (const [service, rpc] of rpcs) {
    for (const [what, message] of MESSAGES) {
      const a = await call(fast.client, service as string, rpc as string, message)
      const b = await call(nested.client, service as string, rpc as string, message)
      t.equal(a.error?.code, b.error?.code, `${rpc} ${what}: status`)
      t.equal(a.error?.details, b.error?.details, `${rpc} ${what}: details`)
      t.same(a.bytes, b.bytes, `${rpc} ${what}: the same response bytes`)
    }
  }
})

t.test('predict is handed one float64 NDArray for a numeric ndarray, nested arrays otherwise', async t => {
  const model = new Recording()
  const s = await serve(model)
  t.teardown(() => s.close())
  const ok = await call(s.client, 'Model', 'Predict', { data: { ndarray: [[1, 2, 3], [4, 5, 6]] } })
  t.equal(ok.error, undefined)
  const X = model.seen.at(-1)
  t.ok(X instanceof NDArray, 'an NDArray')
  t.equal((X as NDArray).dtype, 'float64')
  t.same((X as NDArray).shape, [2, 3])
  t.same(Array.from((X as NDArray).data as Float64Array), [1, 2, 3, 4, 5, 6])
  t.same(ok.message.data.ndarray, [[1, 2, 3], [4, 5, 6]], 'the answer')

  await call(s.client, 'Transformer', 'TransformInput', { data: { ndarray: [[7, 8]] } })
  await call(s.client, 'Model', 'Predict', { data: { ndarray: [['a', 'b']] } })
  const strings = model.seen.at(-1)
  t.ok(strings instanceof NDArray, 'strings: still an NDArray (decodePayload)')
  t.not((strings as NDArray).dtype, 'float64', 'strings: not float64')
})

t.test('a raw method is handed nested arrays', async t => {
  let seen: unknown
  const s = await serve({
    predictRaw (message: { data?: { ndarray?: unknown } }) { seen = message.data?.ndarray; return message }
  })
  t.teardown(() => s.close())
  const res = await call(s.client, 'Model', 'Predict', { data: { ndarray: [[1, 2]] } })
  t.equal(res.error, undefined)
  t.ok(Array.isArray(seen), 'nested arrays')
  t.same(seen, [[1, 2]])
})
