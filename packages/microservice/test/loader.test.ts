import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  checkServiceType, ComponentError, instantiate, loadComponent, pickExport, resolveModule
} from '../src/loader.js'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures')

async function rejection (p: Promise<unknown>): Promise<Error> {
  try { await p } catch (err) { return err as Error }
  throw new Error('expected a rejection')
}

function thrown (fn: () => unknown): Error {
  try { fn() } catch (err) { return err as Error }
  throw new Error('expected a throw')
}

t.test('resolveModule: paths, bare names, dotted names', async t => {
  t.same(resolveModule('EchoModel.mjs', fixtures), { file: path.join(fixtures, 'EchoModel.mjs') }, 'a file relative to cwd')
  t.same(resolveModule(path.join(fixtures, 'TsModel.ts'), '/'), { file: path.join(fixtures, 'TsModel.ts') }, 'an absolute path')
  t.same(resolveModule('EchoModel', fixtures), { file: path.join(fixtures, 'EchoModel.mjs') }, 'a bare name: ./EchoModel.mjs')
  t.same(resolveModule('TsModel', fixtures), { file: path.join(fixtures, 'TsModel.ts') }, 'a bare name: ./TsModel.ts')
  t.same(resolveModule('./fixtures/CjsModel', path.dirname(fixtures)), { file: path.join(fixtures, 'CjsModel.cjs') }, 'a path without extension')
  t.same(resolveModule('pkg.mod.Thing', fixtures), { file: path.join(fixtures, 'pkg', 'mod.mjs'), exportName: 'Thing' }, 'the wrapper\'s dotted form')
  t.same(resolveModule('pkg/mod', fixtures), { file: path.join(fixtures, 'pkg', 'mod.mjs') })
  const missing = thrown(() => resolveModule('Nope', fixtures))
  t.type(missing, ComponentError)
  t.match(missing.message, /cannot find the component module "Nope" in .*fixtures \(tried Nope\{\.js,\.mjs,\.cjs,\.ts,\.mts,\.cts\}\)/)
  t.match(thrown(() => resolveModule('missing.ts', fixtures)).message, /cannot find the component module .*missing\.ts/)
  t.match(thrown(() => resolveModule('pkg', fixtures)).message, /cannot find the component module "pkg"/, 'a directory without index')
})

t.test('pickExport: --export, the file-named export, default', async t => {
  const mod = { default: 'd', EchoModel: 'named', other: 'o' }
  t.same(pickExport(mod, '/x/EchoModel.mjs'), { value: 'named', name: 'EchoModel' }, 'the export named like the file first')
  t.same(pickExport(mod, '/x/model.mjs'), { value: 'd', name: 'default' })
  t.same(pickExport(mod, '/x/model.mjs', 'other'), { value: 'o', name: 'other' })
  t.same(pickExport({ default: { Inner: 'i' } }, '/x/m.cjs', 'Inner'), { value: 'i', name: 'Inner' }, 'a CommonJS exports object')
  t.match(thrown(() => pickExport(mod, '/x/m.mjs', 'nope')).message, /has no export named "nope" \(exports: default, EchoModel, other\)/)
  t.match(thrown(() => pickExport({ a: 1 }, '/x/m.mjs')).message, /has no default export and no export named "m"; use --export NAME \(exports: a\)/)
})

t.test('instantiate: classes get the parameters, instances are used as is', async t => {
  class C { constructor (readonly params: unknown) {} }
  const params = { a: 1 }
  const made = await instantiate(C, params, 'C') as C
  t.type(made, C)
  t.equal(made.params, params)
  const instance = { predict: () => 1 }
  t.equal(await instantiate(instance, params, 'x'), instance)
  t.equal(await instantiate(Promise.resolve(instance), params, 'x'), instance, 'a promise of an instance')
  t.match((await rejection(instantiate(() => 1, {}, 'arrow'))).message, /arrow is a function that cannot be constructed/)
  t.match((await rejection(instantiate(42, {}, 'n'))).message, /n is number: export a component class or instance/)
  t.match((await rejection(instantiate(null, {}, 'n'))).message, /n is null/)
  class Boom { constructor () { throw new Error('kaput') } }
  const err = await rejection(instantiate(Boom, {}, 'Boom'))
  t.type(err, ComponentError)
  t.match(err.message, /the constructor of Boom failed: Error: kaput/)
})

t.test('checkServiceType: each type needs its method, any spelling', async t => {
  checkServiceType({ predict () {} }, 'MODEL', 'x')
  checkServiceType({ predict_raw () {} }, 'MODEL', 'x')
  checkServiceType({ route () {} }, 'ROUTER', 'x')
  checkServiceType({ transform_input () {} }, 'TRANSFORMER', 'x')
  checkServiceType({ transformOutputRaw () {} }, 'OUTPUT_TRANSFORMER', 'x')
  checkServiceType({ aggregate () {} }, 'COMBINER', 'x')
  checkServiceType({}, 'OUTLIER_DETECTOR', 'x')
  class RouterModel { route () { return 0 } }
  t.equal(thrown(() => checkServiceType(new RouterModel(), 'MODEL', 'f')).message,
    'service type MODEL needs a predict() method on RouterModel (or one of predictRaw, predict_raw)')
  t.equal(thrown(() => checkServiceType({ predict () {} }, 'ROUTER', 'model.mjs')).message,
    'service type ROUTER needs a route() method on model.mjs (or one of routeRaw, route_raw)', 'a plain object: the file name')
  t.match(thrown(() => checkServiceType({}, 'TRANSFORMER', 'x')).message, /needs a transformInput\(\) method on x \(or one of transform_input, transformInputRaw, transform_input_raw\)/)
  t.match(thrown(() => checkServiceType({}, 'OUTPUT_TRANSFORMER', 'x')).message, /needs a transformOutput\(\) method/)
  t.match(thrown(() => checkServiceType({}, 'COMBINER', 'x')).message, /needs a aggregate\(\) method/)
})

t.test('loadComponent: the whole path on real modules', async t => {
  const base = { cwd: fixtures, parameters: { delayMs: 5 }, serviceType: 'MODEL' as const }
  const echo = await loadComponent({ ...base, module: 'EchoModel' })
  t.equal(echo.name, 'EchoModel')
  t.equal(echo.constructed, true)
  t.same((echo.component as { params: unknown }).params, { delayMs: 5 })
  const cjs = await loadComponent({ ...base, module: 'CjsModel' })
  t.equal(cjs.name, 'CjsModel', 'a CommonJS module exporting { CjsModel }')
  const dotted = await loadComponent({ ...base, module: 'pkg.mod.Thing', serviceType: 'TRANSFORMER' })
  t.equal(dotted.name, 'Thing')
  const instance = await loadComponent({ ...base, module: 'instance.mjs' })
  t.equal(instance.name, 'instance.mjs')
  t.equal(instance.constructed, false, 'an instance: the parameters are not passed (the worker warns)')
  const promised = await loadComponent({ ...base, module: 'promised.mjs', serviceType: 'COMBINER' })
  t.ok(typeof (promised.component as { aggregate?: unknown }).aggregate === 'function')
  t.match((await rejection(loadComponent({ ...base, module: 'RouterModel.mjs' }))).message,
    'service type MODEL needs a predict() method on RouterModel')
  t.match((await rejection(loadComponent({ ...base, module: 'number.mjs' }))).message, /number\.mjs is number/)
  t.match((await rejection(loadComponent({ ...base, module: 'EchoModel', exportName: 'Nope' }))).message, /no export named "Nope"/)
  const broken = await rejection(loadComponent({ ...base, module: 'FailingConstructor' }))
  t.match(broken.message, /the constructor of FailingConstructor failed: Error: bad configuration/)
})

t.test('importModule: a module that fails to import', async t => {
  const dir = t.testdir({ 'Bad.mjs': 'export default class { predict () {} }\nthrow new Error("top-level failure")\n' })
  const err = await rejection(loadComponent({ module: 'Bad', cwd: dir, parameters: {}, serviceType: 'MODEL' }))
  t.type(err, ComponentError)
  t.match(err.message, /cannot import .*Bad\.mjs: Error: top-level failure/)
})
