/**
 * The response of one call, built from what the user's method returned: a raw method's result as
 * is (its metrics recorded), or a high-level result through named steps (unwrap a SeldonResponse →
 * metrics() → tags() → classNames() → encode with type mirroring → merge meta). The runtime
 * (runtime.ts) says what to mirror and merge in a ReplySpec; batching (batch/batched-predict.ts)
 * takes the steps one by one to answer each request of a batch from one result.
 */
import {
  NDArray, encodeResult, float, mergeMeta,
  type DecodedPayload, type EncodeOptions, type JsonValue, type Meta, type Metric, type Transport
} from '@fastify-seldon/protocol'
import { floatNested } from '@fastify-seldon/protocol/internal'
import { SeldonResponse } from './component.js'
import { validateCustomMetrics, withMethodLabel, type MetricsRecorder } from './custom-metrics.js'
import type { MethodLabel } from './endpoints.js'
import { andThen, invokeUser, NOT_IMPLEMENTED, type MethodTable } from './methods.js'
import { isPlainObject } from './request-message.js'

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
export interface ReplySpec {
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

/** What {@link ResponseBuilder.respond} gathers step by step before encoding. */
export interface ResponseParts {
  readonly reply: ReplySpec
  data: unknown
  runtimeTags: Record<string, JsonValue> | undefined
  userTags: Record<string, JsonValue> | undefined
  customMetrics: Metric[]
}

export interface ResponseOptions {
  /** INCLUDE_METRICS_IN_CLIENT_RESPONSE: the custom metrics are shown in the response meta. */
  readonly includeMetrics: boolean
  /** PREDICTIVE_UNIT_ID → PREDICTIVE_UNIT_IMAGE, merged as meta.requestPath (none without a unit id). */
  readonly unitRequestPath: Record<string, string> | undefined
  readonly recorder: MetricsRecorder | undefined
}

/** The response steps of one component (its metrics(), tags() and classNames() are asked here). */
export class ResponseBuilder {
  /** Where custom metrics go; replaced when the metrics plugin plugs in (SeldonRuntime.setMetricsRecorder). */
  recorder: MetricsRecorder | undefined
  private readonly methods: MethodTable
  private readonly includeMetrics: boolean
  private readonly unitRequestPath: Record<string, string> | undefined

  constructor (methods: MethodTable, options: ResponseOptions) {
    this.methods = methods
    this.includeMetrics = options.includeMetrics
    this.unitRequestPath = options.unitRequestPath
    this.recorder = options.recorder
  }

  /** A raw method's result: metrics in its meta recorded (and hidden when asked), status.code honoured. */
  rawAnswer (result: unknown, method: MethodLabel, statusFromBody: boolean): Answer {
    let statusCode = 200
    if (isPlainObject(result)) {
      const meta = result.meta
      if (isPlainObject(meta) && Array.isArray(meta.metrics)) {
        const valid = (meta.metrics as unknown[]).filter(m => {
          try { validateCustomMetrics([m]); return true } catch { return false }
        }) as Metric[]
        this.recorder?.record(withMethodLabel(valid, method), method)
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
  respond (result: unknown, reply: ReplySpec): Answer | Promise<Answer> {
    const parts = this.unwrapResult(result, reply)
    const { metrics, tags } = this.methods
    // The common component has neither metrics() nor tags(): no step to wait for.
    if (metrics === undefined && tags === undefined) return this.withClassNames(parts)
    const userMetrics = metrics !== undefined ? invokeUser(metrics, []) : NOT_IMPLEMENTED
    return andThen(userMetrics, value => this.afterUserMetrics(parts, value))
  }

  /** Step 1: a SeldonResponse's data, tags and metrics (its metrics recorded now). */
  unwrapResult (result: unknown, reply: ReplySpec): ResponseParts {
    const parts: ResponseParts = { reply, data: result, runtimeTags: undefined, userTags: undefined, customMetrics: [] }
    if (result instanceof SeldonResponse) {
      parts.data = result.data
      parts.runtimeTags = result.tags
      if (result.metrics !== undefined) {
        const runtimeMetrics = withMethodLabel(validateCustomMetrics(result.metrics), reply.method)
        this.recorder?.record(runtimeMetrics, reply.method)
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

  addUserMetrics (parts: ResponseParts, value: unknown): void {
    if (value === NOT_IMPLEMENTED) return
    const method = parts.reply.method
    const userMetrics = withMethodLabel(validateCustomMetrics(value), method)
    this.recorder?.record(userMetrics, method)
    parts.customMetrics = [...userMetrics, ...parts.customMetrics]
  }

  /** Step 3: what tags() answered (an object, else ignored). */
  private afterUserTags (parts: ResponseParts, value: unknown): Answer | Promise<Answer> {
    this.addUserTags(parts, value)
    return this.withClassNames(parts)
  }

  addUserTags (parts: ResponseParts, value: unknown): void {
    if (value !== NOT_IMPLEMENTED && isPlainObject(value)) parts.userTags = value as Record<string, JsonValue>
  }

  /** Step 4: the class names, asked only for a result of 2 dimensions and up. */
  private withClassNames (parts: ResponseParts): Answer | Promise<Answer> {
    if (resultDims(parts.data) <= 1) return this.encodeAnswer(parts, undefined)
    return andThen(this.classNames(), classNames => this.encodeAnswer(parts, classNames))
  }

  /** Step 5: the payload encoded (mirroring the request), meta merged, proto rendering when asked. */
  encodeAnswer (parts: ResponseParts, classNames: string[] | undefined): Answer {
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
  classNames (): string[] | undefined | Promise<string[] | undefined> {
    const { classNames, classNamesList } = this.methods
    if (classNames !== undefined) {
      return andThen(invokeUser(classNames, []), value => value !== NOT_IMPLEMENTED && Array.isArray(value) ? value.map(String) : undefined)
    }
    return classNamesList
  }
}

/** How many dimensions a result has, cheaply (class names are asked only for 2-D and up). */
export function resultDims (result: unknown): number {
  if (result instanceof NDArray) return result.ndim
  if (Array.isArray(result)) return Array.isArray(result[0]) ? 2 : 1
  return 0
}

/** A dispatch's answer as the promise the endpoints return (one promise, made at the end). */
export function settle (answer: Answer | Promise<Answer>): Promise<Answer> {
  return answer instanceof Promise ? answer : Promise.resolve(answer)
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
