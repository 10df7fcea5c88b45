/**
 * The component API: what a user writes. Every method is optional except the one a kind needs
 * (`predict` for a model, `route` for a router...), may be sync or async, and may be spelled the
 * Python way (`transform_input`, `class_names`, `predict_raw`...), so a class ported from Python
 * keeps working.
 */
import type {
  Feedback, JsonValue, Meta, Metric, NDArray, SeldonMessage, SeldonMessageList
} from '@fastify-seldon/protocol'

type MaybePromise<T> = T | Promise<T>

/** What a user method receives as `X`: an NDArray for `data`, else the payload as is. */
export type Features = NDArray | Buffer | string | JsonValue | { typeUrl: string, value: Uint8Array }

/**
 * What a user method may return: an NDArray, nested arrays or a typed array (→ `data`), a string
 * (→ `strData`), a Buffer/Uint8Array (→ `binData`), a plain object (→ `jsonData`), or a
 * {@link SeldonResponse} carrying one of those plus per-call tags and metrics.
 */
export type Prediction = NDArray | unknown[] | ArrayBufferView | string | Record<string, unknown> | SeldonResponse

/** The analogue of the Python wrapper's SeldonResponse (seldon-core v1.18.2 python/seldon_core/user_model.py): data plus per-call (runtime) tags and metrics. */
export class SeldonResponse {
  constructor (
    readonly data: unknown,
    readonly tags?: Record<string, JsonValue>,
    readonly metrics?: Metric[]
  ) {}
}

/**
 * Throw from a method to say "not implemented": the runtime then behaves as if the method were
 * absent (the analogue of Python's SeldonNotImplementedError).
 */
export class NotImplementedError extends Error {
  constructor (message = 'not implemented') {
    super(message)
    this.name = 'NotImplementedError'
  }
}

/** A custom-error handler: the component's own error classes rendered its own way (REST). */
export interface ErrorHandlerEntry {
  /** The error class this handler renders (matched with instanceof). */
  error: abstract new (...args: any[]) => Error
  /** Returns the HTTP status and JSON body for the error. */
  handle: (error: any) => MaybePromise<{ statusCode: number, body: unknown, headers?: Record<string, string> }>
}

export interface ComponentCommon {
  /** Called once before the component serves, in every worker. */
  load?(): MaybePromise<void>
  classNames?(): MaybePromise<string[]>
  tags?(): MaybePromise<Record<string, JsonValue>>
  metrics?(): MaybePromise<Metric[]>
  healthStatus?(): MaybePromise<unknown>
  healthStatusRaw?(): MaybePromise<unknown>
  initMetadata?(): MaybePromise<Record<string, unknown>>
  /** Handlers for the component's own error classes (the Python guide's `model_error_handler`, seldon-core v1.18.2 doc/source/python/python_component.md). */
  errorHandlers?: ErrorHandlerEntry[]
  /** Python spellings. */
  class_names?(): MaybePromise<string[]>
  health_status?(): MaybePromise<unknown>
  health_status_raw?(): MaybePromise<unknown>
  init_metadata?(): MaybePromise<Record<string, unknown>>
  model_error_handlers?: ErrorHandlerEntry[]
}

export type PredictMethod = (X: any, names: string[], meta?: Meta) => MaybePromise<unknown>
export type RouteMethod = (X: any, names: string[], meta?: Meta) => MaybePromise<number | boolean>
export type AggregateMethod = (featuresList: any[], namesList: string[][]) => MaybePromise<unknown>
export type SendFeedbackMethod = (features: any, names: string[], reward: number, truth: any, routing?: number) => MaybePromise<unknown>
export type RawMethod<In = SeldonMessage> = (message: In) => MaybePromise<unknown>

export interface ModelComponent extends ComponentCommon {
  predict?: PredictMethod
  predictRaw?: RawMethod
  predict_raw?: RawMethod
  sendFeedback?: SendFeedbackMethod
  send_feedback?: SendFeedbackMethod
  sendFeedbackRaw?: RawMethod<Feedback>
  send_feedback_raw?: RawMethod<Feedback>
}

export interface TransformerComponent extends ComponentCommon {
  transformInput?: PredictMethod
  transform_input?: PredictMethod
  transformInputRaw?: RawMethod
  transform_input_raw?: RawMethod
}

export interface OutputTransformerComponent extends ComponentCommon {
  transformOutput?: PredictMethod
  transform_output?: PredictMethod
  transformOutputRaw?: RawMethod
  transform_output_raw?: RawMethod
}

export interface RouterComponent extends ComponentCommon {
  route?: RouteMethod
  routeRaw?: RawMethod
  route_raw?: RawMethod
  sendFeedback?: SendFeedbackMethod
  send_feedback?: SendFeedbackMethod
  sendFeedbackRaw?: RawMethod<Feedback>
  send_feedback_raw?: RawMethod<Feedback>
}

export interface CombinerComponent extends ComponentCommon {
  aggregate?: AggregateMethod
  aggregateRaw?: RawMethod<SeldonMessageList | SeldonMessage[]>
  aggregate_raw?: RawMethod<SeldonMessageList | SeldonMessage[]>
}

/** Any component: a class instance with any subset of the methods above. */
export interface SeldonComponent extends
  ModelComponent, TransformerComponent, OutputTransformerComponent, RouterComponent, CombinerComponent {}

/** Requires at least one spelling of a method: how the plugins make a missing method a type error. */
type OneOf<T, K extends keyof T> = { [P in K]-?: Required<Pick<T, P>> & Partial<Omit<T, P>> }[K]

export type Model = OneOf<ModelComponent, 'predict' | 'predictRaw' | 'predict_raw'>
export type Router = OneOf<RouterComponent, 'route' | 'routeRaw' | 'route_raw'>
export type Combiner = OneOf<CombinerComponent, 'aggregate' | 'aggregateRaw' | 'aggregate_raw'>
export type InputTransformer = OneOf<TransformerComponent, 'transformInput' | 'transform_input' | 'transformInputRaw' | 'transform_input_raw'>
export type OutputTransformer = OneOf<OutputTransformerComponent, 'transformOutput' | 'transform_output' | 'transformOutputRaw' | 'transform_output_raw'>
