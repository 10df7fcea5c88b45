import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { seldonCombiner, type Combiner, type NDArray, type Payload, type RawCombiner, type SeldonMessage } from '../src/index.js'

const app = Fastify()

test('a combiner needs aggregate, aggregateRaw or aggregate_raw', () => {
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: { aggregate (features: unknown[]) { return features[0] } } })
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: { aggregateRaw: () => ({}) } })
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: { aggregate_raw: () => ({}) } })
  expect(app.register).type.not.toBeCallableWith(seldonCombiner, { component: { predict () {} } })
  expect(app.register).type.not.toBeCallableWith(seldonCombiner, { component: { route () { return 0 } } })
})

test('class implements Combiner / RawCombiner', () => {
  class Average implements Combiner {
    aggregate (featuresList: NDArray[]): NDArray | undefined { return featuresList[0] }
  }
  class Raw implements RawCombiner {
    aggregateRaw (messages: SeldonMessage[]): SeldonMessage | undefined { return messages[0] }
  }
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: new Average() })
  expect(app.register).type.toBeCallableWith(seldonCombiner, { component: new Raw() })
  // @ts-expect-error Property 'aggregate' is missing in type 'NoAggregate' but required in type 'Combiner'
  class NoAggregate implements Combiner { predict (): number { return 0 } }
  expect(NoAggregate).type.not.toBe<never>()
  expect<Parameters<Combiner['aggregate']>[0]>().type.toBe<Payload[]>()
})
