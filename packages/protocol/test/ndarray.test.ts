import t, { type Test } from 'tap'
import { NDArray, dtypeOfTypedArray, isFloatDType, isNumericDType, isTypedNumberArray } from '../src/ndarray.js'
import { parseJson } from '../src/json-parse.js'
import { float } from '../src/marks.js'
import { SeldonError } from '../src/errors.js'

function badData (t: Test, fn: () => unknown, message: RegExp): void {
  try {
    fn()
    t.fail('expected a 400')
  } catch (err) {
    t.ok(err instanceof SeldonError)
    t.equal((err as SeldonError).statusCode, 400)
    t.match((err as Error).message, message)
  }
}

t.test('fromNested follows numpy.array: shape and dtype', async t => {
  const ints = NDArray.fromNested([[1, 2, 3], [4, 5, 6]])
  t.same(ints.shape, [2, 3])
  t.equal(ints.dtype, 'int64')
  t.ok(ints.data instanceof Float64Array)
  t.equal(ints.ndim, 2)
  t.equal(ints.size, 6)
  t.ok(ints.isNumeric)
  t.equal(ints.at(1, 2), 6)

  t.equal(NDArray.fromNested([1, 2.5]).dtype, 'float64', 'a fraction makes it float')
  t.equal(NDArray.fromNested(parseJson('[[1.0,2.0]]') as unknown[]).dtype, 'float64', 'a float literal makes it float')
  t.equal(NDArray.fromNested([float(1), 2]).dtype, 'float64', 'a float() box makes it float')
  t.equal(NDArray.fromNested(['a', 'b']).dtype, 'string')
  t.equal(NDArray.fromNested([true, false]).dtype, 'bool')
  const mixed = NDArray.fromNested(['a', 1, null, true])
  t.equal(mixed.dtype, 'object')
  t.same(mixed.data, ['a', 1, null, true])
  t.notOk(mixed.isNumeric)
  const late = NDArray.fromNested([1, 2, 'x'])
  t.same(late.data, [1, 2, 'x'], 'numbers seen before a string are kept')
})

t.test('empty arrays are float64 with their shape', async t => {
  const empty = NDArray.fromNested([])
  t.same(empty.shape, [0])
  t.equal(empty.dtype, 'float64')
  const rows = NDArray.fromNested([[], []])
  t.same(rows.shape, [2, 0])
  badData(t, () => NDArray.fromNested([[], [1]]), /ragged/)
  badData(t, () => NDArray.fromNested([[], 1]), /ragged/)
  badData(t, () => NDArray.fromNested([[[]], [[], []]]), /ragged/)
})

t.test('ragged input is the client\'s 400', async t => {
  badData(t, () => NDArray.fromNested([[1, 2], [3]]), /inhomogeneous shape after 1 dimensions/)
  badData(t, () => NDArray.fromNested([[1, 2], 3]), /ragged/)
  badData(t, () => NDArray.fromNested([1, [2]]), /ragged/)
})

t.test('big integers stay exact', async t => {
  const big = NDArray.fromNested([9007199254740993n, 1])
  t.equal(big.dtype, 'int64')
  t.ok(big.data instanceof BigInt64Array)
  t.equal(big.data[0], 9007199254740993n)
  t.equal(big.data[1], 1n)
  const huge = NDArray.fromNested([12345678901234567890n, -1])
  t.equal(huge.dtype, 'object', 'beyond int64 the values are kept in an object array')
  t.same(huge.data, [12345678901234567890n, -1])
  badData(t, () => NDArray.fromNested([9007199254740993n, 0.5]), /beyond 2\^53/)
})

t.test('constructor validates the shape', async t => {
  badData(t, () => new NDArray(new Float64Array(3), [2, 2]), /cannot reshape array of size 3 into shape \(2,2\)/)
  badData(t, () => new NDArray(new Float64Array(3), [4]), /into shape \(4,\)/)
  badData(t, () => new NDArray(new Float64Array(2), [-2, -1]), /non-negative/)
  const plain = new NDArray(['x'])
  t.equal(plain.dtype, 'object')
  t.same(new NDArray(new Int32Array([1, 2])).shape, [2])
})

t.test('reshape, rows, map, toFloat64, toNested, toJSON', async t => {
  const a = new NDArray(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3])
  t.same(a.reshape([3, -1]).shape, [3, 2])
  t.same(a.reshape([-1]).shape, [6])
  t.same(new NDArray(new Float64Array(0), [0, 3]).reshape([-1, 3]).shape, [0, 3])
  // numpy's words for an unknown dimension that cannot be inferred
  t.throws(() => a.reshape([-1, -1]), { message: 'can only specify one unknown dimension', statusCode: 400 })
  t.throws(() => a.reshape([-1, 4]), { message: 'cannot reshape array of size 6 into shape (4)' })
  t.throws(() => a.reshape([2, -1, 0]), { message: 'cannot reshape array of size 6 into shape (2,0)' })
  t.same(a.toNested(), [[1, 2, 3], [4, 5, 6]])
  t.same(JSON.parse(JSON.stringify(a)), [[1, 2, 3], [4, 5, 6]])
  t.same(new NDArray([7], []).toNested(), 7, '0-d gives its scalar')
  t.same(new NDArray(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 2, 2]).toNested(), [[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
  const rows = [...a.rows()]
  t.equal(rows.length, 2)
  t.same(rows[1]?.toNested(), [4, 5, 6])
  t.equal((rows[0]?.data as Float64Array | undefined)?.buffer, a.data instanceof Float64Array ? a.data.buffer : undefined, 'typed rows are views')
  t.same([...new NDArray(['a', 'b', 'c', 'd'], [2, 2], 'string').rows()].map(r => r.toNested()), [['a', 'b'], ['c', 'd']])
  const doubled = a.map(v => v * 2)
  t.equal(doubled.dtype, 'float64')
  t.same(doubled.toNested(), [[2, 4, 6], [8, 10, 12]])
  t.equal(a.toFloat64(), a.data, 'float64 data is returned as is')
  t.same(Array.from(new NDArray(new Int32Array([1, 2])).toFloat64()), [1, 2])
})

t.test('from() accepts every array-like a user may return', async t => {
  const a = new NDArray(Float64Array.from([1, 2]))
  t.equal(NDArray.from(a), a)
  t.same(NDArray.from(a, [1, 2]).shape, [1, 2])
  t.same(NDArray.from(new Int16Array([1, 2, 3, 4]), [2, 2]).shape, [2, 2])
  t.same(NDArray.from([[1, 2]]).shape, [1, 2])
  t.same(NDArray.from([1, 2, 3, 4], [2, 2]).shape, [2, 2])
  t.same(NDArray.fromNested(new Float32Array(2)).dtype, 'float32')
  t.equal(NDArray.fromNested(a), a)
  t.same(NDArray.fromNested('s').shape, [])
})

t.test('dtype helpers', async t => {
  const cases: Array<[ArrayBufferView, string]> = [
    [new Float64Array(1), 'float64'], [new Float32Array(1), 'float32'], [new Int32Array(1), 'int32'],
    [new Int16Array(1), 'int16'], [new Int8Array(1), 'int8'], [new Uint32Array(1), 'uint32'],
    [new Uint16Array(1), 'uint16'], [new Uint8Array(1), 'uint8'], [new BigInt64Array(1), 'int64'],
    [new BigUint64Array(1), 'uint64']
  ]
  for (const [arr, dtype] of cases) t.equal(dtypeOfTypedArray(arr as Float64Array), dtype)
  t.ok(isNumericDType('uint8'))
  t.notOk(isNumericDType('bool'))
  t.ok(isFloatDType('float32'))
  t.notOk(isFloatDType('int64'))
  t.notOk(isTypedNumberArray(new DataView(new ArrayBuffer(1))))
  t.notOk(isTypedNumberArray([1]))
})
