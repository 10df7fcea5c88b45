import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { seldonRouter, type Payload, type RawRouter, type Router, type SeldonMessage } from '../src/index.js'

const app = Fastify()

test('a router needs route, routeRaw or route_raw', () => {
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { route () { return 0 } } })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { route: async () => true } })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { routeRaw: () => ({}) } })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { route_raw: () => ({}) } })
  expect(app.register).type.not.toBeCallableWith(seldonRouter, { component: { predict () {} } })
  expect(app.register).type.not.toBeCallableWith(seldonRouter, { component: { route () { return 'child' } } })
})

test('class implements Router / RawRouter', () => {
  class FirstChild implements Router {
    route (X: Payload, names: string[]): number { return names.length > 0 && X !== null ? 0 : 1 }
  }
  class Raw implements RawRouter {
    routeRaw (message: SeldonMessage): SeldonMessage { return message }
  }
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: new FirstChild() })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: new Raw() })
  // @ts-expect-error Property 'route' is missing in type 'NoRoute' but required in type 'Router'
  class NoRoute implements Router { predict (): number { return 0 } }
  expect(NoRoute).type.not.toBe<never>()
  expect<Parameters<Router['route']>[0]>().type.toBe<Payload>()
})
