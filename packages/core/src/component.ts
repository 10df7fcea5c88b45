/**
 * The component API: what a user writes. Every method is optional except the one a kind needs
 * (`predict` for a model, `route` for a router...), may be sync or async, and may be spelled the
 * Python way (`transform_input`, `class_names`, `predict_raw`...), so a class ported from Python
 * keeps working.
 */
import type {
  AnyMessage, Feedback, JsonValue, Meta, Metric, NDArray, SeldonMessage, SeldonMessageList
} from '@fastify-seldon/protocol'

type MaybePromise<T> = T | Promise<T>

/**
 * What a user method receives as `X`, by the request's payload: an {@link NDArray} for `data`
 * (ndarray, tensor or tftensor), a Buffer for `binData`, the string of `strData`, the value of
 * `jsonData` (a JSON value: 64-bit integers beyond 2^53 arrive as bigint), or, over gRPC only, the
 * `customData` Any as `{ typeUrl, value }`. A method may declare the narrower type it expects
 * (`predict (X: NDArray)`): the kind interfaces declare methods, which TypeScript checks bivariantly.
 */
export type Payload = NDArray | Buffer | Uint8Array | string | JsonValue | AnyMessage

/** @deprecated the same as {@link Payload}. */
export type Features = Payload

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

/** A list of class names, or a method returning one (the `names` of a model's output). */
export type ClassNames = readonly string[] | (() => MaybePromise<readonly string[]>)

export interface ComponentCommon {
  /** Called once before the component serves, in every worker. */
  load?(): MaybePromise<void>
  /** The output's column names: a list, or a method returning one. */
  classNames?: ClassNames
  tags?(): MaybePromise<Record<string, JsonValue>>
  /** Custom metrics after each call (COUNTER, GAUGE, TIMER). */
  metrics?(): MaybePromise<Metric[]>
  healthStatus?(): MaybePromise<unknown>
  healthStatusRaw?(): MaybePromise<unknown>
  initMetadata?(): MaybePromise<Record<string, unknown>>
  /** Handlers for the component's own error classes (the Python guide's `model_error_handler`, seldon-core v1.18.2 doc/source/python/python_component.md). */
  errorHandlers?: ErrorHandlerEntry[]
  /** Python spellings. */
  class_names?: ClassNames
  health_status?(): MaybePromise<unknown>
  health_status_raw?(): MaybePromise<unknown>
  init_metadata?(): MaybePromise<Record<string, unknown>>
  model_error_handlers?: ErrorHandlerEntry[]
}

// The user methods are declared as methods (not function-typed properties) so that a class may
// declare a narrower parameter (`predict (X: NDArray)`) and still implement the interface.

/** The feedback methods of models and routers. */
export interface FeedbackMethods {
  sendFeedback?(features: Payload, names: string[], reward: number, truth: Payload, routing?: number): MaybePromise<unknown>
  send_feedback?(features: Payload, names: string[], reward: number, truth: Payload, routing?: number): MaybePromise<unknown>
  sendFeedbackRaw?(feedback: Feedback): MaybePromise<unknown>
  send_feedback_raw?(feedback: Feedback): MaybePromise<unknown>
}

/** Every method a model may have (all optional); a model needs one of the predict spellings. */
export interface ModelComponent extends ComponentCommon, FeedbackMethods {
  predict?(X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
  predictRaw?(message: SeldonMessage): MaybePromise<unknown>
  predict_raw?(message: SeldonMessage): MaybePromise<unknown>
}

export interface TransformerComponent extends ComponentCommon {
  transformInput?(X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
  transform_input?(X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
  transformInputRaw?(message: SeldonMessage): MaybePromise<unknown>
  transform_input_raw?(message: SeldonMessage): MaybePromise<unknown>
}

export interface OutputTransformerComponent extends ComponentCommon {
  transformOutput?(X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
  transform_output?(X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
  transformOutputRaw?(message: SeldonMessage): MaybePromise<unknown>
  transform_output_raw?(message: SeldonMessage): MaybePromise<unknown>
}

export interface RouterComponent extends ComponentCommon, FeedbackMethods {
  /** The index of the child to send the request to (0-based; -1: every child, as the executor reads it). */
  route?(X: Payload, names: string[], meta?: Meta): MaybePromise<number | boolean>
  routeRaw?(message: SeldonMessage): MaybePromise<unknown>
  route_raw?(message: SeldonMessage): MaybePromise<unknown>
}

export interface CombinerComponent extends ComponentCommon {
  aggregate?(featuresList: Payload[], namesList: string[][]): MaybePromise<unknown>
  aggregateRaw?(messages: SeldonMessageList | SeldonMessage[]): MaybePromise<unknown>
  aggregate_raw?(messages: SeldonMessageList | SeldonMessage[]): MaybePromise<unknown>
}

/** Any component: a class instance with any subset of the methods above. */
export interface SeldonComponent extends
  ModelComponent, TransformerComponent, OutputTransformerComponent, RouterComponent, CombinerComponent {}

// ── The kinds, to implement: `class Iris implements Model { predict (X: NDArray) {...} }` ──────
// Each requires its method, so a class without it is a compile error naming the method.

/** A MODEL: `predict(X, names, meta)`. */
export interface Model extends ModelComponent {
  predict (X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
}
/** A MODEL answering from the whole message: `predictRaw(message)`. */
export interface RawModel extends ModelComponent {
  predictRaw (message: SeldonMessage): MaybePromise<unknown>
}
/** A ROUTER: `route(X, names, meta)` returns the child's index. */
export interface Router extends RouterComponent {
  route (X: Payload, names: string[], meta?: Meta): MaybePromise<number | boolean>
}
/** A ROUTER deciding from the whole message: `routeRaw(message)`. */
export interface RawRouter extends RouterComponent {
  routeRaw (message: SeldonMessage): MaybePromise<unknown>
}
/** A COMBINER: `aggregate(featuresList, namesList)`, one entry per child. */
export interface Combiner extends CombinerComponent {
  aggregate (featuresList: Payload[], namesList: string[][]): MaybePromise<unknown>
}
/** A COMBINER of the whole messages: `aggregateRaw(messages)`. */
export interface RawCombiner extends CombinerComponent {
  aggregateRaw (messages: SeldonMessageList | SeldonMessage[]): MaybePromise<unknown>
}
/** An input TRANSFORMER: `transformInput(X, names, meta)`. */
export interface InputTransformer extends TransformerComponent {
  transformInput (X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
}
/** An input TRANSFORMER of the whole message: `transformInputRaw(message)`. */
export interface RawInputTransformer extends TransformerComponent {
  transformInputRaw (message: SeldonMessage): MaybePromise<unknown>
}
/** An OUTPUT_TRANSFORMER: `transformOutput(X, names, meta)`. */
export interface OutputTransformer extends OutputTransformerComponent {
  transformOutput (X: Payload, names: string[], meta?: Meta): MaybePromise<unknown>
}
/** An OUTPUT_TRANSFORMER of the whole message: `transformOutputRaw(message)`. */
export interface RawOutputTransformer extends OutputTransformerComponent {
  transformOutputRaw (message: SeldonMessage): MaybePromise<unknown>
}

// ── What the plugins accept: any one spelling of the kind's method (camelCase, raw, Python) ────

/** Requires at least one spelling of a method: how the plugins make a missing method a type error. */
type OneOf<T, K extends keyof T> = { [P in K]-?: Required<Pick<T, P>> & Omit<T, P> }[K]

/** What `seldonModel` takes: `predict`, `predictRaw` or `predict_raw`. */
export type ModelLike = OneOf<ModelComponent, 'predict' | 'predictRaw' | 'predict_raw'>
/** What `seldonRouter` takes: `route`, `routeRaw` or `route_raw`. */
export type RouterLike = OneOf<RouterComponent, 'route' | 'routeRaw' | 'route_raw'>
/** What `seldonCombiner` takes: `aggregate`, `aggregateRaw` or `aggregate_raw`. */
export type CombinerLike = OneOf<CombinerComponent, 'aggregate' | 'aggregateRaw' | 'aggregate_raw'>
/** What `seldonInputTransformer` takes: `transformInput`, `transform_input` or a raw spelling. */
export type InputTransformerLike = OneOf<TransformerComponent, 'transformInput' | 'transform_input' | 'transformInputRaw' | 'transform_input_raw'>
/** What `seldonOutputTransformer` takes: `transformOutput`, `transform_output` or a raw spelling. */
export type OutputTransformerLike = OneOf<OutputTransformerComponent, 'transformOutput' | 'transform_output' | 'transformOutputRaw' | 'transform_output_raw'>
