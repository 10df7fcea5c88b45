import t from 'tap'
import { NDArray } from '@fastify-seldon/protocol'
import IrisClassifier, { CLASS_NAMES } from '../src/model.js'

const SETOSA = [5.1, 3.5, 1.4, 0.2]
const VERSICOLOR = [6.4, 3.2, 4.5, 1.5]
const VIRGINICA = [6.3, 3.3, 6.0, 2.5]

function argmax (row: number[]): number {
  return row.indexOf(Math.max(...row))
}

t.test('a trained forest: probabilities per row, highest on the right class', async t => {
  const model = new IrisClassifier()
  model.load()
  const out = model.predict(NDArray.fromNested([SETOSA]))
  t.type(out, NDArray)
  t.same(out.shape, [1, 3])
  t.equal(out.dtype, 'float64')
  const [row] = out.toNested() as number[][]
  t.equal(argmax(row as number[]), 0, 'setosa')
  t.ok(Math.abs((row as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-12, 'a distribution over the 3 classes')
  t.ok((row as number[]).every(p => p >= 0 && p <= 1))
  t.same(model.classNames(), ['setosa', 'versicolor', 'virginica'])
  t.same(model.classNames(), [...CLASS_NAMES])

  const three = model.predict([SETOSA, VERSICOLOR, VIRGINICA]).toNested() as number[][]
  t.same(three.map(argmax), [0, 1, 2], 'nested arrays work too, one row per flower')
  t.same(model.predict(VERSICOLOR).shape, [1, 3], 'a single flower as a flat row')
})

t.test('deterministic with a fixed seed; parameters from the deployment', async t => {
  const a = new IrisClassifier({ nEstimators: 10, seed: 7 })
  const b = new IrisClassifier({ nEstimators: 10, seed: 7 })
  t.equal(a.nEstimators, 10)
  a.load()
  const x = [[5.9, 3.0, 4.2, 1.5], [6.1, 2.8, 4.7, 1.2]]
  t.same(a.predict(x).toNested(), b.predict(x).toNested(), 'predict() trains on first use when load() was not called')
  t.throws(() => new IrisClassifier({ nEstimators: 0 }), /nEstimators must be a positive integer/)
  t.throws(() => new IrisClassifier({ seed: 1.5 }), /seed must be an integer/)
})

t.test('bad features are the client\'s 400', async t => {
  const model = new IrisClassifier()
  t.throws(() => model.predict([[1, 2, 3]]), { statusCode: 400, message: /rows of 4 numbers/ })
  t.throws(() => model.predict('text'), { statusCode: 400, message: /rows of 4 numbers/ })
  t.same(model.predict(NDArray.fromNested([[]]).reshape([0, 4])).shape, [0, 3], 'no rows, no probabilities')
})
