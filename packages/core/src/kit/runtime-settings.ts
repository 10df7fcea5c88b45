/**
 * The options of every Seldon plugin (REST and gRPC alike) that configure the component's runtime,
 * checked once at registration and turned into core's RuntimeOptions. Defaults are the runtime's
 * own (RuntimeOptions); nothing is read from the environment here (see env.ts for the helper that
 * maps the environment contract onto these options).
 */
import type { MetricsRecorder } from '../custom-metrics.js'
import type { BatchingOptions } from '../batch/batcher.js'
import type { RuntimeOptions } from '../runtime.js'
import { isTracingHooks, type TracingHooks } from '../tracing-contract.js'
import { InvalidOptionError } from './errors.js'

/** The plugin options that configure the component's runtime. */
export interface RuntimeSettings {
  /** PREDICTIVE_UNIT_ID in the CLI: the `requestPath` key of responses and the feedback routing key. */
  unitId?: string | undefined
  /** PREDICTIVE_UNIT_IMAGE in the CLI: the `requestPath` value and the metadata name/version defaults. */
  unitImage?: string | undefined
  /** INCLUDE_METRICS_IN_CLIENT_RESPONSE in the CLI (default true): custom metrics shown in `meta.metrics`. */
  includeMetricsInResponse?: boolean | undefined
  /** SELDON_EXECUTOR_ENABLED in the CLI (default true): false turns the feedback reward counters off. */
  executorEnabled?: boolean | undefined
  /** MODEL_METADATA in the CLI: YAML/JSON merged over the component's initMetadata(). */
  modelMetadata?: string | undefined
  /** Where custom metrics go (the metrics plugin provides one). */
  metrics?: MetricsRecorder | undefined
  /**
   * Tracing hooks (`--tracing` in the CLI): `startTracing().hooks` or `tracingHooksFromGlobal()` of
   * @fastify-seldon/tracing. Absent (the default): no tracing code runs at all (docs/tracing.md).
   */
  tracing?: TracingHooks | undefined
  /**
   * Inference threads (`--inference-threads` in the CLI; default 0: on the event loop). N > 0 runs
   * the component in N worker threads, each with its own instance built from `component` given as
   * `{ module, export?, parameters? }`; one pool per component, shared by REST and gRPC.
   */
  threads?: number | undefined
  /** Node options of the inference threads (default `process.execArgv`), e.g. `['--import', 'tsx']` for a TypeScript module. */
  threadExecArgv?: string[] | undefined
  /**
   * Adaptive batching of predict (`--max-batch-size`, `--max-batch-time` in the CLI): on when
   * maxBatchSize ≥ 2; maxBatchTimeMs (default 10) is how long a batch's first request waits for
   * others. One queue per component, shared by REST and gRPC, with or without threads
   * (docs/inference-pool.md, "Adaptive batching").
   */
  batching?: BatchingOptions | undefined
}

const BOOLEAN_SETTINGS = ['includeMetricsInResponse', 'executorEnabled'] as const
const STRING_SETTINGS = ['unitId', 'unitImage', 'modelMetadata'] as const

/** Type checks on the runtime settings, at registration; InvalidOptionError names the option. */
export function validateRuntimeSettings (opts: RuntimeSettings & { env?: unknown }): void {
  checkTypes(opts, BOOLEAN_SETTINGS, 'boolean')
  checkTypes(opts, STRING_SETTINGS, 'string')
  const metrics = opts.metrics
  if (metrics !== undefined && (metrics === null || typeof metrics.record !== 'function' || typeof metrics.feedback !== 'function')) {
    throw new InvalidOptionError('option metrics must be a recorder with record() and feedback() methods')
  }
  if (opts.tracing !== undefined && !isTracingHooks(opts.tracing)) {
    throw new InvalidOptionError('option tracing must be the hooks of @fastify-seldon/tracing (startTracing().hooks or tracingHooksFromGlobal())')
  }
  const threads = opts.threads
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0 || threads > 1024)) {
    throw new InvalidOptionError('option threads must be an integer from 0 to 1024')
  }
  checkBatching(opts.batching)
  const execArgv = opts.threadExecArgv
  if (execArgv !== undefined && (!Array.isArray(execArgv) || !execArgv.every(a => typeof a === 'string'))) {
    throw new InvalidOptionError('option threadExecArgv must be an array of strings')
  }
  if (opts.env !== undefined) {
    throw new InvalidOptionError('option env is not read: a plugin takes options only; spread optionsFromEnv(env) of @fastify-seldon/core into the options for the environment contract')
  }
}

function checkBatching (batching: unknown): void {
  if (batching === undefined) return
  const { maxBatchSize: size, maxBatchTimeMs: time } = (batching ?? {}) as Partial<BatchingOptions>
  const sizeOk = typeof size === 'number' && Number.isInteger(size) && size >= 0 && size <= 65_536
  const timeOk = time === undefined || (typeof time === 'number' && Number.isFinite(time) && time >= 0 && time <= 60_000)
  if (batching === null || typeof batching !== 'object' || !sizeOk || !timeOk) {
    throw new InvalidOptionError('option batching must be { maxBatchSize: an integer from 0 to 65536 (on from 2), maxBatchTimeMs?: ms from 0 to 60000 }')
  }
}

/** Each option of `keys` present in `opts` has the type `type`, else InvalidOptionError. */
export function checkTypes<T extends object> (opts: T, keys: ReadonlyArray<keyof T & string>, type: 'boolean' | 'string'): void {
  for (const key of keys) {
    const value = opts[key]
    // eslint-disable-next-line valid-typeof -- `type` is 'boolean' or 'string', typed so
    if (value !== undefined && typeof value !== type) throw new InvalidOptionError(`option ${key} must be a ${type}`)
  }
}

/** The runtime options the settings give (absent settings keep the runtime's defaults). */
export function runtimeOptionsFrom (settings: RuntimeSettings): RuntimeOptions {
  const runtime: RuntimeOptions = {}
  if (settings.unitId !== undefined) runtime.unitId = settings.unitId
  if (settings.unitImage !== undefined) runtime.unitImage = settings.unitImage
  if (settings.includeMetricsInResponse !== undefined) runtime.includeMetricsInResponse = settings.includeMetricsInResponse
  if (settings.executorEnabled !== undefined) runtime.executorEnabled = settings.executorEnabled
  if (settings.modelMetadata !== undefined) runtime.modelMetadata = settings.modelMetadata
  if (settings.metrics !== undefined) runtime.metrics = settings.metrics
  if (settings.tracing !== undefined) runtime.tracing = settings.tracing
  if (settings.threads !== undefined) runtime.threads = settings.threads
  if (settings.threadExecArgv !== undefined) runtime.threadExecArgv = settings.threadExecArgv
  if (settings.batching !== undefined) runtime.batching = settings.batching
  return runtime
}
