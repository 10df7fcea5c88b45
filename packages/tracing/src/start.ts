/**
 * startTracing: a worker's own OpenTelemetry SDK (each node:cluster worker sets up its own, as
 * each gunicorn worker had its own Jaeger tracer), from Seldon's and OpenTelemetry's environment.
 * The lean SDK (trace provider + one OTLP exporter) rather than `@opentelemetry/sdk-node`, which
 * also starts metrics and logs exporters a Jaeger endpoint would refuse.
 *
 *   provider   NodeTracerProvider: resource, sampler, BatchSpanProcessor (OTEL_BSP_* honoured)
 *   globals    tracer provider, propagator (config order), AsyncLocalStorage context manager
 *   diag       OpenTelemetry's own messages (export failures...) to our logger, at OTEL_LOG_LEVEL
 *              or warn, each distinct message at most once a minute
 *   shutdown   flush and stop, bounded (an unreachable collector must not hold up a SIGTERM)
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api'
import { diagLogLevelFromString } from '@opentelemetry/core'
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { describeSampler, resolveTracingConfig, type TracingConfig } from './config.js'
import type { TracingHooks } from './contract.js'
import { createExporter } from './exporter.js'
import { tracingHooksFromGlobal } from './hooks.js'
import { buildPropagator } from './propagation.js'
import { buildSampler } from './sampler.js'

/** pino's methods fit (a message string each). */
export interface TracingLogger {
  info: (message: string) => void
  warn: (message: string) => void
  error: (message: string) => void
}

export interface StartTracingOptions {
  /** The component's name (its class): `service.name` unless OTEL_SERVICE_NAME says otherwise. */
  componentName: string
  /** Where the start-up line, warnings and OpenTelemetry's own errors go. Default: stderr. */
  logger?: TracingLogger
  /** Log the start-up line and warnings (default true; a CLI logs them from one worker only). */
  announce?: boolean
}

export interface Tracing {
  /** What to hand to the plugins and the runtime. */
  readonly hooks: TracingHooks
  readonly config: TracingConfig
  /** The start-up line: service, exporter, sampler, propagators. */
  readonly description: string
  /** Flushes what is queued and stops, within `timeoutMs` (default 2 s) whatever the collector does. */
  shutdown: (timeoutMs?: number) => Promise<void>
}

export const DEFAULT_SHUTDOWN_TIMEOUT = 2000
const DIAG_REPEAT_MS = 60_000

const stderrLogger: TracingLogger = {
  info: message => { process.stderr.write(`${message}\n`) },
  warn: message => { process.stderr.write(`${message}\n`) },
  error: message => { process.stderr.write(`${message}\n`) }
}

/** OpenTelemetry's diag channel onto our logger; a message repeated within a minute is dropped. */
function diagLogger (logger: TracingLogger): DiagLogger {
  const lastSeen = new Map<string, number>()
  const once = (write: (message: string) => void) => (message: string, ...args: unknown[]): void => {
    const text = args.length === 0 ? message : `${message} ${args.map(a => a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a)).join(' ')}`
    const now = Date.now()
    const seen = lastSeen.get(text)
    if (seen !== undefined && now - seen < DIAG_REPEAT_MS) return
    if (lastSeen.size > 100) lastSeen.clear()
    lastSeen.set(text, now)
    write(`OpenTelemetry: ${text}`)
  }
  const error = once(m => { logger.error(m) })
  const warn = once(m => { logger.warn(m) })
  const info = once(m => { logger.info(m) })
  return { error, warn, info, debug: info, verbose: info }
}

/**
 * Starts this process's tracing from the environment; `undefined` (and nothing registered) when
 * OTEL_SDK_DISABLED=true or the Jaeger YAML says `enabled: false`. Whether tracing is asked for
 * at all (`--tracing`, TRACING) is the caller's question (see `parseTracingSwitch`).
 */
export async function startTracing (options: StartTracingOptions): Promise<Tracing | undefined> {
  const logger = options.logger ?? stderrLogger
  const announce = options.announce ?? true
  const env = process.env
  const config = resolveTracingConfig(env, { componentName: options.componentName })
  if (announce) for (const warning of config.warnings) logger.warn(`tracing: ${warning}`)
  if (!config.enabled) {
    if (announce) logger.info('tracing asked for but disabled by OTEL_SDK_DISABLED or the Jaeger config: off')
    return undefined
  }

  diag.setLogger(diagLogger(logger), {
    logLevel: diagLogLevelFromString(env.OTEL_LOG_LEVEL) ?? DiagLogLevel.WARN,
    suppressOverrideMessage: true
  })

  // Ours under the environment's: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win. The pid
  // tells the workers of one component apart.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': config.serviceName, 'process.pid': process.pid, ...config.resourceAttributes }))
    .merge(detectResources({ detectors: [envDetector] }))
  const exporter = await createExporter(config.protocol, config.endpoint)
  const provider = new NodeTracerProvider({
    resource,
    sampler: buildSampler(config.sampler),
    spanProcessors: [new BatchSpanProcessor(exporter)]
  })
  provider.register({ propagator: await buildPropagator(config.propagators) })

  const hooks = tracingHooksFromGlobal({
    methods: config.methodSpans,
    extraTags: config.extraTags,
    ...(announce ? { warn: (message: string) => { logger.warn(`tracing: ${message}`) } } : {})
  })
  const serviceName = String(resource.attributes['service.name'] ?? config.serviceName)
  const description = `tracing on: service ${serviceName}, OTLP ${config.protocol} to ${config.endpoint}, ` +
    `sampler ${describeSampler(config.sampler)}, propagators ${config.propagators.join(',') || 'none'}` +
    (config.methodSpans ? '' : ', no user-method spans')
  if (announce) logger.info(description)

  let stopping: Promise<void> | undefined
  const shutdown = (timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT): Promise<void> => {
    stopping ??= new Promise<void>(resolve => {
      let settled = false
      const settle = (warning?: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (warning !== undefined) logger.warn(`tracing: ${warning}`)
        resolve()
      }
      // An export in flight may outlive this (up to OTEL_EXPORTER_OTLP_TIMEOUT, 10 s) and keep an
      // idle process alive that long; a CLI worker exits after its drain anyway.
      const timer = setTimeout(() => { settle(`spans not exported within ${timeoutMs} ms of shutdown were dropped`) }, timeoutMs)
      timer.unref()
      provider.shutdown().then(() => { settle() }, (err: unknown) => { settle(`shutdown failed: ${(err as Error)?.message ?? String(err)}`) })
    })
    return stopping
  }
  return { hooks, config, description, shutdown }
}
