import t from 'tap'
import Fastify from 'fastify'
import type { NDArray } from '@fastify-seldon/protocol'
import seldonTransformerDefault, { seldonInputTransformer, seldonOutputTransformer, seldonTransformer } from '../src/index.js'

const JSON_CT = { 'content-type': 'application/json' }
const DATA = '{"data":{"ndarray":[[1.0,2.0]]}}'

class Scale {
  transform_input (X: NDArray): NDArray { return X.map(v => v + 1) }
  transform_output (X: NDArray): NDArray { return X.map(v => v * 10) }
}

const post = (url: string) => ({ method: 'POST' as const, url, headers: JSON_CT, payload: DATA })

t.test('exports', async t => {
  t.equal(seldonTransformerDefault, seldonTransformer)
})

t.test('seldonTransformer serves both routes', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonTransformer, { component: new Scale() })
  t.equal((await app.inject(post('/transform-input'))).body, '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,3.0]]},"meta":{}}\n')
  t.equal((await app.inject(post('/transform-output'))).body, '{"data":{"names":["t:0","t:1"],"ndarray":[[10.0,20.0]]},"meta":{}}\n')
  t.equal((await app.inject('/health/ping')).body, 'pong')
})

t.test('seldonTransformer: a missing side is the identity', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonTransformer, { component: { transformOutput: (X: NDArray) => X.map(v => -v) } })
  t.equal((await app.inject(post('/transform-input'))).body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{}}\n')
  t.equal((await app.inject(post('/transform-output'))).body, '{"data":{"names":["t:0","t:1"],"ndarray":[[-1.0,-2.0]]},"meta":{}}\n')
})

t.test('input and output plugins at one prefix share health, each serves its route', async t => {
  const component = new Scale()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonInputTransformer, { component, prefix: '/t' })
  await app.register(seldonOutputTransformer, { component, prefix: '/t' })
  await app.ready()
  t.equal((await app.inject(post('/t/transform-input'))).statusCode, 200)
  t.equal((await app.inject(post('/t/transform-output'))).statusCode, 200)
  t.equal((await app.inject('/t/health/ping')).body, 'pong')
  t.equal((await app.inject('/t/nope')).statusCode, 404)
})

t.test('input only / output only', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonInputTransformer, { component: { transformInputRaw: () => ({ strData: 'raw' }) }, prefix: '/in' })
  await app.register(seldonOutputTransformer, { component: new Scale(), prefix: '/out' })
  t.equal((await app.inject(post('/in/transform-input'))).body, '{"strData":"raw"}\n')
  t.equal((await app.inject(post('/in/transform-output'))).statusCode, 404)
  t.equal((await app.inject(post('/out/transform-output'))).statusCode, 200)
  t.equal((await app.inject(post('/out/transform-input'))).statusCode, 404)
})

t.test('registration checks', async t => {
  const cases: Array<[unknown, object, string]> = [
    [seldonInputTransformer, { predict () {} }, 'an input transformer'],
    [seldonOutputTransformer, { transformInput () {} }, 'an output transformer'],
    [seldonTransformer, { predict () {} }, 'a transformer']
  ]
  for (const [plugin, component, kind] of cases) {
    const app = Fastify()
    t.teardown(() => app.close())
    app.register(plugin as typeof seldonTransformer, { component } as never)
    await t.rejects(async () => { await app.ready() }, { code: 'SELDON_ERR_INVALID_COMPONENT', message: new RegExp(`^a ${kind.replace(/^an? /, '')} component needs a transform`) })
  }
})
