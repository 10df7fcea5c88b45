/**
 * The options every Seldon plugin takes, their defaults (the reference's environment contract,
 * overridden by explicit options), and the checks run at registration: a bad option or a component
 * lacking the method its kind needs fails `app.register(...)` with a coded error, never a request.
 */
import createError from '@fastify/error'
import type { ErrorHandlerEntry, MetricsRecorder, RuntimeOptions } from '@fastify-seldon/core'

/** A component that is not an object, or lacks the method its kind needs. */
export const InvalidComponentError = createError<[string]>('SELDON_ERR_INVALID_COMPONENT', '%s', 500, TypeError)
/** An option of the wrong type. */
export const InvalidOptionError = createError<[string]>('SELDON_ERR_INVALID_OPTION', '%s', 500, TypeError)

/** Options shared by every Seldon plugin (the kind plugins add `component`). */
export interface SeldonPluginOptions {
  /** PREDICTIVE_UNIT_ID: the `requestPath` key of responses and the feedback routing key. */
  unitId?: string
  /** PREDICTIVE_UNIT_IMAGE: the `requestPath` value and the metadata name/version defaults. */
  unitImage?: string
  /** INCLUDE_METRICS_IN_CLIENT_RESPONSE (default true): custom metrics shown in `meta.metrics`. */
  includeMetricsInResponse?: boolean
  /** SELDON_EXECUTOR_ENABLED (default true): false turns the feedback reward counters off. */
  executorEnabled?: boolean
  /** MODEL_METADATA: YAML/JSON merged over the component's initMetadata(). */
  modelMetadata?: string
  /** Where custom metrics go (the metrics plugin provides one). */
  metrics?: MetricsRecorder
  /**
   * PAYLOAD_PASSTHROUGH (default from the env, `1`/`true`/`t`): the predict routes hand the raw
   * body text to `predictRaw` and write its result back as is.
   */
  payloadPassthrough?: boolean
  /** Start load() when the app is ready without waiting: /health/status answers 503 until it ends. */
  loadInBackground?: boolean
  /** Serve /health/ping, /health/status, /metadata, /seldon.json under this prefix (default true). */
  health?: boolean
  /** CORS like flask-cors defaults (seldonComponent: on; the single-kind plugins: off). */
  cors?: boolean
  /** Answer unknown paths under the prefix with the Seldon envelope (default true). */
  notFound?: boolean
  /** Where the defaults come from (default `process.env`). */
  env?: NodeJS.ProcessEnv
}

/** What mountSeldon needs once the defaults are applied. */
export interface ResolvedOptions {
  runtime: RuntimeOptions
  payloadPassthrough: boolean
  loadInBackground: boolean
  health: boolean
  cors: boolean
  notFound: boolean
}

/** The reference's bool parsing (`getenv_as_bool`): true iff `1`, `true` or `t`, any case. */
export function envBool (value: string | undefined): boolean {
  if (value === undefined) return false
  const v = value.toLowerCase()
  return v === '1' || v === 'true' || v === 't'
}

const BOOLEAN_OPTIONS = ['includeMetricsInResponse', 'executorEnabled', 'payloadPassthrough', 'loadInBackground', 'health', 'cors', 'notFound'] as const
const STRING_OPTIONS = ['unitId', 'unitImage', 'modelMetadata'] as const

/** Type checks on the shared options, at registration. */
export function validatePluginOptions (opts: SeldonPluginOptions): void {
  for (const key of BOOLEAN_OPTIONS) {
    const value = opts[key]
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidOptionError(`option ${key} must be a boolean`)
  }
  for (const key of STRING_OPTIONS) {
    const value = opts[key]
    if (value !== undefined && typeof value !== 'string') throw new InvalidOptionError(`option ${key} must be a string`)
  }
  const metrics = opts.metrics
  if (metrics !== undefined && (metrics === null || typeof metrics.record !== 'function' || typeof metrics.feedback !== 'function')) {
    throw new InvalidOptionError('option metrics must be a recorder with record() and feedback() methods')
  }
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object')) {
    throw new InvalidOptionError('option env must be an object of environment variables')
  }
}

/** Defaults from the env, explicit options winning. `corsDefault` differs per plugin. */
export function resolveOptions (opts: SeldonPluginOptions, corsDefault: boolean, runtimeFromEnv: RuntimeOptions): ResolvedOptions {
  const env = opts.env ?? process.env
  const runtime: RuntimeOptions = { ...runtimeFromEnv }
  if (opts.unitId !== undefined) runtime.unitId = opts.unitId
  if (opts.unitImage !== undefined) runtime.unitImage = opts.unitImage
  if (opts.includeMetricsInResponse !== undefined) runtime.includeMetricsInResponse = opts.includeMetricsInResponse
  if (opts.executorEnabled !== undefined) runtime.executorEnabled = opts.executorEnabled
  if (opts.modelMetadata !== undefined) runtime.modelMetadata = opts.modelMetadata
  if (opts.metrics !== undefined) runtime.metrics = opts.metrics
  return {
    runtime,
    payloadPassthrough: opts.payloadPassthrough ?? envBool(env.PAYLOAD_PASSTHROUGH),
    loadInBackground: opts.loadInBackground ?? false,
    health: opts.health ?? true,
    cors: opts.cors ?? corsDefault,
    notFound: opts.notFound ?? true
  }
}

/** The component must be an object (an instance of the user's class). */
export function assertComponent (component: unknown): asserts component is object {
  if (component === null || typeof component !== 'object') {
    throw new InvalidComponentError('option component must be an object (an instance of your class)')
  }
}

/**
 * The kind's method must exist under one of its spellings, e.g.
 * `requireMethod(c, 'router', 'route', ['route', 'routeRaw', 'route_raw'])`.
 */
export function requireMethod (component: unknown, kind: string, method: string, spellings: readonly string[]): void {
  assertComponent(component)
  const obj = component as Record<string, unknown>
  if (!spellings.some(name => typeof obj[name] === 'function')) {
    throw new InvalidComponentError(`a ${kind} component needs a ${method}() method (or ${spellings.filter(s => s !== method).join(' / ')})`)
  }
}

/** The component's own error handlers (`errorHandlers`, or the Python spelling), checked once. */
export function componentErrorHandlers (component: object): ErrorHandlerEntry[] {
  const obj = component as { errorHandlers?: unknown, model_error_handlers?: unknown }
  const entries: ErrorHandlerEntry[] = []
  for (const [name, list] of [['errorHandlers', obj.errorHandlers], ['model_error_handlers', obj.model_error_handlers]] as const) {
    if (list === undefined) continue
    entries.push(...validateErrorHandlers(list, `component.${name}`))
  }
  return entries
}

/** A list of `{ error: Class, handle(err) }` entries, else InvalidOptionError naming `where`. */
export function validateErrorHandlers (list: unknown, where: string): ErrorHandlerEntry[] {
  if (!Array.isArray(list)) throw new InvalidOptionError(`${where} must be an array of { error, handle } entries`)
  list.forEach((entry: unknown, i) => {
    const e = entry as Partial<ErrorHandlerEntry> | null
    if (e === null || typeof e !== 'object' || typeof e.error !== 'function' || typeof e.handle !== 'function') {
      throw new InvalidOptionError(`${where}[${i}] must be { error: ErrorClass, handle (err) { return { statusCode, body } } }`)
    }
  })
  return list as ErrorHandlerEntry[]
}
