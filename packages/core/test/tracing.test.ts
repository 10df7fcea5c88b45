/**
 * The runtime's side of the tracing contract (docs/tracing.md): with `tracing` given, each
 * endpoint's user method runs inside `instrument(pythonName, call, puid, payloadKind)`; without,
 * nothing is wrapped. A recording fake stands in for @fastify-seldon/tracing (core never loads it).
 */
import t from 'tap'
import { AsyncLocalStorage } from 'node:async_hooks'
import {
  NotImplementedError, SeldonRuntime, runtimeFor, validateRuntimeSettings, isTracingHooks, injectTraceContext,
  type InstrumentUserMethod, type TracingHooks
} from '../src/index.js'

interface Call { component: string, method: string, puid: string | undefined, kind: string | undefined, outcome?: string }

/** Hooks whose instrument records each call and makes "the span" (an ALS value) active while it runs. */
function fakeTracing (): { hooks: TracingHooks, calls: Call[], active: AsyncLocalStorage<string> } {
  const calls: Call[] = []
  const active = new AsyncLocalStorage<string>()
  const hooks: TracingHooks = {
    methods: {
      forComponent (component): InstrumentUserMethod {
        return function instrument<T> (method: string, call: () => T, puid?: string, kind?: string): T {
          const record: Call = { component, method, puid, kind }
          calls.push(record)
          let result: T
          try {
            result = active.run(method, call)
          } catch (err) { record.outcome = 'threw'; throw err }
          if (result instanceof Promise) {
            return result.then(v => { record.outcome = 'resolved'; return v }, (err: unknown) => { record.outcome = 'rejected'; throw err }) as T
          }
          record.outcome = 'returned'
          return result
        }
      }
    },
    logMixin: () => ({}),
    inject: carrier => { (carrier as Record<string, string>).traceparent = 'injected' }
  }
  return { hooks, calls, active }
}

async function ready (component: object, tracing: TracingHooks): Promise<SeldonRuntime> {
  const runtime = new SeldonRuntime(component, { tracing })
  await runtime.load()
  return runtime
}

class Everything {
  seen: Array<string | undefined> = []
  constructor (private readonly active: AsyncLocalStorage<string>) {}
  predict (X: unknown): unknown { this.seen.push(this.active.getStore()); return X }
  async transformInput (X: unknown): Promise<unknown> {
    await new Promise(resolve => setImmediate(resolve))
    this.seen.push(this.active.getStore()) // still inside the span after an await
    return X
  }

  transform_output (): unknown { throw new NotImplementedError() }
  route (): number { return 0 }
  aggregate (Xs: unknown[]): unknown { return Xs[0] }
  sendFeedback (): unknown { return [] }
  healthStatus (): string { return 'ok' }
}

t.test('each endpoint method runs inside instrument, with its Python name, puid and payload kind', async t => {
  const { hooks, calls, active } = fakeTracing()
  const component = new Everything(active)
  const runtime = await ready(component, hooks)
  await runtime.predict({ meta: { puid: 'p1' }, data: { ndarray: [[1]] } }, 'rest')
  await runtime.transformInput({ data: { tensor: { shape: [1], values: [1] } } }, 'grpc')
  await runtime.transformOutput({ jsonData: { a: 1 } }, 'rest')
  await runtime.route({ strData: 'x' }, 'rest')
  await runtime.aggregate([{ meta: { puid: 'p2' }, data: { ndarray: [1] } }], 'rest')
  await runtime.sendFeedback({ request: { data: { ndarray: [1] } }, reward: 1 }, 'rest')
  await runtime.health('rest')
  t.same(calls.map(c => [c.method, c.puid, c.kind, c.outcome]), [
    ['predict', 'p1', 'ndarray', 'returned'],
    ['transform_input', undefined, 'tensor', 'resolved'],
    ['transform_output', undefined, 'jsonData', 'returned'],
    ['route', undefined, 'strData', 'returned'],
    ['aggregate', 'p2', 'ndarray', 'returned'],
    ['send_feedback', undefined, 'ndarray', 'returned'],
    ['health_status', undefined, undefined, 'returned']
  ])
  t.ok(calls.every(c => c.component === 'Everything'), 'the component is named by its class')
  t.same(component.seen, ['predict', 'transform_input'], 'the span is active while the method runs, across awaits')
})

t.test('raw methods are named *_raw; a throw passes through unchanged', async t => {
  const { hooks, calls } = fakeTracing()
  const boom = new Error('boom')
  const runtime = await ready({
    predictRaw (message: { meta?: { puid?: string } }) { return { jsonData: message.meta?.puid ?? null } },
    route_raw () { throw boom }
  }, hooks)
  const answer = await runtime.predict({ meta: { puid: 'raw-1' }, binData: 'AA==' }, 'rest')
  t.same(answer.message, { jsonData: 'raw-1' })
  await t.rejects(runtime.route({ data: { ndarray: [1] } }, 'rest'), boom)
  const passthrough = await runtime.predictPassthrough('{"x":1}')
  t.same(passthrough.message, { jsonData: null })
  t.same(calls.map(c => [c.method, c.puid, c.kind, c.outcome]), [
    ['predict_raw', 'raw-1', 'binData', 'returned'],
    ['route_raw', undefined, 'ndarray', 'threw'],
    ['predict_raw', undefined, undefined, 'returned']
  ])
})

t.test('a synchronous method stays synchronous under tracing (no promise per step)', async t => {
  const { hooks } = fakeTracing()
  const runtime = await ready({ predict: (X: unknown) => X }, hooks)
  let settled = false
  const answer = runtime.predict({ data: { ndarray: [1] } }, 'rest').then(a => { settled = true; return a })
  await Promise.resolve()
  await Promise.resolve()
  t.ok(settled, 'settled within two microtask turns, as without tracing')
  await answer
})

t.test('without tracing nothing is instrumented; setTracing plugs hooks in later (shared runtimes)', async t => {
  const { hooks, calls } = fakeTracing()
  const component = { predict: (X: unknown) => X }
  const runtime = runtimeFor(component, {})
  await runtime.load()
  await runtime.predict({ data: { ndarray: [1] } }, 'rest')
  t.equal(calls.length, 0)
  t.equal(runtimeFor(component, { tracing: hooks }), runtime, 'the same runtime')
  await runtime.predict({ data: { ndarray: [1] } }, 'rest')
  t.same(calls.map(c => c.method), ['predict'])
  runtime.setTracing(undefined)
  await runtime.predict({ data: { ndarray: [1] } }, 'rest')
  t.equal(calls.length, 1, 'off again')
})

t.test('forComponent is asked once per runtime, never per call; hooks without methods wrap nothing', async t => {
  const { hooks } = fakeTracing()
  let asked = 0
  const counting: TracingHooks = { ...hooks, methods: { forComponent: name => { asked++; return hooks.methods!.forComponent(name) } } }
  const traced = await ready({ predict: (X: unknown) => X }, counting)
  for (let i = 0; i < 3; i++) await traced.predict({ data: { ndarray: [2] } }, 'rest')
  t.equal(asked, 1)
  const plain = await ready({ predict: (X: unknown) => X }, { ...hooks, methods: undefined })
  const answer = await plain.predict({ data: { ndarray: [2] } }, 'rest')
  t.same(JSON.parse(JSON.stringify(answer.message)), { data: { names: [], ndarray: [2] }, meta: {} })
})

t.test('the tracing option is checked at registration; injectTraceContext calls inject only when on', async t => {
  const { hooks } = fakeTracing()
  t.ok(isTracingHooks(hooks))
  t.notOk(isTracingHooks(true))
  t.notOk(isTracingHooks({ logMixin: () => ({}) }))
  t.doesNotThrow(() => { validateRuntimeSettings({ tracing: hooks }) })
  t.throws(() => { validateRuntimeSettings({ tracing: true as never }) }, { code: 'SELDON_ERR_INVALID_OPTION', message: /option tracing/ })
  const headers: Record<string, string> = {}
  injectTraceContext(undefined, headers)
  t.same(headers, {})
  injectTraceContext(hooks, headers)
  t.same(headers, { traceparent: 'injected' })
})
