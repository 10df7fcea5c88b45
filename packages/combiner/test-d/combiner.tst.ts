import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { seldonCombiner } from '../src/index.js'

const app = Fastify()

test('a combiner needs aggregate, aggregateRaw or aggregate_raw', () => {
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: { aggregate (features: unknown[]) { return features[0] } } })
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: { aggregateRaw: () => ({}) } })
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: { aggregate_raw: () => ({}) } })
  expect(app.register).type.not.toBeCallableWith(seldonCombiner, { component: { predict () {} } })
  expect(app.register).type.not.toBeCallableWith(seldonCombiner, { component: { route () { return 0 } } })
})
