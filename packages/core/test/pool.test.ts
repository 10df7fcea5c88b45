/**
 * The inference pool at the runtime level (REST and gRPC over it: the component and microservice
 * packages' tests): each thread loads its own instance, numbers cross as moved buffers, errors
 * come back answerable as on the main thread, a crashing thread loses only its own request.
 */
import t from 'tap'
import type { Metric } from '@fastify-seldon/protocol'
import { InvalidComponentError, PooledRuntime, runtimeFor, type Answer, type MethodLabel } from '../src/index.js'
import { predecode } from '../src/pool/pooled-runtime.js'
import { pack, unpack } from '../src/pool/wire.js'
import { NDArray, float, parseJson, stringifyJson } from '@fastify-seldon/protocol'

// The threads run without tap's TypeScript loader (they load built files and .mjs fixtures).
const MODEL = new URL('./fixtures/pool-model.mjs', import.meta.url)

function text (answer: Answer): string {
  const e = answer.encoded
  return typeof e === 'string' ? e : Buffer.from(e as Uint8Array).toString('utf8')
}

function json (answer: Answer): any {
  return JSON.parse(text(answer))
}

// Thread start-up is slow on a loaded machine: one pool of two threads serves most tests below.
t.setTimeout(300_000)
let shared: PooledRuntime

const cmd = (name: string, extra: Record<string, unknown> = {}): unknown => ({ meta: { tags: { cmd: name, ...extra } }, data: { ndarray: [[1, 2]] } })

t.test('an instance with threads, or a module without: a registration error saying why', async t => {
  t.throws(() => runtimeFor({ predict: () => 1 }, { threads: 2 }), InvalidComponentError)
  t.throws(() => runtimeFor({ predict: () => 1 }, { threads: 2 }), /an instance cannot move to another thread/)
  t.throws(() => runtimeFor({ module: MODEL }, {}), /set option threads to 1 or more/)
})

t.test('each thread builds and loads its own instance; readiness waits for all', async t => {
  const recorded: Array<[readonly Metric[], MethodLabel]> = []
  const runtime = runtimeFor({ module: MODEL, parameters: { scale: 3, loadMs: 50 } }, {
    threads: 2, metrics: { record: (m, k) => { recorded.push([m, k]) }, feedback: () => {} }
  }) as PooledRuntime
  shared = runtime
  t.equal(runtime.ready, false)
  const early = await runtime.predict({ data: { ndarray: [[1]] } }, 'rest').catch((e: unknown) => e) as { statusCode: number }
  t.equal(early.statusCode, 503, 'not ready: 503 before load()')
  await runtime.load()
  t.equal(runtime.ready, true)
  t.same(runtime.metadata().name, 'pool-model', 'metadata computed by the threads')
  // Two busy requests at once: one on each thread, both loaded.
  const answers = await Promise.all([
    runtime.predict(cmd('busy', { ms: 150 }), 'rest'),
    runtime.predict(cmd('busy', { ms: 150 }), 'rest')
  ])
  const threads = new Set(answers.map(a => json(a).meta.tags.thread))
  t.equal(threads.size, 2, 'two threads served')
  t.same(json(answers[0] as Answer).data.ndarray, [[3, 6]], 'constructed with the parameters')
  t.equal(text(answers[0] as Answer).includes('[[3.0,6.0]]'), true, 'floats stay floats in the text')
  t.equal(recorded.length, 2, "the threads' custom metrics are recorded on the main thread")
  t.same(recorded[0]?.[1], 'predict')
  t.equal(runtime.has('predict'), true)
  t.equal(runtime.has('route'), false, 'the methods are the thread instance\'s')
})

t.test('a thread whose load() fails: load() rejects with its error, requests 503', async t => {
  const runtime = runtimeFor({ module: MODEL, parameters: { failLoad: true } }, { threads: 1, threadExecArgv: [] }) as PooledRuntime
  t.teardown(() => runtime.close())
  await t.rejects(runtime.load(), /cannot load this model/)
  const refused = await runtime.predict({ data: { ndarray: [[1]] } }, 'rest').catch((e: unknown) => e) as { statusCode: number, message: string }
  t.equal(refused.statusCode, 503)
  t.match(refused.message, /load\(\) failed/)
})

t.test('numbers cross as a moved buffer of their own; answers come back encoded', async t => {
  const runtime = shared
  const rest = json(await runtime.predict(cmd('owns'), 'rest'))
  t.same(rest.data.ndarray, [[1, 1]], 'REST ndarray: the thread got an NDArray owning its buffer')
  const grpcMessage = { meta: { tags: { cmd: 'owns' } }, data: { tensor: { shape: [1, 2], values: new Float64Array([1, 2]) } } }
  const grpc = await runtime.predict(grpcMessage, 'grpc')
  t.ok(grpc.encoded instanceof Uint8Array, 'gRPC: the SeldonMessage bytes')
  const transfer: ArrayBuffer[] = []
  const request = predecode({ data: { ndarray: [[1, 2], [3, 4]] } }) as { data: { ndarray: NDArray } }
  t.ok(request.data.ndarray instanceof NDArray, 'the main thread decodes the ndarray once')
  pack(request, transfer)
  t.equal(transfer.length, 1, 'its buffer is moved, not copied')
  t.same(predecode({ data: { ndarray: [[1], [2, 3]] } }), { data: { ndarray: [[1], [2, 3]] } }, 'a ragged array is left for the thread to refuse')
})

t.test('pack/unpack keep what the codec relies on', async t => {
  const parsed = parseJson('{"a":[1.0,2],"b":{"c":3.0},"buf":1}') as Record<string, unknown>
  const value = { ...parsed, f: float(2), buf: Buffer.from('hi'), nd: new NDArray(new Float32Array([1, 2]), [1, 2], 'float32') }
  const back = unpack(structuredClone(pack(value, []))) as Record<string, unknown>
  t.equal(stringifyJson({ a: back.a, b: back.b, f: back.f }), '{"a":[1.0,2],"b":{"c":3.0},"f":2.0}', 'float marks and JsonFloat survive')
  t.ok(Buffer.isBuffer(back.buf), 'a Buffer stays a Buffer')
  t.equal((back.nd as NDArray).dtype, 'float32')
})

t.test('errors cross the boundary answerable as on the main thread', async t => {
  const runtime = shared
  const handled = await runtime.predict(cmd('model-error'), 'rest').catch((e: unknown) => e) as Error
  t.equal(handled.name, 'ModelError')
  t.equal(handled.message, 'bad input here')
  const entry = (runtime.component as { errorHandlers: Array<{ error: new () => Error, handle: (e: unknown) => unknown, grpcStatus: (e: unknown) => unknown }> }).errorHandlers[0]
  t.ok(entry !== undefined && handled instanceof entry.error, "the main side's one handler matches it")
  const rendered = await entry?.handle(handled) as { statusCode: number, body: { custom: string } }
  t.equal(rendered.statusCode, 422, "the component's own handler ran in the thread")
  t.equal(rendered.body.custom, 'bad input here')
  t.same(entry?.grpcStatus(handled), { code: 9, details: 'grpc bad input here' }, 'and its grpcStatus()')

  const { UnhandledError } = await import(MODEL.href) as { UnhandledError: new () => Error }
  const unhandled = await runtime.predict(cmd('unhandled'), 'rest').catch((e: unknown) => e) as Error & { detail: unknown }
  t.ok(unhandled instanceof UnhandledError, "re-created as the main thread's copy of the exported class")
  t.same(unhandled.detail, { why: 'testing' }, 'with its own properties')
  const seldon = await runtime.predict(cmd('seldon'), 'rest').catch((e: unknown) => e) as { statusCode: number, reason: string, message: string }
  t.same([seldon.statusCode, seldon.reason, seldon.message], [418, 'TEAPOT', 'teapot'], 'a Seldon error keeps status and reason')
})

t.test('a crashing thread loses only its own request and is replaced', async t => {
  const runtime = shared
  const crash = runtime.predict(cmd('crash'), 'rest')
  const other = runtime.predict(cmd('busy', { ms: 200 }), 'rest')
  await t.rejects(crash, /thread crashed/, 'the crashed request fails (500 through the usual path)')
  t.same(json(await other).data.ndarray, [[3, 6]], 'the other thread\'s request completes')
  const exit = runtime.predict(cmd('exit'), 'rest')
  await t.rejects(exit, /exited/, 'process.exit in a thread ends that thread only')
  const after = await Promise.all([1, 2, 3].map(() => runtime.predict({ data: { ndarray: [[5]] } }, 'rest')))
  t.equal(after.length, 3, 'the replacement threads serve')
})

t.test('a request that gives up while queued is dropped; a running one is never cancelled', async t => {
  const runtime = shared
  const running = runtime.predict(cmd('busy', { ms: 300 }), 'rest')
  const running2 = runtime.predict(cmd('busy', { ms: 300 }), 'rest')
  const controller = new AbortController()
  const queued = runtime.predict(cmd('busy', { ms: 300 }), 'rest', { signal: controller.signal })
  setTimeout(() => { controller.abort(new Error('timed out')) }, 50)
  const started = Date.now()
  await t.rejects(queued, /timed out/, 'dropped from the queue')
  t.ok(Date.now() - started < 250, 'without waiting for the running request')
  t.same(json(await running).data.ndarray, [[3, 6]], 'the running requests finish')
  await running2
  const before = Date.now()
  const afterwards = await runtime.predict({ data: { ndarray: [[7]] } }, 'rest')
  t.same(json(afterwards).data.ndarray, [[21]])
  t.ok(Date.now() - before < 250, 'the dropped request never ran: the next one is served at once')
})

t.test('health: answered on the main thread while every thread is busy (no user method to call)', async t => {
  // The fixture has tags() and metrics(): health goes to a thread; a bare module does not.
  const runtime = shared
  const busy = [runtime.predict(cmd('busy', { ms: 300 }), 'rest'), runtime.predict(cmd('busy', { ms: 300 }), 'rest')]
  const queued = runtime.predict(cmd('busy', { ms: 300 }), 'rest')
  const started = Date.now()
  const health = json(await runtime.health('rest'))
  t.equal(health.strData, 'healthy')
  t.ok(Date.now() - started >= 200, 'with tags()/metrics() to call it waits for a free thread')
  t.ok(Date.now() - started < 550, '...but ahead of the queued request (priority)')
  await Promise.all([...busy, queued])

  const bare = runtimeFor({ module: new URL('./fixtures/pool-bare.mjs', import.meta.url), export: 'Bare' }, { threads: 1, threadExecArgv: [], unitId: 'u' }) as PooledRuntime
  t.teardown(() => bare.close())
  await bare.load()
  const working = bare.predict({ meta: { tags: { ms: 400 } }, data: { ndarray: [[1]] } }, 'rest')
  await new Promise(resolve => setTimeout(resolve, 50))
  const before = Date.now()
  const answer = await bare.health('rest')
  t.ok(Date.now() - before < 100, 'answered at once while the only thread computes')
  t.same(answer.message, { strData: 'healthy', meta: { requestPath: { u: 'NOT_IMPLEMENTED:NOT_IMPLEMENTED' } } }, 'the answer the thread would give')
  await working
})

t.test('close: the threads stop once the running requests are done', async t => {
  const last = shared.predict(cmd('busy', { ms: 100 }), 'rest')
  await shared.close()
  t.same(json(await last).data.ndarray, [[3, 6]])
})
