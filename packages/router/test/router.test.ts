import t from 'tap'
import Fastify from 'fastify'
import type { NDArray } from '@fastify-seldon/protocol'
import seldonRouterDefault, { seldonRouter } from '../src/index.js'

const JSON_CT = { 'content-type': 'application/json' }

class FirstFeature {
  route (X: NDArray): number { return Number(X.data[0]) < 0.5 ? 0 : 1 }
}

t.test('exports', async t => {
  t.equal(seldonRouterDefault, seldonRouter)
})

t.test('serves /route (GET, POST) and health', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonRouter, { component: new FirstFeature() })
  await app.ready()
  t.equal((await app.inject({ method: 'POST', url: '/route', headers: JSON_CT, payload: '{"data":{"ndarray":[[0.9,0.2]]}}' })).body,
    '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{}}\n')
  t.equal((await app.inject('/route?json=%7B%22data%22%3A%7B%22ndarray%22%3A%5B%5B0.1%5D%5D%7D%7D')).body,
    '{"data":{"names":["t:0"],"ndarray":[[0]]},"meta":{}}\n')
  t.equal((await app.inject('/health/ping')).body, 'pong')
  t.equal((await app.inject({ method: 'POST', url: '/predict', headers: JSON_CT, payload: '{}' })).statusCode, 404, 'only the router route')
  const put = await app.inject({ method: 'PUT', url: '/route' })
  t.equal(put.statusCode, 405)
  t.equal(put.headers.allow, 'GET, HEAD, POST')
})

t.test('a component without route fails registration', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  // @ts-expect-error a router needs route
  app.register(seldonRouter, { component: { predict () {} } })
  await t.rejects(async () => { await app.ready() }, { code: 'SELDON_ERR_INVALID_COMPONENT', message: 'a router component needs a route() method (or routeRaw / route_raw)' })
})

t.test('routeRaw is enough', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonRouter, { component: { routeRaw: () => ({ data: { ndarray: [[-1]] } }) } })
  t.equal((await app.inject({ method: 'POST', url: '/route', headers: JSON_CT, payload: '{"strData":"x"}' })).body, '{"data":{"ndarray":[[-1]]}}\n')
})
