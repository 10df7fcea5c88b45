import t from 'tap'
import Fastify from 'fastify'
import { NDArray } from '@fastify-seldon/protocol'
import seldonCombinerDefault, { seldonCombiner } from '../src/index.js'

const JSON_CT = { 'content-type': 'application/json' }

class Sum {
  aggregate (features: NDArray[]): NDArray {
    const out = new Float64Array((features[0] as NDArray).size)
    for (const f of features) f.toFloat64().forEach((v, i) => { out[i] = (out[i] as number) + v })
    return new NDArray(out, (features[0] as NDArray).shape, 'float64')
  }
}

t.test('exports', async t => {
  t.equal(seldonCombinerDefault, seldonCombiner)
})

t.test('serves /aggregate: a bare array or seldonMessages', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonCombiner, { component: new Sum(), prefix: '/c' })
  await app.ready()
  const expected = '{"data":{"names":["t:0","t:1"],"ndarray":[[4.0,8.0]]},"meta":{}}\n'
  t.equal((await app.inject({ method: 'POST', url: '/c/aggregate', headers: JSON_CT, payload: '[{"data":{"ndarray":[[1,2]]}},{"data":{"ndarray":[[3,6]]}}]' })).body, expected)
  t.equal((await app.inject({ method: 'POST', url: '/c/aggregate', headers: JSON_CT, payload: '{"seldonMessages":[{"data":{"ndarray":[[1,2]]}},{"data":{"ndarray":[[3,6]]}}]}' })).body, expected)
  const bad = await app.inject({ method: 'POST', url: '/c/aggregate', headers: JSON_CT, payload: '{"data":{"ndarray":[1]}}' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().status.info, "Invalid request data type: {'data': {'ndarray': [1]}}")
  t.equal((await app.inject('/c/health/status')).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/c/predict' })).statusCode, 404)
})

t.test('a component without aggregate fails registration', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  // @ts-expect-error a combiner needs aggregate
  app.register(seldonCombiner, { component: { predict () {} } })
  await t.rejects(async () => { await app.ready() }, { code: 'SELDON_ERR_INVALID_COMPONENT', message: 'a combiner component needs a aggregate() method (or aggregateRaw / aggregate_raw)' })
})
