/** The plugin kit: environment mapping, option checks, the shared runtime registry. */
import t from 'tap'
import {
  InvalidOptionError, SeldonRuntime, findErrorHandler, optionsFromEnv, requireMethod, runtimeFor, runtimeOptionsFrom, sharedWeakMap,
  validateRuntimeSettings, type ErrorHandlerEntry
} from '../src/index.js'

t.test('optionsFromEnv: each variable of the contract, absent ones set nothing', async t => {
  t.same(optionsFromEnv({}), {}, 'nothing set: every plugin default stays')
  t.same(optionsFromEnv({
    PREDICTIVE_UNIT_ID: 'u',
    PREDICTIVE_UNIT_IMAGE: 'img:1',
    INCLUDE_METRICS_IN_CLIENT_RESPONSE: 'TRUE',
    SELDON_EXECUTOR_ENABLED: 'no',
    MODEL_METADATA: 'name: m',
    PAYLOAD_PASSTHROUGH: 't',
    SELDON_OPENAPI: '0',
    SELDON_DOCS: '1',
    UNRELATED: 'x'
  }), {
    unitId: 'u',
    unitImage: 'img:1',
    includeMetricsInResponse: true,
    executorEnabled: true,
    modelMetadata: 'name: m',
    payloadPassthrough: true,
    openapi: false,
    docs: true
  })
  t.same(optionsFromEnv({ INCLUDE_METRICS_IN_CLIENT_RESPONSE: '1', SELDON_EXECUTOR_ENABLED: 'False' }),
    { includeMetricsInResponse: false, executorEnabled: false }, 'the wrapper\'s own rules: "true" only, "false" only')
  t.same(optionsFromEnv({ PREDICTIVE_UNIT_ID: '', PREDICTIVE_UNIT_IMAGE: '', SELDON_OPENAPI: '', SELDON_DOCS: '' }), {},
    'empty where the wrapper treats empty as unset')
  t.same(optionsFromEnv({ INCLUDE_METRICS_IN_CLIENT_RESPONSE: '', PAYLOAD_PASSTHROUGH: '' }),
    { includeMetricsInResponse: false, payloadPassthrough: false }, 'empty where the wrapper reads it as a value')
})

t.test('runtime settings: checked at registration, the env option refused', async t => {
  t.doesNotThrow(() => validateRuntimeSettings({ unitId: 'u', includeMetricsInResponse: false, metrics: { record () {}, feedback () {} } }))
  t.throws(() => validateRuntimeSettings({ unitId: 5 as never }), { code: 'SELDON_ERR_INVALID_OPTION', message: 'option unitId must be a string' })
  t.throws(() => validateRuntimeSettings({ executorEnabled: 'yes' as never }), { message: 'option executorEnabled must be a boolean' })
  t.throws(() => validateRuntimeSettings({ metrics: {} as never }), InvalidOptionError)
  t.throws(() => validateRuntimeSettings({ env: {} }), { code: 'SELDON_ERR_INVALID_OPTION', message: /option env is not read: .*optionsFromEnv/ })
  t.same(runtimeOptionsFrom({ unitId: 'u', executorEnabled: false }), { unitId: 'u', executorEnabled: false }, 'absent settings keep the runtime defaults')
})

t.test('runtimeFor: one runtime per component, shared by every copy of the package', async t => {
  const component = { predict: (X: unknown) => X }
  const runtime = runtimeFor(component, { unitId: 'first' })
  t.type(runtime, SeldonRuntime)
  t.equal(runtimeFor(component), runtime, 'later callers get the same runtime')
  t.not(runtimeFor({ predict: (X: unknown) => X }), runtime, 'another component, another runtime')

  // A second installed copy of core is a second module instance: it must find the same runtime.
  const copy = await import(`../src/kit/runtime-registry.js?copy=${Date.now()}`) as typeof import('../src/kit/runtime-registry.js')
  t.not(copy.runtimeFor, runtimeFor, 'really another module instance')
  t.equal(copy.runtimeFor(component), runtime, 'the other copy agrees')
  const again = await import(`../src/kit/registry.js?copy=${Date.now()}`) as typeof import('../src/kit/registry.js')
  t.equal(again.sharedWeakMap('some-registry'), sharedWeakMap('some-registry'), 'a shared map is one map per name')
  t.not(sharedWeakMap('a'), sharedWeakMap('b'))
})

t.test('findErrorHandler: most specific class first, first registered among equals', async t => {
  class A extends Error {}
  class B extends A {}
  class C extends B {}
  const onA = { error: A, handle: () => ({ statusCode: 1, body: 'A' }) }
  const onB1 = { error: B, handle: () => ({ statusCode: 2, body: 'B1' }) }
  const onB2 = { error: B, handle: () => ({ statusCode: 3, body: 'B2' }) }
  const entries = [onA, onB1, onB2]
  t.equal(findErrorHandler(entries, new C()), onB1, 'C → its nearest registered ancestor, first one')
  t.equal(findErrorHandler(entries, new A()), onA)
  t.equal(findErrorHandler(entries, new Error('x')), undefined)
  t.equal(findErrorHandler(entries, 'a string'), undefined)
  t.equal(findErrorHandler([], new C()), undefined)
  const duck: ErrorHandlerEntry = { error: class extends Error { static [Symbol.hasInstance] (v: unknown) { return (v as { duck?: boolean }).duck === true } }, handle: () => ({ statusCode: 4, body: 'duck' }) }
  t.equal(findErrorHandler([duck], Object.assign(new Error('q'), { duck: true })), duck, 'a custom instanceof is the last resort')
})

t.test('requireMethod: the kind\'s method under one of its spellings', async t => {
  t.throws(() => requireMethod({ predict () {} }, 'router', 'route'), {
    code: 'SELDON_ERR_INVALID_COMPONENT', message: 'a router component needs a route() method (or routeRaw / route_raw)'
  })
  t.doesNotThrow(() => requireMethod({ route_raw () {} }, 'router', 'route'))
})
