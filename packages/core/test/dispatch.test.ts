// The dispatch stays synchronous while the user's methods are, and goes through promises when one
// is async: both ways give the same answers, errors and call order.
import t from 'tap'
import { NDArray, stringifyJson } from '@fastify-seldon/protocol'
import { NotImplementedError, SeldonRuntime, type MetricsRecorder } from '../src/index.js'
import { andThen, invokeUser, isThenable, NOT_IMPLEMENTED } from '../src/methods.js'

async function ready (component: object): Promise<SeldonRuntime> {
  const runtime = new SeldonRuntime(component, {})
  await runtime.load()
  return runtime
}

const REQUEST = { data: { ndarray: [[1, 2]] }, meta: { puid: 'p', tags: { a: 1 } } }

/** The same component with every optional method sync, or every one async. */
function component (async: boolean, calls: string[]): object {
  const wrap = <T>(name: string, value: () => T) => () => {
    calls.push(name)
    return async ? Promise.resolve().then(value) : value()
  }
  return {
    predict: (X: NDArray) => { calls.push('predict'); return async ? Promise.resolve(X.map(v => v * 2)) : X.map(v => v * 2) },
    metrics: wrap('metrics', () => [{ type: 'COUNTER', key: 'c', value: 1 }]),
    tags: wrap('tags', () => ({ t: 'x' })),
    classNames: wrap('classNames', () => ['p', 'q'])
  }
}

t.test('sync and async components answer alike, calling metrics, tags, classNames in order', async t => {
  const answers: string[] = []
  for (const async of [false, true]) {
    const calls: string[] = []
    const runtime = await ready(component(async, calls))
    const pending = runtime.predict(REQUEST, 'rest')
    t.ok(pending instanceof Promise, 'predict always returns a promise')
    const answer = await pending
    t.same(calls, ['predict', 'metrics', 'tags', 'classNames'])
    answers.push(stringifyJson(answer.message))
  }
  t.equal(answers[0], answers[1])
  t.equal(answers[0], '{"data":{"names":["p","q"],"ndarray":[[2.0,4.0]]},"meta":{"metrics":[{"key":"c","type":"COUNTER","value":1}],"puid":"p","tags":{"a":1,"t":"x"}}}')
})

t.test('a synchronous throw becomes a rejection, never a synchronous exception', async t => {
  const runtime = await ready({ predict () { throw new Error('boom') } })
  let pending: Promise<unknown> | undefined
  t.doesNotThrow(() => { pending = runtime.predict(REQUEST, 'rest') })
  await t.rejects(pending as Promise<unknown>, { message: 'boom' })
  // a bad payload too
  await t.rejects(runtime.predict({ data: { ndarray: [[1], [1, 2]] } }, 'rest'), { code: 'SELDON_ERR_BAD_DATA', statusCode: 400 })
  // and the not-ready state
  const cold = new SeldonRuntime({ predict: (X: unknown) => X }, {})
  await t.rejects(cold.predict(REQUEST, 'rest'), { code: 'SELDON_ERR_NOT_READY', statusCode: 503 })
})

t.test('NotImplementedError, thrown or rejected, falls back alike', async t => {
  for (const predict of [
    () => { throw new NotImplementedError() },
    async () => { throw new NotImplementedError() }
  ]) {
    const runtime = await ready({ predict })
    const answer = await runtime.predict(REQUEST, 'rest')
    t.equal(stringifyJson((answer.message as { data: unknown }).data), '{"names":[],"ndarray":[]}', 'the empty answer')
  }
  for (const transformInput of [
    () => { throw new NotImplementedError() },
    async () => { throw new NotImplementedError() }
  ]) {
    const runtime = await ready({ transformInput })
    const answer = await runtime.transformInput(REQUEST, 'rest')
    t.equal(stringifyJson((answer.message as { data: unknown }).data), '{"names":["t:0","t:1"],"ndarray":[[1,2]]}', 'identity')
  }
})

t.test('errors of metrics(), tags() and classNames() reject, sync or async, and stop the chain', async t => {
  for (const async of [false, true]) {
    const calls: string[] = []
    const fail = (name: string) => () => {
      calls.push(name)
      if (async) return Promise.reject(new Error(name))
      throw new Error(name)
    }
    const runtime = await ready({ predict: (X: unknown) => X, metrics: fail('metrics'), tags: () => { calls.push('tags'); return {} } })
    await t.rejects(runtime.predict(REQUEST, 'rest'), { message: 'metrics' })
    t.same(calls, ['metrics'], 'tags() is not called after metrics() failed')
    const r2 = await ready({ predict: (X: unknown) => X, classNames: fail('classNames') })
    await t.rejects(r2.predict(REQUEST, 'rest'), { message: 'classNames' })
  }
})

t.test('a raw method that is not implemented falls through to the high-level one', async t => {
  const runtime = await ready({
    predictRaw () { throw new NotImplementedError() },
    predict: (X: NDArray) => X
  })
  const answer = await runtime.predict(REQUEST, 'rest')
  t.equal(stringifyJson((answer.message as { data: unknown }).data), '{"names":["t:0","t:1"],"ndarray":[[1,2]]}')
})

t.test('custom metrics are recorded once per call on both paths', async t => {
  for (const async of [false, true]) {
    const recorded: unknown[] = []
    const recorder: MetricsRecorder = { record: (m) => { recorded.push(m) }, feedback: () => {} }
    const runtime = new SeldonRuntime(component(async, []), { metrics: recorder })
    await runtime.load()
    await runtime.predict(REQUEST, 'rest')
    t.equal(recorded.length, 1)
  }
})

t.test('helpers', async t => {
  t.equal(isThenable(null), false)
  t.equal(isThenable({ then: 1 }), false)
  t.equal(isThenable({ then () {} }), true)
  t.equal(isThenable(Object.assign(() => {}, { then () {} })), true)
  t.equal(invokeUser((a: number) => a + 1, [1]), 2)
  t.equal(invokeUser(() => { throw new NotImplementedError() }, []), NOT_IMPLEMENTED)
  t.throws(() => invokeUser(() => { throw new Error('x') }, []), { message: 'x' })
  t.equal(await invokeUser(async () => { throw new NotImplementedError() }, []), NOT_IMPLEMENTED)
  // a non-native thenable is adopted as `await` would
  t.equal(await invokeUser(() => ({ then (resolve: (v: number) => void) { resolve(5) } }), []), 5)
  t.equal(andThen(1, v => v + 1), 2)
  t.equal(await andThen(Promise.resolve(1), v => v + 1), 2)
})
