/**
 * SeldonRuntime: the one dispatch path behind every transport. Given a component and a request in
 * the message form, it picks the user method (docs/dispatch.md), decodes the payload,
 * calls the method (sync or async), and has the response message built (response.ts: type
 * mirroring, names, meta merge, custom metrics). REST and gRPC differ only where the wrapper
 * differs, through `transport`. Adaptive batching of predict is batch/.
 *
 * The life of a request, for every endpoint:
 *   raw method present?  → call it with the message, record its meta.metrics, answer verbatim
 *   else                 → decodePayload → user method → unwrap SeldonResponse → metrics/tags
 *                          → encodeResult (mirroring) → mergeMeta → answer
 */
import {
  AggregateNotDefinedError, InvalidRequestDataTypeError, NDArray, NotReadyError, RouteNotDefinedError, BadRoutingError,
  BadMetadataError, badData, decodePayload, feedbackFromJson,
  type DecodedPayload, type Feedback, type Meta, type SeldonMessage, type Transport
} from '@fastify-seldon/protocol'
import { floatNested, pyRepr, pyStr } from '@fastify-seldon/protocol/internal'
import type { MetricsRecorder } from './custom-metrics.js'
import { PAYLOAD_ENDPOINTS, PYTHON_METHOD_NAMES, type Endpoint, type MethodLabel } from './endpoints.js'
import { buildMetadata } from './metadata.js'
import { andThen, callUser, implementsEndpoint, invokeUser, NOT_IMPLEMENTED, resolveMethods, type MethodTable } from './methods.js'
import { checkedMeta, isPlainObject, requestKind, requestMeta } from './request-message.js'
import { ResponseBuilder, settle, type Answer } from './response.js'
import type { InstrumentUserMethod, TracingHooks } from './tracing-contract.js'
import { Batcher, type BatchEntry, type BatchingOptions } from './batch/batcher.js'
import {
  joinBatch, observeBatch, predictBatch, settleEntries, type BatchOutcome, type BatchRequest, type BatchSteps
} from './batch/batched-predict.js'

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

/** Per-request dispatch options. */
export interface DispatchOptions {
  /**
   * The request gave up (its timeout answered, its client left): a runtime that queues requests
   * (inference threads, batching) drops it while it still waits. Work already started is never cancelled.
   */
  signal?: AbortSignal | undefined
}

const EMPTY_FLOATS = (): NDArray => new NDArray(new Float64Array(0), [0], 'float64')

/** The raw method of each endpoint whose request a component may take decoded. */
const RAW_SLOT: Partial<Record<Endpoint, 'predictRaw' | 'transformInputRaw' | 'transformOutputRaw' | 'routeRaw'>> = {
  predict: 'predictRaw',
  transformInput: 'transformInputRaw',
  transformOutput: 'transformOutputRaw',
  route: 'routeRaw'
}

export class SeldonRuntime {
  readonly component: object
  readonly methods: MethodTable
  private readonly unitId: string | undefined
  private readonly executorEnabled: boolean
  private readonly options: RuntimeOptions
  private instrument: InstrumentUserMethod | undefined
  private loadState: 'idle' | 'loading' | 'ready' | 'failed' = 'idle'
  private loading: Promise<void> | undefined
  private cachedMetadata: Record<string, unknown> | null = null
  /** Builds each call's response message (the component's metrics(), tags(), classNames() asked there). */
  private readonly response: ResponseBuilder
  /** Adaptive batching's queue (maxBatchSize ≥ 2), else undefined. */
  protected readonly batcher: Batcher | undefined
  /** This runtime's dispatch steps as a batch takes them (predictBatch). */
  private readonly batchSteps: BatchSteps

  constructor (component: object, options: RuntimeOptions = {}) {
    if (component === null || typeof component !== 'object') {
      throw new TypeError('a Seldon component must be an object (an instance of your class)')
    }
    this.component = component
    this.methods = resolveMethods(component)
    this.options = options
    this.unitId = options.unitId
    this.executorEnabled = options.executorEnabled ?? true
    this.response = new ResponseBuilder(this.methods, {
      includeMetrics: options.includeMetricsInResponse ?? true,
      unitRequestPath: options.unitId !== undefined
        ? { [options.unitId]: options.unitImage ?? 'NOT_IMPLEMENTED:NOT_IMPLEMENTED' }
        : undefined,
      recorder: options.metrics
    })
    this.setTracing(options.tracing)
    const batching = options.batching
    this.batcher = batching !== undefined && batching.maxBatchSize >= 2
      ? new Batcher(batching, entries => { this.runBatch(entries) })
      : undefined
    this.batchSteps = {
      methods: this.methods,
      response: this.response,
      assertReady: () => { this.assertReady() },
      batchable: () => this.batchable,
      callPredict: (predict, args, message, request) => this.invoke(predict, args, 'predict', false, message, request),
      predictAlone: (message, transport, request) =>
        this.transformHigh(message, transport, this.methods.predict, 'predict', 'empty', request)
    }
  }

  /** Trace the user-method calls with `tracing` from now on (undefined: stop). */
  setTracing (tracing: TracingHooks | undefined): void {
    this.instrument = tracing?.methods?.forComponent(this.component.constructor?.name ?? 'Object')
  }

  /** Where custom metrics and feedback rewards go (one recorder, held by the response steps). */
  protected get metricsRecorder (): MetricsRecorder | undefined { return this.response.recorder }

  /** Plug a metrics recorder in after construction (the metrics plugin does). */
  setMetricsRecorder (recorder: MetricsRecorder | undefined): void {
    this.response.recorder = recorder
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
   * Only predict, transformInput, transformOutput and route take payloads so (false for the others).
   */
  takesDecodedArrays (endpoint: Endpoint): boolean {
    const slot = RAW_SLOT[endpoint]
    return slot !== undefined && this.methods[slot] === undefined
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
    if (result !== NOT_IMPLEMENTED) return this.response.rawAnswer(result, method, method === 'predict' && transport === 'rest')
    return await this.transformHigh(message, transport, high, method, whenAbsent)
  }

  private transformHigh (
    message: unknown, transport: Transport, high: MethodTable['predict'],
    method: MethodLabel, whenAbsent: 'empty' | 'identity', decoded?: DecodedPayload
  ): Answer | Promise<Answer> {
    const request = decoded ?? decodePayload(message, transport)
    const meta = requestMeta(message, transport)
    const result = high !== undefined ? this.invoke(high, [request.features, request.names, meta], method, false, message, request) : NOT_IMPLEMENTED
    return andThen(result, value => this.response.respond(
      value === NOT_IMPLEMENTED ? (whenAbsent === 'empty' ? [] : request.features) : value, {
        request,
        transport,
        method,
        requestMetas: [(message as SeldonMessage).meta],
        mergeRequest: true,
        puid: (message as SeldonMessage).meta?.puid
      }))
  }

  // ── adaptive batching (docs/inference-pool.md; the steps are batch/batched-predict.ts) ──────

  /**
   * The request's answer through a batch, or undefined when it cannot join one (it then runs
   * alone): not ready, not batchable, or a payload that does not decode to an ndarray/tensor with
   * rows (a request that does not decode gets its 400 from the ordinary path).
   */
  protected offerToBatch (batcher: Batcher, message: unknown, transport: Transport, signal: AbortSignal | undefined): Promise<Answer> | undefined {
    if (!this.ready || !this.batchable) return undefined
    return joinBatch(batcher, message, transport, signal)
  }

  /** A closed batch, run on the event loop: one predict call, each request settled with its own outcome. */
  protected runBatch (entries: BatchEntry[]): void {
    this.observeBatch(entries)
    settleEntries(entries, this.predictBatch(entries))
  }

  /** The batch's size, and how long each of its requests waited for it, to the metrics. */
  protected observeBatch (entries: readonly BatchEntry[]): void {
    observeBatch(this.metricsRecorder, entries)
  }

  /**
   * Requests whose arrays stack, answered by ONE call `predict(X, names, {}, batch)` and split back
   * by rows, each request answered as its unbatched call would be (batch/batched-predict.ts,
   * predictBatch). Called on the event loop and in inference threads.
   */
  predictBatch (requests: readonly BatchRequest[]): Promise<BatchOutcome[]> {
    return predictBatch(requests, this.batchSteps)
  }

  // ── route ─────────────────────────────────────────────────────────────────────────────────

  async route (message: unknown, transport: Transport, _options?: DispatchOptions): Promise<Answer> {
    this.assertReady()
    const { routeRaw, route } = this.methods
    if (routeRaw !== undefined) {
      const result = await this.invoke(routeRaw, [message], 'router', true, message)
      if (result !== NOT_IMPLEMENTED) return this.response.rawAnswer(result, 'router', false)
    }
    if (route === undefined) throw new RouteNotDefinedError()
    const request = decodePayload(message, transport)
    const branch = await this.invoke(route, [request.features, request.names, requestMeta(message, transport)], 'router', false, message, request)
    if (branch === NOT_IMPLEMENTED) throw new RouteNotDefinedError()
    if (!(typeof branch === 'boolean' || (typeof branch === 'number' && Number.isInteger(branch)))) {
      throw new BadRoutingError(pyStr(branch))
    }
    // The executor reads the child index from a 1×1 array; request tags/metrics are not carried.
    return this.response.respond([[branch]], {
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
      if (result !== NOT_IMPLEMENTED) return this.response.rawAnswer(result, 'aggregate', false)
    }
    if (aggregate === undefined) throw new AggregateNotDefinedError()
    if (messages.length === 0) throw badData('aggregate needs at least one message')
    const decoded: DecodedPayload[] = []
    const metas: Array<Meta | undefined> = []
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as SeldonMessage
      decoded.push(decodePayload(m, transport))
      metas.push(checkedMeta(m, transport, `seldonMessages[${i}].meta`))
    }
    const result = await this.invoke(aggregate, [decoded.map(d => d.features), decoded.map(d => d.names)], 'aggregate', false, messages[0], decoded[0])
    if (result === NOT_IMPLEMENTED) throw new AggregateNotDefinedError()
    const first = messages[0] as SeldonMessage
    return this.response.respond(result, {
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
        const answer = this.response.rawAnswer(result, 'feedback', false)
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
    return this.response.respond(result, {
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
    return this.response.respond(result, { request: undefined, transport, method: 'health', requestMetas: [], mergeRequest: false })
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
}
