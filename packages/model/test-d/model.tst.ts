import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { seldonModel, type SeldonModelOptions } from '../src/index.js'

const app = Fastify()

test('a model needs predict, predictRaw or predict_raw', () => {
  expect(app.register).type.toBeCallableWith(seldonModel, { component: { predict (X: unknown) { return X } } })
  expect(app.register).type.toBeCallableWith(seldonModel, { component: { predictRaw: () => ({}) }, prefix: '/m' })
  expect(app.register).type.toBeCallableWith(seldonModel, { component: { predict_raw: async () => ({}) }, cors: true })
  expect(app.register).type.not.toBeCallableWith(seldonModel, { component: { route () { return 0 } } })
  expect(app.register).type.not.toBeCallableWith(seldonModel, { component: {} })
  expect(app.register).type.not.toBeCallableWith(seldonModel, { component: undefined })
  expect(app.register).type.not.toBeCallableWith(seldonModel, {})
})

test('options are typed', () => {
  expect(app.register).type.not.toBeCallableWith(seldonModel, { component: { predict () {} }, cors: 'yes' })
  expect<SeldonModelOptions['loadInBackground']>().type.toBe<boolean | undefined>()
})

test('a class instance with extra methods is fine', () => {
  class Iris {
    weights = [1, 2]
    predict (X: unknown): unknown { return X }
    helper (): number { return 1 }
  }
  expect(app.register).type.toBeCallableWith(seldonModel, { component: new Iris() })
})
