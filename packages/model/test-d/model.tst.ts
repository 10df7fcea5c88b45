import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import {
  seldonModel, type ComponentModule, type Meta, type Metric, type Model, type ModelLike, type NDArray, type Payload, type RawModel,
  type SeldonMessage, type SeldonModelOptions
} from '../src/index.js'

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
  expect<SeldonModelOptions['component']>().type.toBe<ModelLike | ComponentModule>()
})

test('class Iris implements Model, with a narrower X and classNames as a list', () => {
  class Iris implements Model {
    classNames = ['setosa', 'versicolor', 'virginica']
    predict (X: NDArray): NDArray { return X.map(v => v / 10) }
    metrics (): Metric[] { return [{ type: 'COUNTER', key: 'predictions', value: 1 }] }
  }
  expect(app.register).type.toBeCallableWith(seldonModel, { component: new Iris() })
})

test('a class that implements Model without predict is an error naming predict', () => {
  // @ts-expect-error Property 'predict' is missing in type 'NoPredict' but required in type 'Model'
  class NoPredict implements Model { classNames = ['a'] }
  expect(NoPredict).type.not.toBe<never>()
})

test('the raw and Python spellings', () => {
  class Raw implements RawModel {
    predictRaw (message: SeldonMessage): SeldonMessage { return message }
  }
  class Python {
    predict_raw (message: SeldonMessage): SeldonMessage { return message }
    class_names (): string[] { return ['a'] }
  }
  expect(app.register).type.toBeCallableWith(seldonModel, { component: new Raw() })
  expect(app.register).type.toBeCallableWith(seldonModel, { component: new Python() })
  // @ts-expect-error Property 'predictRaw' is missing
  class NoRaw implements RawModel { predict (): number { return 1 } }
  expect(NoRaw).type.not.toBe<never>()
})

test('X is the payload union, not any', () => {
  expect<Parameters<Model['predict']>[0]>().type.toBe<Payload>()
  expect<Payload>().type.not.toBe<any>()
  expect<NDArray>().type.toBeAssignableTo<Payload>()
  expect<string>().type.toBeAssignableTo<Payload>()
  expect<Buffer>().type.toBeAssignableTo<Payload>()
  expect<Uint8Array>().type.toBeAssignableTo<Payload>()
  expect<{ a: [1, 'b', null] }>().type.toBeAssignableTo<Payload>()
  expect<Parameters<Model['predict']>[2]>().type.toBe<Meta | undefined>()
  const options: SeldonModelOptions = {
    component: {
      predict (X) {
        expect(X).type.toBe<Payload>()
        return typeof X === 'string' ? X.toUpperCase() : X
      }
    }
  }
  expect(app.register).type.toBeCallableWith(seldonModel, options)
})

test('classNames: a list or a method, nothing else', () => {
  expect(app.register).type.toBeCallableWith(seldonModel, { component: { predict: (X: Payload) => X, classNames: ['a', 'b'] } })
  expect(app.register).type.toBeCallableWith(seldonModel, { component: { predict: (X: Payload) => X, classNames: async () => ['a'] } })
  expect(app.register).type.not.toBeCallableWith(seldonModel, { component: { predict: (X: Payload) => X, classNames: 'a' } })
})
