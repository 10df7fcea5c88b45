/**
 * The composition: the one place where the CLI meets the other packages. A worker's app is
 *
 *   Fastify (pino at the CLI's level, given to Fastify only at DEBUG: logging.ts; body limit)
 *     ├─ seldonMetrics            per-worker registry, no endpoint here (the primary serves the port)
 *     ├─ limits                   431 past 100 header fields, 408 for a slow body, 503 past --max-connections
 *     ├─ @fastify/under-pressure  503 + Seldon envelope + Retry-After past the thresholds (pressure.ts; the heap judged after a GC)
 *     ├─ request timeout          504 + Seldon envelope (when --request-timeout > 0)
 *     ├─ admission                --max-concurrent-requests, a queue, 503 past it; dispatch runs spread over turns
 *     ├─ seldonComponent          every Seldon REST route, CORS on, load() at ready
 *     └─ seldonGrpc               grpc-js on the gRPC port, same runtime, drained on close
 *
 * With --tracing the worker has started its tracer first (worker.ts) and both plugins get its hooks.
 * and the primary's metrics port is `startMetricsServer` over a cluster aggregator summing the
 * workers' registries. What only workers need is imported when first used, so the primary (and
 * `--help`) start without loading the REST and gRPC stacks.
 */
import cluster from 'node:cluster'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { optionsFromEnv, runtimeFor, type SeldonComponent, type SeldonEnvOptions, type TracingHooks } from '@fastify-seldon/core'
import {
  createClusterAggregator, createSeldonMetrics, deploymentLabelsFromEnv, registerWorkerRegistry, seldonMetrics,
  startMetricsServer, type DeploymentLabels, type SeldonMetrics
} from '@fastify-seldon/metrics'
import { errorEnvelopeText, errorStatus, TimeoutError } from '@fastify-seldon/protocol'
import Fastify, {
  type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest
} from 'fastify'
import { pino } from 'pino'
import { registerAdmission } from './admission.js'
import { OVERLOADED_BODY, limitBodyTime, limitConnections, limitHeaderFields, refusedHeaderFields } from './limits.js'
import { appLogging } from './logging.js'
import { DEFAULTS, HTTP2_DEFAULT_WINDOW, type MicroserviceConfig } from './options.js'
import { registerPressure } from './pressure.js'

/** The limits a server applies (see {@link limitsOf}); each defaults to the CLI's default. */
type Limits = 'grpcMaxMessageSize' | 'grpcReceiveWindow' | 'maxConnections' | 'bodyTimeout' | 'maxMetricSeries' | 'maxConcurrentRequests' | 'maxQueuedRequests'

/** The part of the CLI config a server needs. */
export type ServerConfig = Pick<MicroserviceConfig,
  'host' | 'grpcEnabled' | 'grpcPort' | 'logLevel' | 'gracePeriodMs' | 'bodyLimit' | 'requestTimeout' |
  'maxEventLoopDelay' | 'maxHeapUsedBytes' | 'maxRssBytes'> & Partial<Pick<MicroserviceConfig, Limits | 'inferenceThreads' | 'maxBatchSize' | 'maxBatchTimeMs'>>

export interface BuildServerOptions {
  /** The environment contract (PREDICTIVE_UNIT_ID, MODEL_METADATA...; see {@link environmentOptions}). Default `process.env`. */
  env?: NodeJS.ProcessEnv
  /** A pino logger; default a new one at `config.logLevel`. */
  logger?: FastifyBaseLogger
  /** This worker's metrics (see {@link createWorkerMetrics}); default a fresh per-app registry. */
  metrics?: SeldonMetrics
  /** How often @fastify/under-pressure samples (ms); tests shorten it. */
  pressureSampleInterval?: number
  /** Tracing hooks (`startTracing().hooks`, when --tracing is on) for the REST and gRPC plugins. */
  tracing?: TracingHooks | undefined
  /** Node options of the inference threads (a TypeScript component: tsx's loader). */
  threadExecArgv?: string[] | undefined
}

/** Routes never held back by admission control: the probes, metadata and the docs. */
const ADMISSION_EXEMPT = new Set(['/health/ping', '/health/status', '/api/v1.0/health/status', '/metadata', '/api/v1.0/metadata', '/seldon.json'])
/** Seconds a client is asked to wait when the admission queue or the connections are full (they drain in moments). */
const BUSY_RETRY_AFTER_SECONDS = 1

/**
 * Requests Fastify refuses before any route (or any parser) runs still get the Seldon envelope:
 * an undecodable URL (`GET /%`) through `frameworkErrors`, a malformed HTTP request (bad request
 * line or headers, headers too large, the socket's request timeout) through `clientErrorHandler`,
 * which writes on the socket itself (there is no request to reply to) and closes it.
 */
function frameworkError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const statusCode = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 400
  request.log.info(`${error.code}: ${error.message}`)
  reply.code(statusCode).header('content-type', 'application/json')
    .send(Buffer.from(errorEnvelopeText({ statusCode, reason: statusCode >= 500 ? 'MICROSERVICE_INTERNAL_ERROR' : 'MICROSERVICE_BAD_DATA', info: error.message }), 'utf8'))
}

function clientError (error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [statusCode, info] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'Request Timeout: the request was not received in time']
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : [400, 'Bad Request: malformed HTTP request']
  const body = errorEnvelopeText({ statusCode, reason: 'MICROSERVICE_BAD_DATA', info })
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(error)
}

/** What the environment sets beyond the flags, as the packages' options. */
export interface EnvironmentOptions {
  /** PREDICTIVE_UNIT_ID, PREDICTIVE_UNIT_IMAGE, MODEL_METADATA, PAYLOAD_PASSTHROUGH, SELDON_DOCS... */
  plugins: SeldonEnvOptions
  /** SELDON_DEPLOYMENT_ID, PREDICTIVE_UNIT_ID, PREDICTIVE_UNIT_IMAGE, PREDICTOR_ID, PREDICTOR_LABELS. */
  deployment: DeploymentLabels
  /** Graph mode only, the executor's CORS_ALLOWED_ORIGINS and CORS_ALLOWED_HEADERS (empty: unset, the plugin's default). */
  graphCors: { corsAllowedOrigins?: string, corsAllowedHeaders?: string }
}

/**
 * The one place the CLI maps the environment contract onto the packages' options (the flags'
 * variables, ports and the like, are read by parseCommand): the plugins themselves take options
 * only and never read `process.env`.
 */
export function environmentOptions (env: NodeJS.ProcessEnv): EnvironmentOptions {
  const graphCors: EnvironmentOptions['graphCors'] = {}
  if (env.CORS_ALLOWED_ORIGINS !== undefined && env.CORS_ALLOWED_ORIGINS !== '') graphCors.corsAllowedOrigins = env.CORS_ALLOWED_ORIGINS
  if (env.CORS_ALLOWED_HEADERS !== undefined && env.CORS_ALLOWED_HEADERS !== '') graphCors.corsAllowedHeaders = env.CORS_ALLOWED_HEADERS
  return { plugins: optionsFromEnv(env), deployment: deploymentLabelsFromEnv(env), graphCors }
}

/**
 * The metrics of one worker, created before the component is even imported: a cluster worker
 * answers the primary's scrapes from the start, so a slow load() never stalls the metrics port.
 */
export function createWorkerMetrics (deployment: DeploymentLabels, logger?: FastifyBaseLogger, maxSeriesPerMetric = DEFAULTS.maxMetricSeries): SeldonMetrics {
  const metrics = createSeldonMetrics({ deployment, logger, maxSeriesPerMetric })
  if (cluster.isWorker) registerWorkerRegistry(metrics.registry)
  return metrics
}

/** What every worker's app has, whatever it serves: the app, its metrics, the environment's options. */
export interface BaseApp {
  app: FastifyInstance
  metrics: SeldonMetrics
  fromEnv: EnvironmentOptions
}

/**
 * A worker's app before it serves anything: logger, body limit, the Seldon envelope for framework
 * errors, limits, metrics, under-pressure, the request timeout and admission control. {@link buildServer} adds a component,
 * the graph mode (graph-server.ts) a graph.
 */
export async function buildBaseApp (config: ServerConfig, options: BuildServerOptions = {}): Promise<BaseApp> {
  const fromEnv = environmentOptions(options.env ?? process.env)
  const logging = appLogging(options.logger ?? pino({ level: config.logLevel, name: 'seldon-microservice' }), config.logLevel === 'debug')
  const app = Fastify({
    ...logging.options,
    bodyLimit: config.bodyLimit,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    // An HTTP/1.1 request without Host is served, as gunicorn serves it (Node's own refusal is a
    // bare 400 without the envelope; nothing here depends on Host).
    http: { requireHostHeader: false }
  })
  logging.adopt(app)
  const limits = limitsOf(config)
  const metrics = options.metrics ?? createWorkerMetrics(fromEnv.deployment, app.log, limits.maxMetricSeries)

  // First, so that its clock starts before any other hook can answer (a 431, a 503).
  await app.register(seldonMetrics, { metrics, endpoint: false })
  limitHeaderFields(app.server)
  const pressure = await registerPressure(app, config, options.pressureSampleInterval)
  // The checks every request gets, in one hook: each hook of a phase costs a call per request.
  app.addHook('onRequest', function workerChecks (request, reply, done) {
    if (!refusedHeaderFields(request, reply)) pressure?.refused(request, reply)
    done()
  })
  if (limits.bodyTimeout > 0) limitBodyTime(app, limits.bodyTimeout)
  if (limits.maxConnections > 0) {
    const busy = new RefusalLog(app.log, `more than ${limits.maxConnections} connections (--max-connections)`)
    limitConnections(app.server, limits.maxConnections, BUSY_RETRY_AFTER_SECONDS, () => { busy.refused() })
  }

  if (config.requestTimeout > 0) {
    const ms = config.requestTimeout
    const body = errorEnvelopeText(errorStatus(new TimeoutError(ms)))
    app.addHook('onRequest', (request, reply, done) => {
      const timer = setTimeout(() => {
        if (reply.sent || reply.raw.headersSent) return
        request.log.warn(`request timed out after ${ms} ms: 504`)
        reply.code(504).header('content-type', 'application/json').send(body)
        // The handler still runs and will try to answer: that late send is expected, not a bug
        // worth Fastify's "Reply was already sent" warning. Errors are still logged.
        reply.log = reply.log.child({}, { level: 'error' })
      }, ms)
      reply.raw.once('close', () => { clearTimeout(timer) })
      done()
    })
  }

  const refusals = new RefusalLog(app.log, `every request slot busy (at most ${limits.maxConcurrentRequests}; fewer while requests are expensive) and ${limits.maxQueuedRequests} waiting (--max-concurrent-requests, --max-queued-requests)`)
  registerAdmission(app, {
    maxConcurrent: limits.maxConcurrentRequests,
    maxQueued: limits.maxQueuedRequests,
    controls: url => !ADMISSION_EXEMPT.has(url) && !url.startsWith('/docs'),
    refuse: (_request, reply) => {
      refusals.refused()
      reply.code(503).header('retry-after', String(BUSY_RETRY_AFTER_SECONDS)).header('content-type', 'application/json').send(OVERLOADED_BODY)
    }
  })
  return { app, metrics, fromEnv }
}

/** The gRPC server's limits, as REST's: --request-timeout, the under-pressure thresholds, the drain grace. */
export function grpcLimits (app: FastifyInstance, config: ServerConfig, metrics: SeldonMetrics) {
  const limits = limitsOf(config)
  return {
    maxReceiveMessageLength: limits.grpcMaxMessageSize,
    maxSendMessageLength: limits.grpcMaxMessageSize,
    // 0: HTTP/2's own window (seldonGrpc's default is 1 MiB, as ours).
    receiveWindow: limits.grpcReceiveWindow > 0 ? limits.grpcReceiveWindow : HTTP2_DEFAULT_WINDOW,
    port: config.grpcPort,
    host: config.host,
    onCall: (service: string, method: string, code: string, seconds: number) => { metrics.observeGrpc(service, method, code, seconds) },
    shutdownTimeout: config.gracePeriodMs,
    callTimeout: config.requestTimeout,
    isOverloaded: () => app.hasDecorator('isUnderPressure') && app.isUnderPressure()
  }
}

/** A worker's Fastify app serving `component` over REST (and gRPC unless disabled); not listening yet. */
export async function buildServer (component: object, config: ServerConfig, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const { app, metrics, fromEnv } = await buildBaseApp(config, options)
  // --inference-threads: `component` is then a module reference; one pool, shared by REST and gRPC.
  const threads = config.inferenceThreads ?? 0
  const pool: { threads?: number, threadExecArgv?: string[], batching?: { maxBatchSize: number, maxBatchTimeMs: number } } =
    threads > 0 ? { threads, ...(options.threadExecArgv !== undefined ? { threadExecArgv: options.threadExecArgv } : {}) } : {}
  // --max-batch-size 2 and up: adaptive batching of predict, one queue shared by REST and gRPC, with or without threads.
  const maxBatchSize = config.maxBatchSize ?? 0
  if (maxBatchSize >= 2) pool.batching = { maxBatchSize, maxBatchTimeMs: config.maxBatchTimeMs ?? DEFAULTS.maxBatchTimeMs }
  const { seldonComponent } = await import('@fastify-seldon/component')
  const tracing = options.tracing !== undefined ? { tracing: options.tracing } : {}
  // seldonComponent finds the metrics registered above by itself (custom metrics, feedback counters);
  // gRPC gets them explicitly through grpcLimits, shared with the graph mode.
  await app.register(seldonComponent, { ...fromEnv.plugins, ...pool, component: component as SeldonComponent, cors: true, ...tracing })

  if (config.grpcEnabled) {
    const { seldonGrpc } = await import('@fastify-seldon/grpc')
    await app.register(seldonGrpc, {
      ...fromEnv.plugins, // the runtime settings (the REST-only ones are not read by gRPC)
      ...pool,
      component,
      metrics: metrics.recorder,
      ...grpcLimits(app, config, metrics),
      ...tracing
    })
  }
  return app
}

/** The limits of `config`, the CLI's defaults for those it leaves out (a server built by a test or an embedder). */
function limitsOf (config: ServerConfig): Pick<MicroserviceConfig, Limits> {
  return {
    maxConnections: config.maxConnections ?? DEFAULTS.maxConnections,
    bodyTimeout: config.bodyTimeout ?? DEFAULTS.bodyTimeout,
    maxMetricSeries: config.maxMetricSeries ?? DEFAULTS.maxMetricSeries,
    maxConcurrentRequests: config.maxConcurrentRequests ?? DEFAULTS.maxConcurrentRequests,
    maxQueuedRequests: config.maxQueuedRequests ?? DEFAULTS.maxQueuedRequests,
    grpcMaxMessageSize: config.grpcMaxMessageSize ?? DEFAULTS.grpcMaxMessageSize,
    grpcReceiveWindow: config.grpcReceiveWindow ?? DEFAULTS.grpcReceiveWindow
  }
}

/**
 * Refusals are logged at warn at most once per second with their count: one line per refused
 * request would put the log writer on the event loop just when it is busiest.
 */
class RefusalLog {
  private count = 0
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly log: FastifyBaseLogger, private readonly why: string) {}

  refused (): void {
    this.count++
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.log.warn({ refused: this.count }, `${this.why}: ${this.count} refused with 503`)
      this.count = 0
      this.timer = undefined
    }, 1000)
    this.timer.unref()
  }
}

/**
 * Run the component's initMetadata() and load() now (once; the plugins' ready hooks then find
 * them done), so a failure is reported as the component's rather than as a server start failure.
 */
export async function loadServedComponent (component: object): Promise<void> {
  await runtimeFor(component).load()
}

/** The primary's metrics port: one scrape = the sum over every worker's registry. */
export async function startPrimaryMetrics (
  config: Pick<MicroserviceConfig, 'host' | 'metricsPort' | 'metricsEndpoint'>,
  logger?: FastifyBaseLogger
): Promise<{ port: number, close: () => Promise<void> }> {
  return await startMetricsServer({
    port: config.metricsPort,
    host: config.host,
    endpoint: config.metricsEndpoint,
    aggregator: createClusterAggregator(),
    ...(logger !== undefined ? { logger: logger.child({ server: 'metrics' }, { level: 'warn' }) } : {})
  })
}
