/**
 * SeldonRuntime: the one dispatch path behind every transport. Given a component and a request in
 * the message form, it picks the user method (docs/dispatch.md), decodes the payload,
 * calls the method (sync or async), and builds the response message: type mirroring, names, meta
 * merge, custom metrics. REST and gRPC differ only where the wrapper differs, through `transport`.
 *
 * The life of a request, for every endpoint:
 *   raw method present?  → call it with the message, record its meta.metrics, answer verbatim
 *   else                 → decodePayload → user method → unwrap SeldonResponse → metrics/tags
 *                          → encodeResult (mirroring) → mergeMeta → answer
 */
import {
  AggregateNotDefinedError, InvalidRequestDataTypeError, NDArray, NotReadyError, RouteNotDefinedError, BadRoutingError,
  BadMetadataError, badData, decodePayload, encodeResult, feedbackFromJson, float, mergeMeta,
  type DecodedPayload, type EncodeOptions, type Feedback, type JsonValue, type Meta, type Metric, type SeldonMessage,
  type Transport
} from '@fastify-seldon/protocol'
import { floatNested, pyRepr, pyStr } from '@fastify-seldon/protocol/internal'
import { SeldonResponse } from './component.js'
import { validateCustomMetrics, validateRequestMetrics, withMethodLabel, type MetricsRecorder } from './custom-metrics.js'
import { PAYLOAD_ENDPOINTS, PYTHON_METHOD_NAMES, type Endpoint, type MethodLabel } from './endpoints.js'
import { buildMetadata } from './metadata.js'
import { andThen, callUser, implementsEndpoint, invokeUser, NOT_IMPLEMENTED, resolveMethods, type MethodTable } from './methods.js'
import type { InstrumentUserMethod, TracingHooks } from './tracing-contract.js'
import { Batcher, type BatchEntry, type BatchingOptions } from './batch/batcher.js'
import { batchKey, resultRows, sliceRows, stack, wrongRows } from './batch/stack.js'

export interface RuntimeOptions {
  /** PREDICTIVE_UNIT_ID: the requestPath key, the feedback routing key ("0" when unset). */
  unitId?: string | undefined
  /** PREDICTIVE_UNIT_IMAGE: the requestPath value and metadata defaults. */
  unitImage?: string | undefined
  /** INCLUDE_METRICS_IN_CLIENT_RESPONSE (default true). */
  includeMetricsInResponse?: boolean
  /** SELDON_EXECUTOR_ENABLED (default true): false disables the feedback reward counters. */
  executorEnabled?: boolean
  /** MODEL_METADATA: YAML/JSON merged over initMetadata(). */
  modelMetadata?: string | undefined
  /** Where custom metrics go (the metrics plugin); none → not recorded. */
  metrics?: MetricsRecorder | undefined
  /** Logger for start-up notes (invalid metadata...). */
  log?: ((message: string) => void) | undefined
  /** Tracing on: each user-method call runs inside its span (docs/tracing.md). Absent: no wrapper at all. */
  tracing?: TracingHooks | undefined
  /**
   * Inference threads (default 0: the component runs on the event loop). With N > 0 the component
   * is given as a module reference and runs in N threads (runtimeFor builds a PooledRuntime;
   * docs/inference-pool.md).
   */
  threads?: number | undefined
  /**
   * Node options of the inference threads (default: the process's own, `process.execArgv`), e.g.
   * `['--import', 'tsx']` for a TypeScript component module.
   */
  threadExecArgv?: string[] | undefined
  /**
   * Adaptive batching of predict (on when maxBatchSize ≥ 2): concurrent requests whose arrays
   * stack are answered by one call of predict (docs/inference-pool.md, "Adaptive batching").
   */
  batching?: BatchingOptions | undefined
}

/** The fourth argument of a batched predict call: who is in the batch. */
export interface BatchInfo {
  /** How many requests were stacked (2 or more: a batch of one is called as an unbatched request). */
  size: number
  /** The rows each request gave, in order along the first axis. */
  rows: number[]
  /** Each request's meta (what the third argument of its unbatched call would have been). */
  metas: Array<Meta | undefined>
}

/** One request of a batch; `request` is its decoded payload when already decoded. */
export interface BatchRequest {
  message: unknown
  transport: Transport
  request?: DecodedPayload | undefined
}

/** One request's outcome in a batch. */
export type BatchOutcome = { ok: true, answer: Answer } | { ok: false, error: unknown }

/** A request of a batch once decoded, with its place in the batch. */
interface BatchMember {
  readonly index: number
  readonly message: unknown
  readonly transport: Transport
  readonly request: DecodedPayload
  readonly meta: Meta | undefined
}

/** Per-request dispatch options. */
export interface DispatchOptions {
  /**
   * The request gave up (its timeout answered, its client left): a runtime that queues requests
   * (inference threads, batching) drops it while it still waits. Work already started is never cancelled.
   */
  signal?: AbortSignal | undefined
}

/** What a dispatch answers: a message form to encode (or a raw method's verbatim result) and a status. */
export interface Answer {
  message: unknown
  statusCode: number
  /** The message came from a raw method and is to be written as is. */
  verbatim?: boolean
  /**
   * The answer already encoded for its transport (REST: the JSON text or its bytes; gRPC: the
   * SeldonMessage bytes), as an inference thread sends it back; `message` is then unused.
   */
  encoded?: string | Uint8Array | undefined
}

/** How one call's response message is built: what it mirrors, which metas it merges, how it renders. */
interface ReplySpec {
  /** The request payload the result's encoding mirrors (none: the result's own type). */
  readonly request: Pick<DecodedPayload, 'kind' | 'dataKind'> | undefined
  readonly transport: Transport
  /** The `method` label of the metrics recorded on the way. */
  readonly method: MethodLabel
  /** The request messages' metas (aggregate: one per message). */
  readonly requestMetas: Array<Meta | undefined>
  /** Whether the request metas' tags are carried into the response (not for route, feedback, health). */
  readonly mergeRequest: boolean
  readonly puid?: string | undefined
  /** Rendered as protobuf's MessageToDict renders the proto message (feedback over REST). */
  readonly protoJson?: boolean
}

/** What {@link SeldonRuntime.respond} gathers step by step before encoding. */
interface ResponseParts {
  readonly reply: ReplySpec
  data: unknown
  runtimeTags: Record<string, JsonValue> | undefined
  userTags: Record<string, JsonValue> | undefined
  customMetrics: Metric[]
}

const EMPTY_FLOATS = (): NDArray => new NDArray(new Float64Array(0), [0], 'float64')

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)
}

/** How many dimensions a result has, cheaply (class names are asked only for 2-D and up). */
function resultDims (result: unknown): number {
  if (result instanceof NDArray) return result.ndim
  if (Array.isArray(result)) return Array.isArray(result[0]) ? 2 : 1
  return 0
}

/** The raw method of each endpoint whose request a component may take decoded. */
const RAW_SLOT = {
  predict: 'predictRaw',
  transformInput: 'transformInputRaw',
  transformOutput: 'transformOutputRaw',
  route: 'routeRaw'
} as const

export class SeldonRuntime {
  readonly component: object
  readonly methods: MethodTable
  private readonly unitId: string | undefined
  private readonly unitRequestPath: Record<string, string> | undefined
  private readonly includeMetrics: boolean
  private readonly executorEnabled: boolean
  private readonly options: RuntimeOptions
  private metricsRecorder: MetricsRecorder | undefined
  private instrument: InstrumentUserMethod | undefined
  private loadState: 'idle' | 'loading' | 'ready' | 'failed' = 'idle'
  private loading: Promise<void> | undefined
  private cachedMetadata: Record<string, unknown> | null = null
  /** Adaptive batching's queue (maxBatchSize ≥ 2), else undefined. */
  protected readonly batcher: Batcher | undefined

  constructor (component: object, options: RuntimeOptions = {}) {
    if (component === null || typeof component !== 'object') {
      throw new TypeError('a Seldon component must be an object (an instance of your class)')
    }
    this.component = component
    this.methods = resolveMethods(component)
    this.options = options
    this.unitId = options.unitId
    this.unitRequestPath = options.unitId !== undefined
      ? { [options.unitId]: options.unitImage ?? 'NOT_IMPLEMENTED:NOT_IMPLEMENTED' }
      : undefined
    this.includeMetrics = options.includeMetricsInResponse ?? true
    this.executorEnabled = options.executorEnabled ?? true
    this.metricsRecorder = options.metrics
    this.setTracing(options.tracing)
    const batching = options.batching
    this.batcher = batching !== undefined && batching.maxBatchSize >= 2
      ? new Batcher(batching, entries => { this.runBatch(entries) })
      : undefined
  }

  /** Trace the user-method calls with `tracing` from now on (undefined: stop). */
  setTracing (tracing: TracingHooks | undefined): void {
    this.instrument = tracing?.methods?.forComponent(this.component.constructor?.name ?? 'Object')
  }

  /** Plug a metrics recorder in after construction (the metrics plugin does). */
  setMetricsRecorder (recorder: MetricsRecorder | undefined): void {
    this.metricsRecorder = recorder
  }

  /**
   * Whether the component serves `endpoint`: a method for it (raw or high-level, any spelling), or
   * an endpoint answered without one (ping, health, metadata).
   */
  has (endpoint: Endpoint): boolean {
    return !(PAYLOAD_ENDPOINTS as readonly string[]).includes(endpoint) || implementsEndpoint(this.methods, endpoint)
  }

  /**
   * Whether a request to `endpoint` may come with its numbers already decoded, `data.ndarray` or
   * `data.tensor.values` an NDArray (REST's fast path for numeric bodies; decodePayload takes an
   * NDArray as it is): true unless a raw method, which is handed the message itself, could see it.
   */
  takesDecodedArrays (endpoint: 'predict' | 'transformInput' | 'transformOutput' | 'route'): boolean {
    return this.methods[RAW_SLOT[endpoint]] === undefined
  }

  get ready (): boolean { return this.loadState === 'ready' }

  /** True when a request may wait in a queue (then an aborted DispatchOptions.signal drops it). */
  get cancellable (): boolean { return this.batcher !== undefined }

  /**
   * Whether predict requests may be batched: the component has a high-level predict and no
   * predictRaw, and did not opt out with a `batchable = false` property.
   */
  get batchable (): boolean {
    return this.methods.predict !== undefined && this.methods.predictRaw === undefined &&
      (this.component as { batchable?: unknown }).batchable !== false
  }

  /** Release what the runtime holds (an open batch is run now; inference threads). */
  async close (): Promise<void> {
    this.batcher?.flush()
  }

  /**
   * initMetadata() then load(), once (the Python wrapper also runs init_metadata first, seldon-core v1.18.2 python/seldon_core/microservice.py). Concurrent
   * callers share the same promise; a failing load() rejects and leaves the runtime not ready.
   */
  load (): Promise<void> {
    this.loading ??= this.runLoad()
    return this.loading
  }

  private async runLoad (): Promise<void> {
    this.loadState = 'loading'
    try {
      let fromComponent: unknown = {}
      if (this.methods.initMetadata !== undefined) {
        const value = await callUser(this.methods.initMetadata, [])
        fromComponent = value === NOT_IMPLEMENTED ? {} : value
        if (!isPlainObject(fromComponent)) {
          this.options.log?.('initMetadata() did not return an object: ignored')
          fromComponent = {}
        }
      }
      const result = buildMetadata({
        fromComponent,
        modelMetadataEnv: this.options.modelMetadata,
        unitImage: this.options.unitImage,
        log: this.options.log
      })
      if (result.metadata === null) this.options.log?.(`model metadata is invalid, /metadata will answer 500: ${result.problem ?? ''}`)
      this.cachedMetadata = result.metadata
      if (this.methods.load !== undefined) await callUser(this.methods.load, [])
      this.loadState = 'ready'
    } catch (err) {
      this.loadState = 'failed'
      throw err
    }
  }

  /** 503 until load() has finished (honest readiness; the Python wrapper has none). */
  assertReady (): void {
    if (this.loadState !== 'ready') {
      throw new NotReadyError(this.loadState === 'failed' ? 'load() failed' : 'load() has not finished')
    }
  }

  // ── predict and the transformers ──────────────────────────────────────────────────────────

  predict (message: unknown, transport: Transport, options?: DispatchOptions): Promise<Answer> {
    if (this.batcher !== undefined) {
      const batched = this.offerToBatch(this.batcher, message, transport, options?.signal)
      if (batched !== undefined) return batched
    }
    return this.transform(message, transport, this.methods.predictRaw, this.methods.predict, 'predict', 'empty')
  }

  transformInput (message: unknown, transport: Transport, _options?: DispatchOptions): Promise<Answer> {
    return this.transform(message, transport, this.methods.transformInputRaw, this.methods.transformInput, 'inputtransform', 'identity')
  }

  transformOutput (message: unknown, transport: Transport, _options?: DispatchOptions): Promise<Answer> {
    return this.transform(message, transport, this.methods.transformOutputRaw, this.methods.transformOutput, 'outputtransform', 'identity')
  }

  /** PAYLOAD_PASSTHROUGH: the undecoded body goes to predictRaw, its result comes back as is. */
  async predictPassthrough (body: string | Buffer, _options?: DispatchOptions): Promise<Answer> {
    this.assertReady()
    const raw = this.methods.predictRaw
    if (raw === undefined) throw badData('PAYLOAD_PASSTHROUGH needs a predictRaw method')
    const result = await this.invoke(raw, [body], 'predict', true, undefined)
    return { message: result === NOT_IMPLEMENTED ? '' : result, statusCode: 200, verbatim: true }
  }

  /**
   * The hot path of every predict: synchronous from the decoded payload to the answer while the
   * user's methods are (no promise, no microtask per step), one promise at the end. An async
   * method, or a raw method, takes the same steps through promises.
   */
  private transform (
    message: unknown, transport: Transport,
    raw: MethodTable['predictRaw'], high: MethodTable['predict'],
    method: MethodLabel, whenAbsent: 'empty' | 'identity'
  ): Promise<Answer> {
    try {
      this.assertReady()
      if (raw !== undefined) return this.transformRaw(message, transport, raw, high, method, whenAbsent)
      return settle(this.transformHigh(message, transport, high, method, whenAbsent))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  private async transformRaw (
    message: unknown, transport: Transport,
    raw: NonNullable<MethodTable['predictRaw']>, high: MethodTable['predict'],
    method: MethodLabel, whenAbsent: 'empty' | 'identity'
  ): Promise<Answer> {
    const result = await this.invoke(raw, [message], method, true, message)
    if (result !== NOT_IMPLEMENTED) return this.rawAnswer(result, method, method === 'predict' && transport === 'rest')
    return await this.transformHigh(message, transport, high, method, whenAbsent)
  }

  private transformHigh (
    message: unknown, transport: Transport, high: MethodTable['predict'],
    method: MethodLabel, whenAbsent: 'empty' | 'identity', decoded?: DecodedPayload
  ): Answer | Promise<Answer> {
    const request = decoded ?? decodePayload(message, transport)
    const requestMeta = this.requestMeta(message, transport)
    const result = high !== undefined ? this.invoke(high, [request.features, request.names, requestMeta], method, false, message, request) : NOT_IMPLEMENTED
    return andThen(result, value => this.respond(
      value === NOT_IMPLEMENTED ? (whenAbsent === 'empty' ? [] : request.features) : value, {
        request,
        transport,
        method,
        requestMetas: [(message as SeldonMessage).meta],
        mergeRequest: true,
        puid: (message as SeldonMessage).meta?.puid
      }))
  }

  // ── adaptive batching (docs/inference-pool.md) ────────────────────────────────────────────

  /**
   * The request's answer through a batch, or undefined when it cannot join one (it then runs
   * alone): not ready, not batchable, or a payload that does not decode to an ndarray/tensor with
   * rows (a request that does not decode gets its 400 from the ordinary path).
   */
  protected offerToBatch (batcher: Batcher, message: unknown, transport: Transport, signal: AbortSignal | undefined): Promise<Answer> | undefined {
    if (!this.ready || !this.batchable) return undefined
    let request: DecodedPayload
    try {
      request = decodePayload(message, transport)
      this.requestMeta(message, transport)
    } catch {
      return undefined
    }
    const key = batchKey(request)
    return key === undefined ? undefined : batcher.offer(key, message, transport, request, signal)
  }

  /** A closed batch, run on the event loop: one predict call, each request settled with its own outcome. */
  protected runBatch (entries: BatchEntry[]): void {
    this.observeBatch(entries)
    this.predictBatch(entries).then(outcomes => {
      outcomes.forEach((o, i) => {
        const e = entries[i] as BatchEntry
        if (o.ok) e.resolve(o.answer)
        else e.reject(o.error)
      })
    }, (err: unknown) => { for (const e of entries) e.reject(err) })
  }

  /** The batch's size, and how long each of its requests waited for it, to the metrics. */
  protected observeBatch (entries: readonly BatchEntry[]): void {
    const recorder = this.metricsRecorder
    if (recorder?.batch === undefined) return
    const now = performance.now()
    recorder.batch(entries.length, entries.map(e => (now - e.enqueued) / 1000))
  }

  /**
   * Requests whose arrays stack, answered by ONE call `predict(X, names, {}, batch)`: X their
   * arrays stacked along the first axis, `batch` a {@link BatchInfo}. The result goes through the
   * same steps as an unbatched one (unwrapResult, the component's metrics() and tags() asked once,
   * classNames), then is split back by rows and each request gets its own answer (its payload
   * kind mirrored, its meta merged). A result without one row per stacked row, or an error of the
   * call, fails every request of the batch; a request that does not decode fails alone; fewer than
   * two requests left run as unbatched calls. Called on the event loop and in inference threads.
   */
  async predictBatch (requests: readonly BatchRequest[]): Promise<BatchOutcome[]> {
    this.assertReady()
    const outcomes: BatchOutcome[] = new Array(requests.length)
    const members: BatchMember[] = []
    requests.forEach((r, index) => {
      try {
        const request = r.request ?? decodePayload(r.message, r.transport)
        members.push({ index, message: r.message, transport: r.transport, request, meta: this.requestMeta(r.message, r.transport) })
      } catch (error) {
        outcomes[index] = { ok: false, error }
      }
    })
    const predict = this.methods.predict
    if (members.length < 2 || predict === undefined || !this.batchable) {
      await Promise.all(members.map(async m => {
        outcomes[m.index] = await settle(this.transformHigh(m.message, m.transport, predict, 'predict', 'empty', m.request))
          .then(answer => ({ ok: true as const, answer }), (error: unknown) => ({ ok: false as const, error }))
      }))
      return outcomes
    }
    try {
      const answers = await this.callBatched(predict, members)
      members.forEach((m, k) => { outcomes[m.index] = { ok: true, answer: answers[k] as Answer } })
    } catch (error) {
      for (const m of members) outcomes[m.index] = { ok: false, error }
    }
    return outcomes
  }

  private async callBatched (predict: NonNullable<MethodTable['predict']>, members: readonly BatchMember[]): Promise<Answer[]> {
    const arrays = members.map(m => m.request.features as NDArray)
    const rows = arrays.map(a => a.shape[0] as number)
    const total = rows.reduce((a, b) => a + b, 0)
    const first = members[0] as BatchMember
    const info: BatchInfo = { size: members.length, rows, metas: members.map(m => m.meta) }
    const value = await this.invoke(predict, [stack(arrays), first.request.names, {}, info], 'predict', false, first.message, first.request)
    const parts = this.unwrapResult(value === NOT_IMPLEMENTED ? [] : value, this.replyFor(first))
    const got = resultRows(parts.data)
    if (got !== total) throw wrongRows(got, total, members.length)
    const { metrics, tags } = this.methods
    if (metrics !== undefined) this.addUserMetrics(parts, await callUser(metrics, []))
    if (tags !== undefined) this.addUserTags(parts, await callUser(tags, []))
    const classNames = resultDims(parts.data) > 1 ? await this.classNames() : undefined
    let start = 0
    return members.map((m, k) => {
      const end = start + (rows[k] as number)
      const answer = this.encodeAnswer({ ...parts, reply: this.replyFor(m), data: sliceRows(parts.data, start, end) }, classNames)
      start = end
      return answer
    })
  }

  /** How one request of a batch is answered: as its unbatched predict would be. */
  private replyFor (m: BatchMember): ReplySpec {
    const meta = (m.message as SeldonMessage).meta
    return { request: m.request, transport: m.transport, method: 'predict', requestMetas: [meta], mergeRequest: true, puid: meta?.puid }
  }

  // ── route ─────────────────────────────────────────────────────────────────────────────────

  async route (message: unknown, transport: Transport, _options?: DispatchOptions): Promise<Answer> {
    this.assertReady()
    const { routeRaw, route } = this.methods
    if (routeRaw !== undefined) {
      const result = await this.invoke(routeRaw, [message], 'router', true, message)
      if (result !== NOT_IMPLEMENTED) return this.rawAnswer(result, 'router', false)
    }
    if (route === undefined) throw new RouteNotDefinedError()
    const request = decodePayload(message, transport)
    const branch = await this.invoke(route, [request.features, request.names, this.requestMeta(message, transport)], 'router', false, message, request)
    if (branch === NOT_IMPLEMENTED) throw new RouteNotDefinedError()
    if (!(typeof branch === 'boolean' || (typeof branch === 'number' && Number.isInteger(branch)))) {
      throw new BadRoutingError(pyStr(branch))
    }
    // The executor reads the child index from a 1×1 array; request tags/metrics are not carried.
    return this.respond([[branch]], {
      request,
      transport,
      method: 'router',
      requestMetas: [],
      mergeRequest: false,
      puid: (message as SeldonMessage | undefined)?.meta?.puid
    })
  }

  // ── aggregate ─────────────────────────────────────────────────────────────────────────────

  async aggregate (body: unknown, transport: Transport, _options?: DispatchOptions): Promise<Answer> {
    this.assertReady()
    const { aggregateRaw, aggregate } = this.methods
    const messages = Array.isArray(body)
      ? body
      : isPlainObject(body) && Array.isArray(body.seldonMessages) ? body.seldonMessages : undefined
    if (messages === undefined) throw new InvalidRequestDataTypeError(pyRepr(body))
    if (aggregateRaw !== undefined) {
      const result = await this.invoke(aggregateRaw, [body], 'aggregate', true, messages[0])
      if (result !== NOT_IMPLEMENTED) return this.rawAnswer(result, 'aggregate', false)
    }
    if (aggregate === undefined) throw new AggregateNotDefinedError()
    if (messages.length === 0) throw badData('aggregate needs at least one message')
    const decoded: DecodedPayload[] = []
    const metas: Array<Meta | undefined> = []
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as SeldonMessage
      decoded.push(decodePayload(m, transport))
      metas.push(this.checkedMeta(m, transport, `seldonMessages[${i}].meta`))
    }
    const result = await this.invoke(aggregate, [decoded.map(d => d.features), decoded.map(d => d.names)], 'aggregate', false, messages[0], decoded[0])
    if (result === NOT_IMPLEMENTED) throw new AggregateNotDefinedError()
    const first = messages[0] as SeldonMessage
    return this.respond(result, {
      request: decoded[0] as DecodedPayload,
      transport,
      method: 'aggregate',
      requestMetas: metas,
      mergeRequest: true,
      puid: first.meta?.puid
    })
  }

  // ── feedback ──────────────────────────────────────────────────────────────────────────────

  /**
   * Feedback is read strictly as the Feedback proto and answered through the proto rendering
   * (numbers as doubles, empty names omitted), over REST too, as the wrapper does.
   */
  async sendFeedback (body: unknown, transport: Transport, _options?: DispatchOptions): Promise<Answer> {
    this.assertReady()
    const feedback: Feedback = transport === 'rest' ? feedbackFromJson(body) : body as Feedback
    const reward = typeof feedback.reward === 'number' ? feedback.reward : 0
    if (reward !== 0 && this.executorEnabled) this.metricsRecorder?.feedback(reward)

    const { sendFeedbackRaw, sendFeedback } = this.methods
    if (sendFeedbackRaw !== undefined) {
      const result = await this.invoke(sendFeedbackRaw, [feedback], 'feedback', true, feedback.request)
      if (result !== NOT_IMPLEMENTED) {
        const answer = this.rawAnswer(result, 'feedback', false)
        if (transport === 'rest' && isPlainObject(answer.message)) answer.message = floatNested(answer.message)
        return answer
      }
    }
    const requestMessage = feedback.request
    const request: DecodedPayload | undefined = requestMessage?.data !== undefined
      ? decodePayload({ data: requestMessage.data }, 'grpc')
      : undefined
    const features = request?.features ?? EMPTY_FLOATS()
    const truth = feedback.truth?.data !== undefined ? decodePayload({ data: feedback.truth.data }, 'grpc').features : EMPTY_FLOATS()
    const routing = feedback.response?.meta?.routing?.[this.unitId ?? '0']
    let result: unknown = NOT_IMPLEMENTED
    if (sendFeedback !== undefined) {
      result = await this.invoke(sendFeedback, [features, request?.names ?? [], reward, truth, routing], 'feedback', false, requestMessage, request)
    }
    if (result === NOT_IMPLEMENTED || result === undefined || result === null) result = EMPTY_FLOATS()
    const mirror = requestMessage === undefined ? undefined : requestKind(requestMessage)
    // Encoded as the proto message, rendered as MessageToDict over REST (the wrapper's answer).
    return this.respond(result, {
      request: mirror,
      transport: 'grpc',
      method: 'feedback',
      requestMetas: [],
      mergeRequest: false,
      puid: requestMessage?.meta?.puid,
      protoJson: transport === 'rest'
    })
  }

  // ── health and metadata ───────────────────────────────────────────────────────────────────

  async health (transport: Transport): Promise<Answer> {
    this.assertReady()
    const { healthStatusRaw, healthStatus } = this.methods
    if (healthStatusRaw !== undefined) {
      const result = await this.invoke(healthStatusRaw, [], 'health', true, undefined)
      if (result !== NOT_IMPLEMENTED) return { message: result, statusCode: 200, verbatim: true }
    }
    let result: unknown = 'healthy'
    if (healthStatus !== undefined) {
      const value = await this.invoke(healthStatus, [], 'health', false, undefined)
      result = value === NOT_IMPLEMENTED ? 'not implemented - assuming healthy' : value
    }
    return this.respond(result, { request: undefined, transport, method: 'health', requestMetas: [], mergeRequest: false })
  }

  /** The validated metadata, computed at load(); BadMetadataError when invalid (REST's 500). */
  metadata (): Record<string, unknown> {
    if (this.cachedMetadata === null) throw new BadMetadataError()
    return this.cachedMetadata
  }

  /** Like metadata() but `null` when invalid (gRPC answers an empty message then). */
  metadataOrNull (): Record<string, unknown> | null {
    return this.cachedMetadata
  }

  // ── shared steps ──────────────────────────────────────────────────────────────────────────

  /**
   * One call of the endpoint's user method (invokeUser: plain result for a synchronous method).
   * With tracing on it runs inside the method's span, named by its Python name (`predict`,
   * `transform_input_raw`...), with the request's puid and payload kind; off, nothing is added.
   */
  private invoke (
    fn: (...args: any[]) => unknown, args: unknown[], method: MethodLabel, raw: boolean,
    message: unknown, decoded?: Pick<DecodedPayload, 'kind' | 'dataKind'>
  ): unknown {
    const instrument = this.instrument
    if (instrument === undefined) return invokeUser(fn, args)
    const name = raw ? `${PYTHON_METHOD_NAMES[method]}_raw` : PYTHON_METHOD_NAMES[method]
    const meta = isPlainObject(message) ? message.meta : undefined
    const puid = isPlainObject(meta) && typeof meta.puid === 'string' ? meta.puid : undefined
    const payload = decoded ?? (isPlainObject(message) ? requestKind(message as SeldonMessage) : undefined)
    const kind = payload === undefined ? undefined : payload.kind === 'data' ? payload.dataKind : payload.kind
    return instrument(name, () => invokeUser(fn, args), puid, kind)
  }

  /** meta as handed to user methods: the request's as is (undefined when absent) over REST, `{}` over gRPC. */
  private requestMeta (message: unknown, transport: Transport): Meta | undefined {
    return this.checkedMeta(message, transport, 'meta')
  }

  private checkedMeta (message: unknown, transport: Transport, where: string): Meta | undefined {
    const meta = isPlainObject(message) ? message.meta : undefined
    if (meta === undefined || meta === null) return transport === 'grpc' ? {} : undefined
    if (!isPlainObject(meta)) throw badData(`${where} must be an object`)
    validateRequestMetrics(meta.metrics, where)
    return meta as Meta
  }

  /** A raw method's result: metrics in its meta recorded (and hidden when asked), status.code honoured. */
  private rawAnswer (result: unknown, method: MethodLabel, statusFromBody: boolean): Answer {
    let statusCode = 200
    if (isPlainObject(result)) {
      const meta = result.meta
      if (isPlainObject(meta) && Array.isArray(meta.metrics)) {
        const valid = (meta.metrics as unknown[]).filter(m => {
          try { validateCustomMetrics([m]); return true } catch { return false }
        }) as Metric[]
        this.metricsRecorder?.record(withMethodLabel(valid, method), method)
        if (!this.includeMetrics) {
          const { metrics: _dropped, ...rest } = meta
          result = { ...result, meta: rest }
        }
      }
      const status = (result as Record<string, unknown>).status
      if (statusFromBody && isPlainObject(status) && typeof status.code === 'number' && status.code >= 100 && status.code <= 599) {
        statusCode = status.code
      }
    }
    return { message: result, statusCode, verbatim: true }
  }

  /**
   * The response message of a high-level method's result, in named steps: unwrap a SeldonResponse
   * (its tags and metrics) → the component's metrics() → its tags() → classNames() for a result of
   * 2 dimensions and up → encode (type mirroring) and merge meta. Each user call runs after the
   * previous one has settled; the whole stays synchronous while they are (no promise per step on
   * the hot path: measured in bench/, `pnpm bench` small predict).
   */
  private respond (result: unknown, reply: ReplySpec): Answer | Promise<Answer> {
    const parts = this.unwrapResult(result, reply)
    const { metrics, tags } = this.methods
    // The common component has neither metrics() nor tags(): no step to wait for.
    if (metrics === undefined && tags === undefined) return this.withClassNames(parts)
    const userMetrics = metrics !== undefined ? invokeUser(metrics, []) : NOT_IMPLEMENTED
    return andThen(userMetrics, value => this.afterUserMetrics(parts, value))
  }

  /** Step 1: a SeldonResponse's data, tags and metrics (its metrics recorded now). */
  private unwrapResult (result: unknown, reply: ReplySpec): ResponseParts {
    const parts: ResponseParts = { reply, data: result, runtimeTags: undefined, userTags: undefined, customMetrics: [] }
    if (result instanceof SeldonResponse) {
      parts.data = result.data
      parts.runtimeTags = result.tags
      if (result.metrics !== undefined) {
        const runtimeMetrics = withMethodLabel(validateCustomMetrics(result.metrics), reply.method)
        this.metricsRecorder?.record(runtimeMetrics, reply.method)
        parts.customMetrics = runtimeMetrics
      }
    }
    return parts
  }

  /** Step 2: what metrics() answered, recorded and put first; then tags(). */
  private afterUserMetrics (parts: ResponseParts, value: unknown): Answer | Promise<Answer> {
    this.addUserMetrics(parts, value)
    const tags = this.methods.tags
    return andThen(tags !== undefined ? invokeUser(tags, []) : NOT_IMPLEMENTED, value => this.afterUserTags(parts, value))
  }

  private addUserMetrics (parts: ResponseParts, value: unknown): void {
    if (value === NOT_IMPLEMENTED) return
    const method = parts.reply.method
    const userMetrics = withMethodLabel(validateCustomMetrics(value), method)
    this.metricsRecorder?.record(userMetrics, method)
    parts.customMetrics = [...userMetrics, ...parts.customMetrics]
  }

  /** Step 3: what tags() answered (an object, else ignored). */
  private afterUserTags (parts: ResponseParts, value: unknown): Answer | Promise<Answer> {
    this.addUserTags(parts, value)
    return this.withClassNames(parts)
  }

  private addUserTags (parts: ResponseParts, value: unknown): void {
    if (value !== NOT_IMPLEMENTED && isPlainObject(value)) parts.userTags = value as Record<string, JsonValue>
  }

  /** Step 4: the class names, asked only for a result of 2 dimensions and up. */
  private withClassNames (parts: ResponseParts): Answer | Promise<Answer> {
    if (resultDims(parts.data) <= 1) return this.encodeAnswer(parts, undefined)
    return andThen(this.classNames(), classNames => this.encodeAnswer(parts, classNames))
  }

  /** Step 5: the payload encoded (mirroring the request), meta merged, proto rendering when asked. */
  private encodeAnswer (parts: ResponseParts, classNames: string[] | undefined): Answer {
    const { reply } = parts
    const options: EncodeOptions = { request: reply.request, transport: reply.transport, classNames: () => classNames, protoJson: reply.protoJson }
    const payload = encodeResult(parts.data, options)
    const meta = this.responseMeta(parts)
    if (reply.protoJson === true) {
      if (meta.tags !== undefined) meta.tags = floatNested(meta.tags) as Record<string, JsonValue>
      if (meta.metrics !== undefined) meta.metrics = meta.metrics.map(protoMetric)
      if (payload.jsonData !== undefined) payload.jsonData = floatNested(payload.jsonData) as JsonValue
    }
    payload.meta = meta
    return { message: payload, statusCode: 200 }
  }

  /** The response meta: request metas, puid, tags, shown metrics and requestPath merged. */
  private responseMeta (parts: ResponseParts): Meta {
    const { reply, userTags, runtimeTags } = parts
    const shownMetrics = this.includeMetrics ? parts.customMetrics : undefined
    // Nothing to merge (no request meta, tags, metrics, puid or unit id): mergeMeta would give {}.
    const nothingToMerge = reply.puid === undefined && userTags === undefined && runtimeTags === undefined &&
      (shownMetrics === undefined || shownMetrics.length === 0) && this.unitRequestPath === undefined &&
      (!reply.mergeRequest || reply.requestMetas.every(m => m === undefined))
    if (nothingToMerge) return {}
    return mergeMeta({
      requestMetas: reply.requestMetas,
      mergeRequest: reply.mergeRequest,
      puid: reply.puid,
      userTags,
      runtimeTags,
      customMetrics: shownMetrics,
      unitRequestPath: this.unitRequestPath
    })
  }

  /** The class names for a result of 2 dimensions and up (a promise only for an async classNames()). */
  private classNames (): string[] | undefined | Promise<string[] | undefined> {
    const { classNames, classNamesList } = this.methods
    if (classNames !== undefined) {
      return andThen(invokeUser(classNames, []), value => value !== NOT_IMPLEMENTED && Array.isArray(value) ? value.map(String) : undefined)
    }
    return classNamesList
  }
}

/** A dispatch's answer as the promise the endpoints return (one promise, made at the end). */
function settle (answer: Answer | Promise<Answer>): Promise<Answer> {
  return answer instanceof Promise ? answer : Promise.resolve(answer)
}

/** A request message's payload kind, for mirroring (feedback encodes relative to its request). */
function requestKind (message: SeldonMessage): Pick<DecodedPayload, 'kind' | 'dataKind'> {
  if (message.data !== undefined) {
    const d = message.data
    const dataKind = d.tensor !== undefined ? 'tensor' : d.ndarray !== undefined ? 'ndarray' : d.tftensor !== undefined ? 'tftensor' : 'none'
    return { kind: 'data', dataKind }
  }
  if (message.binData !== undefined) return { kind: 'binData', dataKind: 'none' }
  if (message.strData !== undefined) return { kind: 'strData', dataKind: 'none' }
  if (message.jsonData !== undefined) return { kind: 'jsonData', dataKind: 'none' }
  return { kind: 'customData', dataKind: 'none' }
}

/**
 * A metric as protobuf's MessageToDict renders it: the defaults are omitted, so a COUNTER (the enum
 * default) loses its type and a value whose float32 is 0 its value; other values are float32 doubles.
 */
function protoMetric (m: Metric): Metric {
  const out: Metric = { ...m }
  if (out.type === 'COUNTER') delete out.type
  const value = Math.fround(Number(m.value ?? 0))
  if (Object.is(value, 0)) delete out.value
  else out.value = float(value)
  return out
}
