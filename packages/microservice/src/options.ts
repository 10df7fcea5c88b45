/**
 * The command line and environment contract of `seldon-microservice`, as a pure function:
 * (argv, env) → a validated config, or a thrown {@link UsageError} / BadParameterError. No I/O,
 * no process access, so every rule here is unit-tested.
 *
 * Precedence: a flag beats its environment variable, which beats the default — except the log
 * level, where `SELDON_LOG_LEVEL` overrides `--log-level` as in seldon-core v1.18.2 python/seldon_core/microservice.py.
 */
import { parseArgs } from 'node:util'
import { SERVICE_TYPES, type ServiceType } from '@fastify-seldon/core'
import { parseTracingSwitch } from '@fastify-seldon/tracing/switch'
import { GRAPH_OPTIONS, parseGraphConfig, type GraphConfig } from './graph-options.js'
import { PARAMETER_TYPES, parseParameters } from './parameters.js'

export { SERVICE_TYPES, type ServiceType }
export { PARAMETER_TYPES, parseParameters }

/** pino level names, mapped from the wrapper's Python level names. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const LOG_LEVELS: Record<string, LogLevel> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error' }

export interface MicroserviceConfig {
  /** The component module as given: a path (`./model.ts`) or a Seldon-style bare name (`MyModel`). */
  module: string
  /** The export holding the component; default: the export named like the file, else `default`. */
  exportName: string | undefined
  serviceType: ServiceType
  host: string
  httpPort: number
  grpcPort: number
  metricsPort: number
  metricsEndpoint: string
  /** `--grpc-workers 0` turns gRPC off (the wrapper's rule); any other value keeps it on. */
  grpcEnabled: boolean
  /** The constructor argument built from PREDICTIVE_UNIT_PARAMETERS. */
  parameters: Record<string, unknown>
  logLevel: LogLevel
  workers: number
  gracePeriodMs: number
  /** @fastify/under-pressure thresholds; 0 turns one off. */
  maxEventLoopDelay: number
  maxHeapUsedBytes: number
  maxRssBytes: number
  bodyLimit: number
  /** Per-request time limit in ms; 0 = none. */
  requestTimeout: number
  /** Dispatching requests a worker works on at once (0 = no limit) and how many may wait for one. */
  maxConcurrentRequests: number
  maxQueuedRequests: number
  /** Open REST connections per worker; 0 = no limit. */
  maxConnections: number
  /** Time a request body may take to arrive, in ms; 0 = none. */
  bodyTimeout: number
  /** Largest gRPC message received or sent, in bytes. */
  grpcMaxMessageSize: number
  /** HTTP/2 receive window of the gRPC server, in bytes; 0 keeps HTTP/2's 65,535 (seldonGrpc's `receiveWindow`). */
  grpcReceiveWindow: number
  /** `--tracing` / TRACING: OpenTelemetry tracing in every worker (docs/tracing.md). */
  tracing: boolean
  /** Series one custom metric name may have. */
  maxMetricSeries: number
  /** Inference threads per worker (0: the component runs on the event loop). */
  inferenceThreads: number
  /** Adaptive batching: the most predict requests stacked into one call (0 or 1: off). */
  maxBatchSize: number
  /** Adaptive batching: ms the first request of a batch waits for others. */
  maxBatchTimeMs: number
  /** Flags accepted for compatibility with the wrapper that have no effect here. */
  ignored: string[]
  /** A graph to serve instead of one component (`--graph`, or ENGINE_PREDICTOR); `module` is then ''. */
  graph?: GraphConfig | undefined
}

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run', config: MicroserviceConfig }

/** A command-line mistake; `exitCode` follows seldon-core v1.18.2 python/seldon_core/microservice.py (255 for unknown args, argparse's 2 otherwise). */
export class UsageError extends Error {
  readonly exitCode: number
  constructor (message: string, exitCode = 2) {
    super(message)
    this.name = 'UsageError'
    this.exitCode = exitCode
  }
}

export const DEFAULTS = {
  serviceType: 'MODEL' as ServiceType,
  host: '0.0.0.0',
  httpPort: 9000,
  grpcPort: 5000,
  metricsPort: 6000,
  metricsEndpoint: '/metrics',
  logLevel: 'INFO',
  workers: 1,
  gracePeriodSeconds: 25,
  grpcWorkers: 1,
  maxEventLoopDelay: 1000,
  maxHeapUsedBytes: 0,
  maxRssBytes: 0,
  bodyLimit: 10 * 1024 * 1024,
  requestTimeout: 0,
  maxConcurrentRequests: 32,
  maxQueuedRequests: 128,
  maxConnections: 1024,
  bodyTimeout: 30_000,
  maxMetricSeries: 1000,
  // seldonGrpc's defaults, written here because the primary (and --help) never load the gRPC
  // package; test/options.test.ts checks that they agree. Why 1 MiB: DEFAULT_RECEIVE_WINDOW.
  grpcMaxMessageSize: 4 * 1024 * 1024,
  grpcReceiveWindow: 1024 * 1024,
  inferenceThreads: 0,
  maxBatchSize: 0,
  maxBatchTimeMs: 10
}

/** Each option: its flag, its environment variable(s) (first set wins), and the help line. */
const OPTIONS = {
  'service-type': { type: 'string', env: ['SERVICE_TYPE'], help: `MODEL | ROUTER | TRANSFORMER | OUTPUT_TRANSFORMER | COMBINER | OUTLIER_DETECTOR (default ${DEFAULTS.serviceType})` },
  export: { type: 'string', env: [], help: 'the export holding the component (default: the export named like the file, else the default export)' },
  'http-port': { type: 'string', env: ['PREDICTIVE_UNIT_HTTP_SERVICE_PORT'], help: `REST port (default ${DEFAULTS.httpPort})` },
  'grpc-port': { type: 'string', env: ['PREDICTIVE_UNIT_GRPC_SERVICE_PORT'], help: `gRPC port (default ${DEFAULTS.grpcPort})` },
  'metrics-port': { type: 'string', env: ['PREDICTIVE_UNIT_METRICS_SERVICE_PORT'], help: `Prometheus port (default ${DEFAULTS.metricsPort})` },
  'metrics-endpoint': { type: 'string', env: ['PREDICTIVE_UNIT_METRICS_ENDPOINT'], help: `Prometheus path (default ${DEFAULTS.metricsEndpoint})` },
  parameters: { type: 'string', env: ['PREDICTIVE_UNIT_PARAMETERS'], help: 'JSON list of {"name","value","type"} given to the constructor (default [])' },
  'log-level': { type: 'string', env: ['SELDON_LOG_LEVEL'], help: `DEBUG | INFO | WARNING | ERROR (default ${DEFAULTS.logLevel}; SELDON_LOG_LEVEL overrides the flag)` },
  workers: { type: 'string', env: ['SELDON_WORKERS', 'GUNICORN_WORKERS'], help: `worker processes (default ${DEFAULTS.workers})` },
  'grace-period': { type: 'string', env: ['SELDON_GRACE_PERIOD_SECONDS'], help: `seconds to drain in-flight requests on SIGTERM (default ${DEFAULTS.gracePeriodSeconds})` },
  'grpc-workers': { type: 'string', env: ['GRPC_WORKERS'], help: '0 disables gRPC (default 1; gRPC runs in every worker)' },
  host: { type: 'string', env: [], help: `address to bind (default ${DEFAULTS.host})` },
  'max-event-loop-delay': { type: 'string', env: [], help: `ms of event-loop delay before answering 503 (default ${DEFAULTS.maxEventLoopDelay}; 0 = off)` },
  'max-heap-used-bytes': { type: 'string', env: [], help: 'heap bytes before answering 503 (default 0 = off)' },
  'max-rss-bytes': { type: 'string', env: [], help: 'RSS bytes before answering 503 (default 0 = off)' },
  'body-limit': { type: 'string', env: [], help: `largest request body in bytes (default ${DEFAULTS.bodyLimit})` },
  'request-timeout': { type: 'string', env: [], help: 'ms a request may take before 504 (default 0 = off)' },
  'max-concurrent-requests': { type: 'string', env: ['SELDON_MAX_CONCURRENT_REQUESTS'], help: `requests a worker works on at once; more wait (default ${DEFAULTS.maxConcurrentRequests}; 0 = no limit)` },
  'max-queued-requests': { type: 'string', env: ['SELDON_MAX_QUEUED_REQUESTS'], help: `requests that may wait, bodies unread, before 503 (default ${DEFAULTS.maxQueuedRequests})` },
  'max-connections': { type: 'string', env: ['SELDON_MAX_CONNECTIONS'], help: `open REST connections per worker before 503 (default ${DEFAULTS.maxConnections}; 0 = no limit)` },
  'body-timeout': { type: 'string', env: ['SELDON_BODY_TIMEOUT'], help: `ms a request body may take to arrive before 408 (default ${DEFAULTS.bodyTimeout}; 0 = off)` },
  'inference-threads': { type: 'string', env: ['SELDON_INFERENCE_THREADS'], help: 'threads per worker running the component, each with its own instance and load(); health and metrics stay on the event loop (default 0 = the component runs on the event loop)' },
  'max-batch-size': { type: 'string', env: ['SELDON_MAX_BATCH_SIZE', 'MLSERVER_MODEL_MAX_BATCH_SIZE'], help: 'adaptive batching: the most concurrent predict requests stacked into one predict call (default 0 = off; on from 2)' },
  'max-batch-time': { type: 'string', env: ['SELDON_MAX_BATCH_TIME'], help: `adaptive batching: ms the first request of a batch waits for others (default ${DEFAULTS.maxBatchTimeMs}; MLSERVER_MODEL_MAX_BATCH_TIME is read too, in seconds as MLServer reads it)` },
  'grpc-max-message-size': { type: 'string', env: ['SELDON_GRPC_MAX_MESSAGE_SIZE'], help: `largest gRPC message received or sent, bytes (default ${DEFAULTS.grpcMaxMessageSize})` },
  'grpc-receive-window': { type: 'string', env: ['SELDON_GRPC_RECEIVE_WINDOW'], help: `HTTP/2 receive window of the gRPC server, per stream and per connection, bytes: large requests arrive in fewer round trips (default ${DEFAULTS.grpcReceiveWindow}; 0 = HTTP/2's 65535)` },
  'max-metric-series': { type: 'string', env: ['SELDON_MAX_METRIC_SERIES'], help: `label sets one custom metric may have; more are dropped and counted (default ${DEFAULTS.maxMetricSeries})` },
  tracing: { type: 'boolean', env: ['TRACING'], help: 'trace requests with OpenTelemetry, OTLP export (any non-zero integer or true; OTEL_*, JAEGER_* read: docs/tracing.md)' },
  ...GRAPH_OPTIONS,
  help: { type: 'boolean', short: 'h', env: [], help: 'print this help' },
  version: { type: 'boolean', env: [], help: 'print the version' },
  // Accepted for compatibility with seldon-core-microservice; no effect here.
  persistence: { type: 'string', env: [], help: '', compat: true },
  threads: { type: 'string', env: [], help: '', compat: true },
  'grpc-threads': { type: 'string', env: [], help: '', compat: true },
  'max-requests': { type: 'string', env: [], help: '', compat: true },
  'max-requests-jitter': { type: 'string', env: [], help: '', compat: true },
  keepalive: { type: 'string', env: [], help: '', compat: true },
  'single-threaded': { type: 'string', env: [], help: '', compat: true },
  pidfile: { type: 'string', env: [], help: '', compat: true },
  debug: { type: 'boolean', env: [], help: '', compat: true },
  'access-log': { type: 'boolean', env: [], help: '', compat: true }
} as const satisfies Record<string, { type: 'string' | 'boolean', env: readonly string[], help: string, short?: string, compat?: boolean, multiple?: boolean }>

type OptionName = keyof typeof OPTIONS

export const USAGE = [
  'Usage: seldon-microservice <module> [options]',
  '       seldon-microservice --graph <file.json|.yaml> [--component <node>=<module>[:export]]... [options]',
  '',
  '  <module>  a .js/.mjs/.cjs/.ts file (relative to the working directory) whose default export, or',
  '            the export named like the file, is a component class (constructed with the parameters',
  '            object) or instance; or a Seldon-style bare name `MyModel` → ./MyModel.{js,mjs,cjs,ts}.',
  '',
  'Options (environment variable in brackets):',
  ...Object.entries(OPTIONS)
    .filter(([, o]) => !('compat' in o))
    .map(([name, o]) => {
      const flag = `--${name}${o.type === 'string' ? ' <value>' : ''}${'multiple' in o ? '...' : ''}`
      const env = o.env.length > 0 ? ` [${o.env.join(' | ')}]` : ''
      return `  ${flag.padEnd(30)} ${o.help}${env}`
    }),
  '',
  'Also read: PREDICTIVE_UNIT_ID, PREDICTIVE_UNIT_IMAGE, SELDON_DEPLOYMENT_ID, PREDICTOR_ID, PREDICTOR_LABELS,',
  'MODEL_METADATA, INCLUDE_METRICS_IN_CLIENT_RESPONSE, PAYLOAD_PASSTHROUGH, SELDON_EXECUTOR_ENABLED,',
  'SELDON_OPENAPI (false: no /seldon.json), SELDON_DOCS (false: no Swagger UI at /docs).',
  'Without <module> and --graph, ENGINE_PREDICTOR (base64 PredictorSpec JSON, as the executor reads it) is served as a graph.',
  "With a graph: CORS_ALLOWED_ORIGINS (default *) and CORS_ALLOWED_HEADERS, the executor's CORS values.",
  'Accepted and ignored (compatibility with the wrapper): --persistence --threads --grpc-threads --max-requests',
  '--max-requests-jitter --keepalive --single-threaded --pidfile --debug --access-log.'
].join('\n')

/** Where a value came from, for error messages: the flag or the environment variable. */
interface Sourced { value: string, source: string }

function pick (flags: Flags, env: NodeJS.ProcessEnv, name: OptionName): Sourced | undefined {
  const flag = flags[name]
  if (typeof flag === 'string') return { value: flag, source: `--${name}` }
  for (const variable of OPTIONS[name].env) {
    const value = env[variable]
    if (value !== undefined && value !== '') return { value, source: variable }
  }
  return undefined
}

function integer (s: Sourced | undefined, fallback: number, min: number, max: number): number {
  if (s === undefined) return fallback
  const text = s.value.trim()
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${s.source} must be an integer from ${min} to ${max}, got ${JSON.stringify(s.value)}`)
  }
  return Number(text)
}

const port = (s: Sourced | undefined, fallback: number): number => integer(s, fallback, 0, 65535)

/** HTTP/2's own receive window (RFC 9113, SETTINGS_INITIAL_WINDOW_SIZE): a window below it is no window to set (seldonGrpc's HTTP2_DEFAULT_WINDOW). */
export const HTTP2_DEFAULT_WINDOW = 65_535

/** `--grpc-receive-window`: 0 (HTTP/2's default kept), or 65535 bytes up to HTTP/2's largest window. */
function receiveWindowOf (s: Sourced | undefined): number {
  const bytes = integer(s, DEFAULTS.grpcReceiveWindow, 0, 2 ** 31 - 1)
  if (bytes !== 0 && bytes < HTTP2_DEFAULT_WINDOW) {
    throw new UsageError(`${s?.source ?? 'grpc-receive-window'} must be 0 or from ${HTTP2_DEFAULT_WINDOW} to ${2 ** 31 - 1}, got ${bytes}`)
  }
  return bytes
}

/** The most a batch may wait (ms): a minute. */
const MAX_BATCH_TIME_MS = 60_000

/**
 * --max-batch-time / SELDON_MAX_BATCH_TIME in ms; else MLSERVER_MODEL_MAX_BATCH_TIME in seconds
 * (a decimal, as MLServer's model settings read it), so an MLServer deployment's variable means the same here.
 */
function batchTimeMs (ms: Sourced | undefined, env: NodeJS.ProcessEnv): number {
  if (ms !== undefined) return integer(ms, DEFAULTS.maxBatchTimeMs, 0, MAX_BATCH_TIME_MS)
  const seconds = env.MLSERVER_MODEL_MAX_BATCH_TIME?.trim()
  if (seconds === undefined || seconds === '') return DEFAULTS.maxBatchTimeMs
  const value = Number(seconds) * 1000
  if (!/^\d+(\.\d+)?$/.test(seconds) || value > MAX_BATCH_TIME_MS) {
    throw new UsageError(`MLSERVER_MODEL_MAX_BATCH_TIME must be seconds from 0 to ${MAX_BATCH_TIME_MS / 1000}, got ${JSON.stringify(seconds)}`)
  }
  return value
}

/**
 * `--tracing 0`: the wrapper's flag takes an optional integer (argparse `nargs='?'`, `const=1`),
 * so an integer right after it is its value, not a positional.
 */
function withTracingValue (argv: readonly string[]): string[] {
  const args = [...argv]
  const at = args.indexOf('--tracing')
  if (at !== -1 && /^[+-]?\d+$/.test(args[at + 1] ?? '')) args.splice(at, 2, `--tracing=${args[at + 1] as string}`)
  return args
}

/** Options as parseArgs gives them: a string, a boolean switch or, for `multiple`, a list. */
type Flags = Partial<Record<OptionName, string | boolean | string[]>>

/** Each option's value and where it came from, once flags and environment are merged. */
type Given = Partial<Record<OptionName, Sourced>>

/** Step 1: argv → flags and positionals. Unknown arguments and a flag without its value are usage errors. */
function parseArgv (argv: readonly string[]): { flags: Flags, positionals: string[] } {
  const parseOptions: Record<string, { type: 'string' | 'boolean', short?: string, multiple?: boolean }> = {}
  for (const [name, o] of Object.entries(OPTIONS)) {
    parseOptions[name] = { type: o.type, ...('short' in o ? { short: o.short } : {}), ...('multiple' in o ? { multiple: true } : {}) }
  }
  const { values, positionals, tokens } = parseArgs({
    args: withTracingValue(argv), options: parseOptions, strict: false, allowPositionals: true, tokens: true
  })
  const unknown: string[] = []
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    if (!Object.hasOwn(OPTIONS, token.name)) {
      unknown.push(token.value === undefined ? token.rawName : `${token.rawName}=${token.value}`)
      continue
    }
    const spec = OPTIONS[token.name as OptionName]
    if (spec.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value`)
  }
  unknown.push(...positionals.slice(1))
  if (unknown.length > 0) {
    throw new UsageError(`Unknown args ${JSON.stringify(unknown)}. Note this CLI does not take an API type (REST, GRPC): both are served. See --help.`, 255)
  }
  return { flags: values as Flags, positionals }
}

/**
 * Step 2: each option's value from its flag, else its environment variable (the first set of its
 * list). Two exceptions: SELDON_LOG_LEVEL overrides `--log-level` (seldon-core v1.18.2
 * python/seldon_core/microservice.py), and `--tracing` alone means on while TRACING counts even empty.
 */
function mergeEnv (flags: Flags, env: NodeJS.ProcessEnv): Given {
  const given: Given = {}
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const value = pick(flags, env, name)
    if (value !== undefined) given[name] = value
  }
  const level = env.SELDON_LOG_LEVEL
  if (level !== undefined && level !== '') given['log-level'] = { value: level, source: 'SELDON_LOG_LEVEL' }
  delete given.tracing
  const tracing = flags.tracing
  if (tracing !== undefined) given.tracing = { value: tracing === true ? '1' : String(tracing), source: '--tracing' }
  else if (env.TRACING !== undefined) given.tracing = { value: env.TRACING, source: 'TRACING' }
  return given
}

/** What to serve: the module (first positional) or a graph (--graph, ENGINE_PREDICTOR); one is required. */
function componentSource (flags: Flags, env: NodeJS.ProcessEnv, positionals: string[]): { module: string, graph: GraphConfig | undefined } {
  const graph = parseGraphConfig(flags, env, positionals[0], message => new UsageError(message))
  const module = graph === undefined ? positionals[0] : ''
  if (module === undefined || (module === '' && graph === undefined)) {
    throw new UsageError('the component module is required: seldon-microservice <module> [options] (or --graph <file>)')
  }
  return { module, graph }
}

// Step 3's readers: one value each, checked and put in the form the config holds.

function serviceTypeOf (given: Sourced | undefined): ServiceType {
  const serviceType = (given?.value.trim().toUpperCase() ?? DEFAULTS.serviceType) as ServiceType
  if (!SERVICE_TYPES.includes(serviceType)) {
    throw new UsageError(`${given?.source ?? '--service-type'} must be one of ${SERVICE_TYPES.join(', ')}, got ${JSON.stringify(given?.value)}`)
  }
  return serviceType
}

function logLevelOf (given: Sourced | undefined): LogLevel {
  const logLevel = LOG_LEVELS[(given?.value ?? DEFAULTS.logLevel).trim().toUpperCase()]
  if (logLevel === undefined) {
    throw new UsageError(`${given?.source ?? '--log-level'} must be one of DEBUG, INFO, WARNING, ERROR, got ${JSON.stringify(given?.value)}`)
  }
  return logLevel
}

function gracePeriodMsOf (given: Sourced | undefined): number {
  if (given === undefined) return DEFAULTS.gracePeriodSeconds * 1000
  const seconds = Number(given.value.trim())
  if (given.value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`${given.source} must be a number of seconds >= 0, got ${JSON.stringify(given.value)}`)
  }
  return Math.round(seconds * 1000)
}

function metricsEndpointOf (given: Sourced | undefined): string {
  const endpoint = given?.value.trim() ?? DEFAULTS.metricsEndpoint
  return endpoint.startsWith('/') ? endpoint : `/${endpoint}`
}

function exportNameOf (given: Sourced | undefined): string | undefined {
  if (given !== undefined && given.value.trim() === '') throw new UsageError('--export needs a name')
  return given?.value
}

function hostOf (given: Sourced | undefined): string {
  const host = given?.value.trim() ?? ''
  return host !== '' ? host : DEFAULTS.host
}

/** --tracing (alone: on; with a value, or TRACING: any non-zero integer or `true`), as the wrapper reads it. */
function tracingOf (given: Sourced | undefined): boolean {
  if (given === undefined) return false
  const on = parseTracingSwitch(given.value)
  if (on === undefined) throw new UsageError(`${given.source} must be an integer (0: off) or true/false, got ${JSON.stringify(given.value)}`)
  return on
}

/** Step 3: every value checked and normalised (defaults, units, ranges) into the config. */
function normalise (given: Given, flags: Flags, env: NodeJS.ProcessEnv, source: { module: string, graph: GraphConfig | undefined }): MicroserviceConfig {
  const int = (name: OptionName, fallback: number, min: number, max: number): number => integer(given[name], fallback, min, max)
  // The first mistake found is the one reported: these in this order, then the rest in field order.
  const serviceType = serviceTypeOf(given['service-type'])
  const logLevel = logLevelOf(given['log-level'])
  const gracePeriodMs = gracePeriodMsOf(given['grace-period'])
  const metricsEndpoint = metricsEndpointOf(given['metrics-endpoint'])
  const exportName = exportNameOf(given.export)
  return {
    module: source.module,
    exportName,
    serviceType,
    host: hostOf(given.host),
    httpPort: port(given['http-port'], DEFAULTS.httpPort),
    grpcPort: port(given['grpc-port'], DEFAULTS.grpcPort),
    metricsPort: port(given['metrics-port'], DEFAULTS.metricsPort),
    metricsEndpoint,
    grpcEnabled: int('grpc-workers', DEFAULTS.grpcWorkers, 0, 1024) > 0,
    parameters: parseParameters(given.parameters?.value ?? '[]'),
    logLevel,
    workers: int('workers', DEFAULTS.workers, 1, 1024),
    gracePeriodMs,
    maxEventLoopDelay: int('max-event-loop-delay', DEFAULTS.maxEventLoopDelay, 0, Number.MAX_SAFE_INTEGER),
    maxHeapUsedBytes: int('max-heap-used-bytes', DEFAULTS.maxHeapUsedBytes, 0, Number.MAX_SAFE_INTEGER),
    maxRssBytes: int('max-rss-bytes', DEFAULTS.maxRssBytes, 0, Number.MAX_SAFE_INTEGER),
    bodyLimit: int('body-limit', DEFAULTS.bodyLimit, 1, Number.MAX_SAFE_INTEGER),
    requestTimeout: int('request-timeout', DEFAULTS.requestTimeout, 0, 2 ** 31 - 1),
    maxConcurrentRequests: int('max-concurrent-requests', DEFAULTS.maxConcurrentRequests, 0, 1_000_000),
    maxQueuedRequests: int('max-queued-requests', DEFAULTS.maxQueuedRequests, 0, 1_000_000),
    maxConnections: int('max-connections', DEFAULTS.maxConnections, 0, 1_000_000),
    bodyTimeout: int('body-timeout', DEFAULTS.bodyTimeout, 0, 2 ** 31 - 1),
    grpcMaxMessageSize: int('grpc-max-message-size', DEFAULTS.grpcMaxMessageSize, 1, 2 ** 31 - 1),
    grpcReceiveWindow: receiveWindowOf(given['grpc-receive-window']),
    maxMetricSeries: int('max-metric-series', DEFAULTS.maxMetricSeries, 1, 1_000_000),
    tracing: tracingOf(given.tracing),
    inferenceThreads: int('inference-threads', DEFAULTS.inferenceThreads, 0, 1024),
    maxBatchSize: int('max-batch-size', DEFAULTS.maxBatchSize, 0, 65_536),
    maxBatchTimeMs: batchTimeMs(given['max-batch-time'], env),
    ignored: Object.keys(OPTIONS).filter(name => 'compat' in OPTIONS[name as OptionName] && flags[name as OptionName] !== undefined),
    graph: source.graph
  }
}

/** Step 4: the rules across options: no two servers on one port (0 picks a free one each). */
function validate (config: MicroserviceConfig): void {
  const ports: Array<[string, number]> = [['--http-port', config.httpPort], ['--metrics-port', config.metricsPort]]
  if (config.grpcEnabled) ports.push(['--grpc-port', config.grpcPort])
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      const [a, pa] = ports[i] as [string, number]
      const [b, pb] = ports[j] as [string, number]
      if (pa !== 0 && pa === pb) throw new UsageError(`${a} and ${b} are both ${pa}: each port serves one thing`)
    }
  }
}

/** Parse argv (without the node and script entries) and the environment. */
export function parseCommand (argv: readonly string[], env: NodeJS.ProcessEnv = {}): ParsedCommand {
  const { flags, positionals } = parseArgv(argv)
  if (flags.help === true) return { kind: 'help' }
  if (flags.version === true) return { kind: 'version' }
  const source = componentSource(flags, env, positionals)
  const config = normalise(mergeEnv(flags, env), flags, env, source)
  validate(config)
  return { kind: 'run', config }
}
