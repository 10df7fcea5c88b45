import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { seldonRouter } from '../src/index.js'

const app = Fastify()

test('a router needs route, routeRaw or route_raw', () => {
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { route () { return 0 } } })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { route: async () => true } })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { routeRaw: () => ({}) } })
  expect(app.register).type.toBeCallableWith(seldonRouter, { component: { route_raw: () => ({}) } })
  expect(app.register).type.not.toBeCallableWith(seldonRouter, { component: { predict () {} } })
  expect(app.register).type.not.toBeCallableWith(seldonRouter, { component: { route () { return 'child' } } })
})
