import t from 'tap'
import Fastify from 'fastify'
import { seldonModel, type NDArray } from '@fastify-seldon/model'
import { seldonComponent } from '@fastify-seldon/component'
import seldonErrorHandlersDefault, { seldonErrorHandlers } from '../src/index.js'

const JSON_CT = { 'content-type': 'application/json' }

class QuotaError extends Error {
  constructor (readonly limit: number) { super('quota exceeded') }
}
class HardQuotaError extends QuotaError {}

class Thrower {
  predict (X: NDArray): unknown {
    const v = Number(X.data[0])
    if (v === 1) throw new QuotaError(10)
    if (v === 2) throw new HardQuotaError(0)
    if (v === 3) throw new RangeError('own')
    return X
  }

  errorHandlers = [{ error: RangeError, handle: (err: RangeError) => ({ statusCode: 416, body: { own: err.message } }) }]
}

const predict = (v: number, url = '/predict') => ({ method: 'POST' as const, url, headers: JSON_CT, payload: `{"data":{"ndarray":[${v}]}}` })

t.test('exports', async t => {
  t.equal(seldonErrorHandlersDefault, seldonErrorHandlers)
})

t.test('handlers registered on the host apply to its components, not to its routes', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonErrorHandlers, {
    handlers: [
      { error: QuotaError, handle: (err: QuotaError) => ({ statusCode: 429, body: { quota: err.limit }, headers: { 'retry-after': '1' } }) },
      { error: HardQuotaError, handle: () => ({ statusCode: 402, body: { hard: true } }) }
    ]
  })
  app.get('/host', async () => { throw new QuotaError(5) })
  await app.register(seldonModel, { component: new Thrower(), prefix: '/m' })
  await app.register(seldonComponent, { component: new Thrower(), prefix: '/c' })
  await app.ready()

  const quota = await app.inject(predict(1, '/m/predict'))
  t.equal(quota.statusCode, 429)
  t.equal(quota.body, '{"quota":10}\n')
  t.equal(quota.headers['retry-after'], '1')
  const hard = await app.inject(predict(2, '/c/predict'))
  t.equal(hard.statusCode, 402, 'the most specific class wins')
  t.equal(hard.body, '{"hard":true}\n')
  const own = await app.inject(predict(3, '/m/predict'))
  t.equal(own.statusCode, 416, "the component's own handlers still apply")
  const host = await app.inject('/host')
  t.equal(host.statusCode, 500, "the host's route keeps Fastify's handler")
  t.notMatch(host.body, /quota":/)
  t.same(app.seldonErrorHandlers?.length, 2)
})

t.test('registered after the component, and in a child scope', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonModel, { component: new Thrower(), prefix: '/early' })
  await app.register(seldonErrorHandlers, { handlers: [{ error: QuotaError, handle: () => ({ statusCode: 429, body: 'parent' }) }] })
  await app.register(async child => {
    await child.register(seldonErrorHandlers, { handlers: [{ error: HardQuotaError, handle: () => ({ statusCode: 402, body: 'child' }) }] })
    await child.register(seldonModel, { component: new Thrower(), prefix: '/child' })
  })
  await app.ready()
  t.equal((await app.inject(predict(1, '/early/predict'))).statusCode, 429, 'read per request: order does not matter')
  t.equal((await app.inject(predict(2, '/early/predict'))).body, '"parent"\n', 'the child scope’s handler is not seen by the parent')
  t.equal((await app.inject(predict(2, '/child/predict'))).body, '"child"\n')
  t.equal((await app.inject(predict(1, '/child/predict'))).body, '"parent"\n', 'inherited handlers come first')
  t.equal(app.seldonErrorHandlers?.length, 1, "the parent's list is unchanged")
})

t.test('invalid handlers fail registration', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(seldonErrorHandlers, { handlers: [{ error: 'nope' }] as never })
  await t.rejects(async () => { await app.ready() }, { code: 'SELDON_ERR_INVALID_OPTION', message: /^option handlers\[0\] must be/ })
})
