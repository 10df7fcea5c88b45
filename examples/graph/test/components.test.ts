/**
 * The graph's components as plain classes, in this process: what each node computes, before the
 * graph test (graph.test.ts) runs them inside seldon-microservice.
 */
import t from 'tap'
import { NDArray } from '@fastify-seldon/protocol'
import { Centimetres, EpsilonGreedy, IrisModel, Labeler } from '../src/components.js'

const SETOSA_CM = [5.1, 3.5, 1.4, 0.2]
const VIRGINICA_CM = [6.7, 3.0, 5.6, 2.2]

function argmax (row: number[]): number {
  return row.indexOf(Math.max(...row))
}

t.test('Centimetres divides every measurement by ten', async t => {
  t.same(new Centimetres().transformInput(NDArray.from([[51, 35, 14, 2], [10, 20, 30, 40]])), [[5.1, 3.5, 1.4, 0.2], [1, 2, 3, 4]])
})

t.test('IrisModel: probabilities per row, highest on the right class, for both feature sets', async t => {
  for (const features of ['all', 'petals']) {
    const model = new IrisModel({ features })
    const [setosa, virginica] = model.predict(NDArray.from([SETOSA_CM, VIRGINICA_CM])) as [number[], number[]]
    t.equal(argmax(setosa), 0, `${features}: a setosa`)
    t.equal(argmax(virginica), 2, `${features}: a virginica`)
    for (const row of [setosa, virginica]) t.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 0.01, `${features}: the probabilities sum to 1`)
    t.same(model.tags(), { model: `iris-${features}` })
  }
  t.same(new IrisModel().classNames(), ['setosa', 'versicolor', 'virginica'])
  t.equal(new IrisModel().variant, 'all', 'all four features by default')
  t.throws(() => new IrisModel({ features: 'sepals' }), RangeError, 'an unknown feature set is refused when the node is built')
})

t.test('EpsilonGreedy: seeded routes repeat; feedback moves the best branch; bad routings are ignored', async t => {
  const routes = (seed: number): number[] => {
    const router = new EpsilonGreedy({ n_branches: 3, epsilon: 0.5, seed })
    return Array.from({ length: 40 }, () => router.route())
  }
  t.same(routes(7), routes(7), 'the same seed routes the same way')
  t.ok(routes(7).some(r => r !== 0), 'epsilon explores the other branches')
  t.ok(routes(7).every(r => r >= 0 && r < 3), 'always a branch that exists')

  const router = new EpsilonGreedy({ n_branches: 2, epsilon: 0, seed: 1 })
  t.equal(router.route(), 0, 'no reward yet: branch 0')
  router.sendFeedback(null, [], 1, null, 1)
  router.sendFeedback(null, [], 0, null, 0)
  t.equal(router.best, 1, 'rewarded branch 1 is the best')
  t.equal(router.route(), 1, 'and without exploration it is always chosen')
  t.same(router.tags(), { best_branch: 1 })
  router.sendFeedback(null, [], 100, null, 5)
  router.sendFeedback(null, [], 100, null, undefined)
  t.equal(router.best, 1, 'a routing out of range or absent changes nothing')
})

t.test('Labeler passes the probabilities through and tags the winning class', async t => {
  const labeler = new Labeler()
  t.same(labeler.transformOutput(NDArray.from([[0.1, 0.2, 0.7]])), [[0.1, 0.2, 0.7]])
  t.same(labeler.tags(), { label: 'virginica' })
  t.same(labeler.classNames(), ['setosa', 'versicolor', 'virginica'])
})
