/**
 * The Fastify plugin: lifecycle (start on ready, drain on close), the shared runtime, options,
 * and server reflection.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import t from 'tap'
import Fastify from 'fastify'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { SeldonRuntime, runtimeFor } from '@fastify-seldon/core'
import descriptor from 'protobufjs/ext/descriptor.js'
import { LISTED_SERVICES, mapEntryName, seldonGrpc, snakeCase } from '../src/index.js'
import { IdentityModel, SlowModel, call, newClient, sleep } from './fixtures/helpers.js'

const require = createRequire(import.meta.url)

async function app (opts: Record<string, unknown>) {
  const fastify = Fastify({ logger: false })
  await fastify.register(seldonGrpc, { host: '127.0.0.1', port: 0, ...opts } as never)
  return fastify
}

/** Waits for `check` at most `ms`. */
async function until (check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) return false
    await sleep(5)
  }
  return true
}

t.test('starts on ready, answers, exposes the port, stops on close', async t => {
  const fastify = await app({ component: new IdentityModel() })
  t.equal(fastify.seldonGrpc.port, undefined, 'not bound before ready')
  await fastify.ready()
  const port = fastify.seldonGrpc.port as number
  t.ok(port > 0)
  const client = newClient(port)
  const r = await call(client, 'Model', 'Predict', { strData: 'hi' })
  t.equal(r.message?.strData, 'hi')
  await fastify.close()
  const after = await call(client, 'Model', 'Predict', { strData: 'hi' }, 2000)
  t.ok(after.error, 'no answers after close')
  client.close()
})

t.test('graceful close: 20 in-flight slow calls complete, new calls fail', async t => {
  const model = new SlowModel()
  const fastify = await app({ component: model, shutdownTimeout: 5000 })
  await fastify.ready()
  const client = newClient(fastify.seldonGrpc.port as number)
  t.teardown(() => client.close())
  const inflight = Array.from({ length: 20 }, (_, i) => call(client, 'Model', 'Predict', { strData: `call ${i}` }, 5000))
  t.ok(await until(() => model.started === 20, 3000), 'all 20 reached the component')
  const closing = fastify.close()
  const results = await Promise.all(inflight)
  t.same(results.map(r => r.error?.code ?? 'OK'), Array(20).fill('OK'), 'all 20 answered OK')
  t.same(results.map(r => r.message?.strData), Array.from({ length: 20 }, (_, i) => `call ${i}`))
  await closing
  const late = await call(client, 'Model', 'Predict', { strData: 'late' }, 2000)
  t.ok(late.error, 'a new call fails')
  const fresh = newClient(fastify.seldonGrpc.port as number)
  const fresher = await call(fresh, 'Model', 'Predict', { strData: 'late' }, 2000)
  t.equal(fresher.error?.code, grpc.status.UNAVAILABLE, 'a new connection is refused')
  fresh.close()
})

t.test('close after the shutdown timeout cancels what is left', async t => {
  let timer: NodeJS.Timeout | undefined
  t.teardown(() => clearTimeout(timer))
  const fastify = await app({ component: { predict: () => new Promise(resolve => { timer = setTimeout(() => resolve('late'), 3000) }) }, shutdownTimeout: 100 })
  await fastify.ready()
  const client = newClient(fastify.seldonGrpc.port as number)
  t.teardown(() => client.close())
  const pending = call(client, 'Model', 'Predict', { strData: 'x' }, 5000)
  await sleep(50)
  const started = Date.now()
  await fastify.close()
  t.ok(Date.now() - started < 2000, 'close did not wait for the call')
  const r = await pending
  t.ok(r.error, 'the call was cancelled')
})

t.test('the runtime is shared with REST plugins of the same component (one load())', async t => {
  let loads = 0
  const component = { predict: (x: unknown) => x, load: () => { loads++ } }
  const shared = runtimeFor(component)
  const fastify = await app({ component })
  await fastify.ready()
  t.equal(fastify.seldonGrpc.runtime, shared, 'same runtime as runtimeFor()')
  await shared.load()
  t.equal(loads, 1)
  await fastify.close()
})

t.test('a given runtime is used as is', async t => {
  const runtime = new SeldonRuntime(new IdentityModel())
  const fastify = await app({ runtime, reflection: false })
  await fastify.ready()
  t.equal(fastify.seldonGrpc.runtime, runtime)
  t.ok(runtime.ready, 'loaded on ready')
  await fastify.close()
})

t.test('runtime options reach the runtime', async t => {
  const fastify = await app({ component: new IdentityModel(), unitId: 'unit-a', unitImage: 'img:1.2', includeMetricsInResponse: false, executorEnabled: false, modelMetadata: '{"platform": "p"}', metrics: { record () {}, feedback () {} } })
  await fastify.ready()
  const client = newClient(fastify.seldonGrpc.port as number)
  t.teardown(() => client.close())
  const r = await call(client, 'Model', 'Predict', { strData: 'x' })
  t.same(r.message?.meta?.requestPath, { 'unit-a': 'img:1.2' })
  const md = await call(client, 'Model', 'Metadata', {})
  t.equal(md.message?.platform, 'p')
  t.equal(md.message?.name, 'img')
  await fastify.close()
})

t.test('option checks at registration', async t => {
  await t.rejects(app({ port: 0 }), /needs option component/)
  await t.rejects(app({ component: 'x' }), /needs option component/)
  await t.rejects(app({ runtime: {} }), /must be a SeldonRuntime/)
  await t.rejects(app({ component: new IdentityModel(), port: -1 }), /needs option port/)
  await t.rejects(app({ component: new IdentityModel(), port: 1.5 }), /needs option port/)
  await t.rejects(app({ component: new IdentityModel(), port: undefined }), /needs option port/)
})

t.test('a failing load() fails ready()', async t => {
  const fastify = await app({ component: { predict: () => [], load: () => { throw new Error('broken weights') } } })
  await t.rejects(async () => { await fastify.ready() }, /broken weights/)
  await fastify.close()
})

t.test('onCall hook through the plugin', async t => {
  const seen: string[] = []
  const fastify = await app({ component: new IdentityModel(), onCall: (s: string, m: string, c: string) => { seen.push(`${s}/${m} ${c}`) } })
  await fastify.ready()
  const client = newClient(fastify.seldonGrpc.port as number)
  await call(client, 'Transformer', 'TransformInput', { strData: 'x' })
  client.close()
  await fastify.close()
  t.same(seen, ['seldon.protos.Transformer/TransformInput OK'])
})

// ── reflection ─────────────────────────────────────────────────────────────────────────────────

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> }
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] }
  errorResponse?: { errorCode: number, errorMessage: string }
}

function reflectionClient (port: number, version: 'v1alpha' | 'v1'): grpc.Client & { ServerReflectionInfo: () => grpc.ClientDuplexStream<unknown, ReflectionResponse> } {
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto')
  const def = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [root] })
  const pkg = grpc.loadPackageDefinition(def) as any
  const Ctor = pkg.grpc.reflection[version].ServerReflection
  return new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
}

function ask (client: ReturnType<typeof reflectionClient>, request: Record<string, unknown>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo()
    const timer = setTimeout(() => { stream.cancel(); reject(new Error('reflection timed out')) }, 5000)
    stream.on('data', (msg: ReflectionResponse) => { clearTimeout(timer); resolve(msg); stream.end() })
    stream.on('error', (err: Error) => { clearTimeout(timer); reject(err) })
    stream.write(request)
  })
}

t.test('server reflection lists only the services served (a graph backend: Seldon)', async t => {
  const backend = {
    services: ['Seldon'] as const,
    load: async () => {},
    call: async () => new Uint8Array(0),
    status: async () => ({ code: grpc.status.INTERNAL, details: 'unused' })
  }
  const fastify = await app({ backend })
  await fastify.ready()
  t.teardown(() => fastify.close())
  const alpha = reflectionClient(fastify.seldonGrpc.port as number, 'v1alpha')
  t.teardown(() => { alpha.close() })
  const listed = await ask(alpha, { listServices: '' })
  t.same(listed.listServicesResponse?.service.map(s => s.name).sort(), ['grpc.reflection.v1alpha.ServerReflection', 'seldon.protos.Seldon'])
})

t.test('server reflection lists exactly the wrapper\'s services', async t => {
  const fastify = await app({ component: new IdentityModel() })
  await fastify.ready()
  const port = fastify.seldonGrpc.port as number
  const alpha = reflectionClient(port, 'v1alpha')
  const v1 = reflectionClient(port, 'v1')
  t.teardown(() => { alpha.close(); v1.close() })

  const listed = await ask(alpha, { listServices: '' })
  const names = listed.listServicesResponse?.service.map(s => s.name).sort()
  t.same(names, [
    'grpc.reflection.v1alpha.ServerReflection',
    'seldon.protos.Combiner',
    'seldon.protos.Generic',
    'seldon.protos.Model',
    'seldon.protos.OutputTransformer',
    'seldon.protos.Router',
    'seldon.protos.Seldon',
    'seldon.protos.Transformer'
  ], 'identity.54')
  t.same(names, [...LISTED_SERVICES])

  const file = await ask(alpha, { fileContainingSymbol: 'seldon.protos.Model' })
  const files = new Map<string, any>((file.fileDescriptorResponse?.fileDescriptorProto ?? []).map(b => {
    const fd = descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(b)) as any
    return [fd.name, fd]
  }))
  t.same([...files.keys()].sort(), [
    'google/protobuf/any.proto', 'google/protobuf/empty.proto', 'google/protobuf/struct.proto', 'seldon_protos.proto', 'tensorflow.proto'
  ], 'the file holding seldon.protos.Model and everything it needs')
  const seldon = files.get('seldon_protos.proto')
  t.same(seldon.dependency, ['google/protobuf/any.proto', 'google/protobuf/empty.proto', 'google/protobuf/struct.proto', 'tensorflow.proto'], 'dependencies declared')
  const meta = seldon.messageType.find((m: any) => m.name === 'Meta')
  t.same(meta.nestedType.map((n: any) => n.name), ['TagsEntry', 'RoutingEntry', 'RequestPathEntry'], 'map entries named as protoc names them')
  t.equal(meta.field.find((f: any) => f.name === 'requestPath').typeName, 'RequestPathEntry')
  const value = files.get('google/protobuf/struct.proto').messageType.find((m: any) => m.name === 'Value')
  t.same(value.field.map((f: any) => f.name), ['null_value', 'number_value', 'string_value', 'bool_value', 'struct_value', 'list_value'], 'well-known types with their real field names')
  t.equal(value.field[1].jsonName, 'numberValue')
  const structMsg = files.get('google/protobuf/struct.proto').messageType.find((m: any) => m.name === 'Struct')
  t.equal(structMsg.nestedType[0].name, 'FieldsEntry')
  const msg = await ask(v1, { fileContainingSymbol: 'seldon.protos.SeldonMessage' })
  t.ok((msg.fileDescriptorResponse?.fileDescriptorProto.length ?? 0) > 0, 'v1 too')
  const missing = await ask(alpha, { fileContainingSymbol: 'no.such.Symbol' })
  t.equal(missing.errorResponse?.errorCode, grpc.status.NOT_FOUND)
  await fastify.close()
})

t.test('protoc naming helpers', async t => {
  t.equal(mapEntryName('tags'), 'TagsEntry')
  t.equal(mapEntryName('requestPath'), 'RequestPathEntry')
  t.equal(mapEntryName('request_path'), 'RequestPathEntry')
  t.equal(mapEntryName('dtypes_and_shapes'), 'DtypesAndShapesEntry')
  t.equal(snakeCase('stringValue'), 'string_value')
  t.equal(snakeCase('typeUrl'), 'type_url')
  t.equal(snakeCase('value'), 'value')
})

t.test('reflection: false serves no reflection', async t => {
  const fastify = await app({ component: new IdentityModel(), reflection: false })
  await fastify.ready()
  const client = reflectionClient(fastify.seldonGrpc.port as number, 'v1alpha')
  t.teardown(() => client.close())
  await t.rejects(ask(client, { listServices: '' }), { code: grpc.status.UNIMPLEMENTED })
  await fastify.close()
})
