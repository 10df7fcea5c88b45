/**
 * A SeldonRuntime whose component runs in N inference threads (the `threads` option). The REST and
 * gRPC plugins call it as they call any runtime; every dispatch becomes a task for the pool, and
 * what stays on the main thread is what must answer while every thread is busy: /health/ping, the
 * metrics, /metadata (computed by the threads' load()), readiness, and /health/status for a
 * component without healthStatus(), tags() or metrics() (there is nothing of the user's to call).
 */
import { NDArray, NotReadyError, TimeoutError, type DecodedPayload, type Transport } from '@fastify-seldon/protocol'
import type { Endpoint } from '../endpoints.js'
import { implementsEndpoint, type MethodTable } from '../methods.js'
import type { BatchEntry } from '../batch/batcher.js'
import type { BatchRequest } from '../batch/batched-predict.js'
import type { Answer } from '../response.js'
import { SeldonRuntime, type DispatchOptions, type RuntimeOptions } from '../runtime.js'
import { isComponentModule, moduleUrl, type ComponentModule } from './module-ref.js'
import { InferencePool, ThreadLoadError } from './pool.js'
import type { PoolOperation, PoolTask, TaskAnswer, TaskResult } from './protocol.js'
import { THREAD_RENDERED_HANDLER, reviveError } from './remote-error.js'
import { pack, unpack } from './wire.js'

const RAW_OF: Partial<Record<PoolOperation, string>> = {
  predict: 'predictRaw',
  transformInput: 'transformInputRaw',
  transformOutput: 'transformOutputRaw',
  route: 'routeRaw'
}

function isPlain (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * The request with its `data.ndarray` / `data.tensor.values` decoded into an NDArray here, so the
 * numbers cross to the thread as one moved buffer instead of a cloned tree of arrays. Decoding is
 * the thread's own first step (decodePayload takes an NDArray as it is), so nothing changes for
 * the component; anything that does not decode cleanly is left for the thread to refuse.
 */
export function predecode (message: unknown): unknown {
  if (!isPlain(message) || !isPlain(message.data)) return message
  const data = message.data
  try {
    if (Array.isArray(data.ndarray)) return { ...message, data: { ...data, ndarray: NDArray.fromNested(data.ndarray) } }
    const tensor = data.tensor
    if (isPlain(tensor) && Array.isArray(tensor.values)) {
      const values = NDArray.fromNested(tensor.values)
      if (values.ndim === 1 && values.isNumeric) return { ...message, data: { ...data, tensor: { ...tensor, values } } }
    }
  } catch {}
  return message
}

/**
 * A batched request with its payload replaced by the array already decoded here (its kind kept:
 * ndarray stays ndarray, tensor stays tensor), so the numbers cross as one moved buffer and the
 * thread does not decode them again.
 */
function withDecodedArray (message: unknown, request: DecodedPayload): unknown {
  const features = request.features as NDArray
  const data = request.dataKind === 'tensor'
    ? { names: request.names, tensor: { shape: [...features.shape], values: features.reshape([features.size]) } }
    : { names: request.names, ndarray: features }
  return { ...(message as Record<string, unknown>), data }
}

export class PooledRuntime extends SeldonRuntime {
  readonly ref: ComponentModule
  readonly threads: number
  private pool: InferencePool | undefined
  private state: 'idle' | 'loading' | 'ready' | 'failed' = 'idle'
  private starting: Promise<void> | undefined
  private threadMethods = new Set<string>()
  private threadMetadata: Record<string, unknown> | null = null
  private threadBatchable = false
  private moduleExports: Promise<Record<string, unknown> | undefined> | undefined
  private readonly runtimeOptions: RuntimeOptions

  constructor (ref: ComponentModule, threads: number, options: RuntimeOptions = {}) {
    if (!isComponentModule(ref)) throw new TypeError('a pooled component is given as { module, export?, parameters? }')
    // The main thread's stand-in component: no methods, one error handler replaying the threads' renderings.
    super({ errorHandlers: [THREAD_RENDERED_HANDLER] }, options)
    this.ref = ref
    this.threads = threads
    this.runtimeOptions = options
  }

  override get cancellable (): boolean { return true }

  /** What the threads' instance said when it loaded (false until then). */
  override get batchable (): boolean { return this.threadBatchable }

  /** The component lives in the threads (its raw methods unknown here): the message goes as parsed. */
  override takesDecodedArrays (): boolean { return false }

  override has (endpoint: Endpoint): boolean {
    if (this.state !== 'ready') return true
    if (endpoint === 'health' || endpoint === 'metadata') return true
    // The thread instance's methods, by name (their presence is all the endpoint table looks at).
    const table = Object.fromEntries([...this.threadMethods].map(name => [name, () => undefined])) as MethodTable
    return implementsEndpoint(table, endpoint)
  }

  override get ready (): boolean { return this.state === 'ready' }

  /** Starts the threads; resolves once every one has run its load(). */
  override load (): Promise<void> {
    this.starting ??= this.start()
    return this.starting
  }

  private async start (): Promise<void> {
    this.state = 'loading'
    const o = this.runtimeOptions
    const log = o.log ?? ((message: string) => { process.emitWarning(message) })
    this.pool = new InferencePool({
      component: { module: moduleUrl(this.ref), export: this.ref.export, parameters: this.ref.parameters },
      runtime: {
        unitId: o.unitId,
        unitImage: o.unitImage,
        includeMetricsInResponse: o.includeMetricsInResponse,
        executorEnabled: o.executorEnabled,
        modelMetadata: o.modelMetadata
      }
    }, this.threads, log, o.threadExecArgv)
    try {
      const ready = await this.pool.start()
      this.threadMethods = new Set(ready.methods)
      this.threadMetadata = ready.metadata
      this.threadBatchable = ready.batchable
      this.state = 'ready'
    } catch (err) {
      this.state = 'failed'
      await this.pool.close().catch(() => {})
      if (err instanceof ThreadLoadError) throw reviveError(err.packed)
      throw err
    }
  }

  /** Runs an open batch now, then stops the threads once the queued and running tasks are done. */
  override async close (): Promise<void> {
    await super.close()
    await this.pool?.close()
  }

  override assertReady (): void {
    if (this.state !== 'ready') throw new NotReadyError(this.state === 'failed' ? 'load() failed' : 'load() has not finished')
  }

  override metadata (): Record<string, unknown> {
    if (this.threadMetadata === null) return super.metadata()
    return this.threadMetadata
  }

  override metadataOrNull (): Record<string, unknown> | null {
    return this.threadMetadata
  }

  override predict (message: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    if (this.batcher !== undefined) {
      const batched = this.offerToBatch(this.batcher, message, transport, options?.signal)
      if (batched !== undefined) return batched
    }
    return this.dispatch('predict', message, transport, options)
  }

  /**
   * A closed batch: one task in the pool's queue (it waits for a free thread like any request),
   * each request's decoded array moved to the thread, one answer per request back.
   */
  protected override runBatch (entries: BatchEntry[]): void {
    this.observeBatch(entries)
    const transfer: ArrayBuffer[] = []
    const requests: BatchRequest[] = entries.map(e => ({ message: withDecodedArray(e.message, e.request), transport: e.transport }))
    const task: PoolTask = { op: 'predictBatch', transport: 'rest', message: pack(requests, transfer) }
    ;(this.pool as InferencePool).run(task, transfer).then(result => {
      this.replay(result)
      entries.forEach((e, i) => { this.answerOf(result.answers[i] as TaskAnswer).then(e.resolve, e.reject) })
    }, (err: unknown) => { for (const e of entries) e.reject(err) })
  }

  override transformInput (message: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    return this.dispatch('transformInput', message, transport, options)
  }

  override transformOutput (message: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    return this.dispatch('transformOutput', message, transport, options)
  }

  override route (message: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    return this.dispatch('route', message, transport, options)
  }

  override aggregate (body: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    return this.dispatch('aggregate', body, transport, options)
  }

  override sendFeedback (body: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    return this.dispatch('sendFeedback', body, transport, options)
  }

  override predictPassthrough (body: string | Buffer, options?: DispatchOptions): Promise<Answer> {
    return this.dispatch('predictPassthrough', body, 'rest', options)
  }

  /**
   * Answered here when the component has nothing of its own to call for it (no healthStatus(),
   * tags() or metrics()): the same answer the thread would give, while every thread is busy.
   * Otherwise a priority task, which waits only for the next free thread.
   */
  override async health (transport: Transport): Promise<Answer> {
    this.assertReady()
    const m = this.threadMethods
    if (!m.has('healthStatus') && !m.has('healthStatusRaw') && !m.has('tags') && !m.has('metrics')) return await super.health(transport)
    return await this.dispatch('health', undefined, transport, { priority: true })
  }

  private async dispatch (op: PoolOperation, message: unknown, transport: Transport, options?: DispatchOptions & { priority?: boolean }): Promise<Answer> {
    this.assertReady()
    const pool = this.pool as InferencePool
    const rawName = RAW_OF[op]
    const request = rawName !== undefined && !this.threadMethods.has(rawName) ? predecode(message) : message
    const transfer: ArrayBuffer[] = []
    const task: PoolTask = { op, transport, message: pack(request, transfer) }
    let result: TaskResult
    try {
      result = await pool.run(task, transfer, { signal: options?.signal, priority: options?.priority })
    } catch (err) {
      // Aborted while queued (the request's timeout already answered), or the thread died under it.
      if (options?.signal?.aborted === true) throw options.signal.reason ?? new TimeoutError(0)
      throw err
    }
    this.replay(result)
    return await this.answerOf(result.answers[0] as TaskAnswer)
  }

  private replay (result: TaskResult): void {
    const recorder = this.metricsRecorder
    if (recorder === undefined || result.records.length === 0) return
    for (const r of unpack(result.records) as TaskResult['records']) {
      if (r.kind === 'record') recorder.record(r.metrics, r.method)
      else recorder.feedback(r.reward)
    }
  }

  private async answerOf (answer: TaskAnswer): Promise<Answer> {
    if (answer.ok) return { message: undefined, statusCode: answer.statusCode, verbatim: answer.verbatim, encoded: answer.encoded }
    const needsClass = answer.error.handled === undefined && answer.error.seldon === undefined && answer.error.classes.length > 0
    throw reviveError(answer.error, needsClass ? await this.exports() : undefined)
  }

  /** The component module's exports on the main thread (imported once, on the first error that needs a class). */
  private exports (): Promise<Record<string, unknown> | undefined> {
    this.moduleExports ??= import(moduleUrl(this.ref)).then(m => m as Record<string, unknown>, () => undefined)
    return this.moduleExports
  }
}
