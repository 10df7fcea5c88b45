import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { NDArray } from '@fastify-seldon/protocol'
import AverageCombiner from '../src/AverageCombiner.js'

async function app (t: Test) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component: new AverageCombiner() })
  t.teardown(() => instance.close())
  return instance
}

t.test('three children\'s probabilities averaged element-wise (the executor\'s bare array)', async t => {
  const a = await app(t)
  const res = await a.inject({
    method: 'POST',
    url: '/aggregate',
    payload: [
      { data: { names: ['setosa', 'versicolor', 'virginica'], ndarray: [[1, 0, 0], [0.2, 0.8, 0]] }, meta: { tags: { forest: 'a' } } },
      { data: { ndarray: [[0.5, 0.5, 0], [0, 1, 0]] }, meta: { tags: { forest: 'b', depth: 3 } } },
      { data: { ndarray: [[0, 1, 0], [0.1, 0.6, 0.3]] } }
    ]
  })
  t.equal(res.statusCode, 200)
  t.equal(res.body,
    '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.5,0.5,0.0],[0.10000000000000002,0.7999999999999999,0.09999999999999999]]},' +
    '"meta":{"tags":{"depth":3,"forest":"b"}}}\n',
    'float64 means (as numpy prints them); the children\'s tags are merged, later ones win')
})

t.test('tensors stay tensors; {"seldonMessages": [...]} is accepted too', async t => {
  const a = await app(t)
  const res = await a.inject({
    method: 'POST',
    url: '/aggregate',
    payload: { seldonMessages: [{ data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4] } } }, { data: { tensor: { shape: [2, 2], values: [3, 4, 5, 6] } } }] }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[2,2],"values":[2.0,3.0,4.0,5.0]}},"meta":{}}\n')
})

t.test('outputs of different shapes: a 400 naming the shapes', async t => {
  const a = await app(t)
  const res = await a.inject({
    method: 'POST',
    url: '/aggregate',
    payload: [{ data: { ndarray: [[0.1, 0.9]] } }, { data: { ndarray: [[0.2, 0.8]] } }, { data: { ndarray: [[0.3, 0.3, 0.4]] } }]
  })
  t.equal(res.statusCode, 400)
  t.equal(res.body, '{"status":{"code":-1,"info":"cannot average child outputs of different shapes: [1,2], [1,2], [1,3]","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')

  const sameSizeOtherShape = await a.inject({ method: 'POST', url: '/aggregate', payload: [{ data: { ndarray: [[1, 2]] } }, { data: { ndarray: [1, 2] } }] })
  t.equal(sameSizeOtherShape.statusCode, 400, 'same number of values but [1,2] vs [2] is still a mismatch')
  t.match(sameSizeOtherShape.json(), { status: { info: 'cannot average child outputs of different shapes: [1,2], [2]' } })

  const text = await a.inject({ method: 'POST', url: '/aggregate', payload: [{ data: { ndarray: [[1, 2]] } }, { strData: 'hello' }] })
  t.equal(text.statusCode, 400)
  t.match(text.json(), { status: { info: 'child 1 did not return numeric data: only data.ndarray / data.tensor of numbers can be averaged', reason: 'MICROSERVICE_BAD_DATA' } })
})

t.test('the class on its own', async t => {
  const combiner = new AverageCombiner()
  const big = combiner.aggregate([new NDArray(new BigInt64Array([2n ** 60n, 2n]), [2], 'int64'), new NDArray(new Float64Array([0, 4]), [2])])
  t.same(big.toNested(), [2 ** 59, 3], 'int64 beyond 2^53 averages as float64 too')
  t.equal(big.dtype, 'float64')
  t.same(combiner.aggregate([NDArray.fromNested([[1, 2]])]).toNested(), [[1, 2]], 'one child: its own output')
  t.throws(() => combiner.aggregate([]), { statusCode: 400, message: 'nothing to average: no child outputs' })
  t.throws(() => combiner.aggregate([NDArray.fromNested([['a', 'b']])]), { statusCode: 400, message: /child 0 did not return numeric data/ })
  t.throws(() => combiner.aggregate([{ jsonData: 1 }]), { statusCode: 400, message: /child 0 did not return numeric data/ }, 'a jsonData child')
})
