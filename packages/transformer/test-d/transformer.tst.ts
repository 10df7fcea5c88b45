import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { seldonInputTransformer, seldonOutputTransformer, seldonTransformer } from '../src/index.js'

const app = Fastify()

test('an input transformer needs transformInput (any spelling)', () => {
  expect(app.register).type.toBeCallableWith(seldonInputTransformer, { component: { transformInput: (X: unknown) => X } })
  expect(app.register).type.toBeCallableWith(seldonInputTransformer, { component: { transform_input_raw: () => ({}) } })
  expect(app.register).type.not.toBeCallableWith(seldonInputTransformer, { component: { transformOutput: (X: unknown) => X } })
})

test('an output transformer needs transformOutput (any spelling)', () => {
  expect(app.register).type.toBeCallableWith(seldonOutputTransformer, { component: { transform_output: (X: unknown) => X } })
  expect(app.register).type.not.toBeCallableWith(seldonOutputTransformer, { component: { predict: (X: unknown) => X } })
})

test('seldonTransformer takes either side', () => {
  expect(app.register).type.toBeCallableWith(seldonTransformer, { component: { transformInput: (X: unknown) => X } })
  expect(app.register).type.toBeCallableWith(seldonTransformer, { component: { transformOutputRaw: () => ({}) } })
  expect(app.register).type.not.toBeCallableWith(seldonTransformer, { component: { predict: (X: unknown) => X } })
})
