import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import {
  seldonInputTransformer, seldonOutputTransformer, seldonTransformer,
  type InputTransformer, type NDArray, type OutputTransformer, type Payload, type RawInputTransformer, type RawOutputTransformer,
  type SeldonMessage
} from '../src/index.js'

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

test('classes implement InputTransformer / OutputTransformer and their raw forms', () => {
  class Scale implements InputTransformer, OutputTransformer {
    transformInput (X: NDArray): NDArray { return X.map(v => v * 2) }
    transformOutput (X: NDArray): NDArray { return X.map(v => v / 2) }
  }
  class Raw implements RawInputTransformer, RawOutputTransformer {
    transformInputRaw (message: SeldonMessage): SeldonMessage { return message }
    transformOutputRaw (message: SeldonMessage): SeldonMessage { return message }
  }
  expect(app.register).type.toBeCallableWith(seldonTransformer, { component: new Scale() })
  expect(app.register).type.toBeCallableWith(seldonInputTransformer, { component: new Raw() })
  expect(app.register).type.toBeCallableWith(seldonOutputTransformer, { component: new Scale() })
  // @ts-expect-error Property 'transformInput' is missing in type 'NoInput' but required in type 'InputTransformer'
  class NoInput implements InputTransformer { transformOutput (X: Payload): Payload { return X } }
  // @ts-expect-error Property 'transformOutput' is missing in type 'NoOutput' but required in type 'OutputTransformer'
  class NoOutput implements OutputTransformer { transformInput (X: Payload): Payload { return X } }
  expect(NoInput).type.not.toBe<never>()
  expect(NoOutput).type.not.toBe<never>()
})
