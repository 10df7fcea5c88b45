/**
 * One worker process (the gunicorn worker analogue): load the component, build the server, listen
 * on the shared ports, tell the primary, and drain on shutdown. Start-up failures are reported to
 * the primary as `fatal` so it exits with the error instead of restarting in a loop.
 */
import type { TracingHooks } from '@fastify-seldon/core'
import { isSeldonError } from '@fastify-seldon/protocol'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { ComponentError, loadComponent, referenceComponent } from './loader.js'
import type { MicroserviceConfig } from './options.js'
import { buildServer, createWorkerMetrics, environmentOptions, loadServedComponent } from './server.js'

/** Messages between the primary and its workers (namespaced: other plugins use the channel too). */
export type WorkerMessage =
  | { seldonMicroservice: 'ready', pid: number, index: number, component: string }
  | { seldonMicroservice: 'fatal', message: string }
export type PrimaryMessage = { seldonMicroservice: 'shutdown' }

export function isWorkerMessage (m: unknown): m is WorkerMessage {
  return m !== null && typeof m === 'object' && typeof (m as { seldonMicroservice?: unknown }).seldonMicroservice === 'string'
}

function send (message: WorkerMessage): Promise<void> {
  return new Promise(resolve => {
    if (process.send === undefined || !process.connected) { resolve(); return }
    process.send(message, undefined, {}, () => resolve())
  })
}

export function describeError (err: unknown): string {
  if (isSeldonError(err)) return err.message
  if (err instanceof Error) return err.name === 'ComponentError' || err.name === 'BadParameterError' ? err.message : (err.stack ?? err.message)
  return String(err)
}

/** What a worker keeps of its tracer. */
interface WorkerTracing { hooks: TracingHooks, shutdown: () => Promise<void> }

/**
 * This worker's own tracer (each worker process has one, as each gunicorn worker had its Jaeger
 * tracer): @fastify-seldon/tracing is imported only here, so tracing off loads no OpenTelemetry
 * module. `service.name` defaults to the component's class name. Undefined when the environment
 * turns it off (OTEL_SDK_DISABLED=true, `enabled: false` in JAEGER_CONFIG_PATH).
 */
async function startWorkerTracing (componentName: string, log: Logger, announce: boolean): Promise<WorkerTracing | undefined> {
  const { startTracing } = await import('@fastify-seldon/tracing')
  const logger = {
    info: (message: string) => { log.info(message) },
    warn: (message: string) => { log.warn(message) },
    error: (message: string) => { log.error(message) }
  }
  const started = await startTracing({ componentName, logger, announce })
  return started === undefined ? undefined : { hooks: started.hooks, shutdown: () => started.shutdown() }
}

export async function runWorker (config: MicroserviceConfig, env: NodeJS.ProcessEnv): Promise<void> {
  const index = Number(env.SELDON_WORKER_INDEX ?? '0')
  // With --tracing, log lines carry the active span's ids: the mixin is set before the tracer
  // exists (it starts once the component's name is known) and reads it through `traceIds`.
  let traceIds: TracingHooks['logMixin'] | undefined
  const log: Logger = pino({
    level: config.logLevel,
    name: 'seldon-microservice',
    base: { pid: process.pid, worker: index },
    ...(config.tracing ? { mixin: () => traceIds?.() ?? {} } : {})
  })
  let app: FastifyInstance | undefined
  let tracing: WorkerTracing | undefined
  let closing: Promise<void> | undefined

  const shutdown = (why: string): Promise<void> => {
    closing ??= (async () => {
      log.info(`${why}: draining in-flight requests (grace period ${config.gracePeriodMs / 1000} s)`)
      const timer = setTimeout(() => {
        log.error('grace period over with requests still in flight: exiting')
        process.exit(1)
      }, config.gracePeriodMs)
      timer.unref()
      try {
        await app?.close()
      } catch (err) {
        log.error({ err }, 'error while closing')
        process.exit(1)
      }
      // The spans of the last requests: flushed within 2 s, whatever the collector does.
      await tracing?.shutdown()
      clearTimeout(timer)
      log.info('drained')
      process.exit(0)
    })()
    return closing
  }
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('message', (m: unknown) => {
    if (m !== null && typeof m === 'object' && (m as PrimaryMessage).seldonMicroservice === 'shutdown') shutdown('shutdown asked by the primary')
  })
  // The primary is gone (killed): nobody restarts or supervises us, so stop too.
  process.on('disconnect', () => { shutdown('primary disconnected') })

  try {
    const metrics = createWorkerMetrics(environmentOptions(env).deployment, log, config.maxMetricSeries)
    let served: string
    if (config.graph !== undefined) {
      const { buildGraphServer, loadGraphEngine } = await import('./graph-server.js')
      const engine = await loadGraphEngine(config.graph, { cwd: process.cwd(), env, metrics, log: message => { if (index === 0) log.warn(message) } })
      if (config.tracing) {
        tracing = await startWorkerTracing(engine.spec.name, log, index === 0)
        traceIds = tracing?.hooks.logMixin
      }
      if (closing !== undefined) { await engine.close(); return }
      app = await buildGraphServer(engine, config, { env, logger: log, metrics, tracing: tracing?.hooks })
      try {
        await engine.load()
      } catch (err) {
        throw new ComponentError(`graph ${engine.spec.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, { cause: err })
      }
      served = `graph ${engine.spec.name}`
    } else {
      const request = {
        module: config.module,
        cwd: process.cwd(),
        exportName: config.exportName,
        parameters: config.parameters,
        serviceType: config.serviceType
      }
      // With inference threads each thread builds its own instance: none is made here.
      const loaded = config.inferenceThreads > 0 ? await referenceComponent(request) : await loadComponent(request)
      if (closing !== undefined) return
      log.debug({ file: loaded.file }, `loaded ${loaded.name}`)
      if (!loaded.constructed && Object.keys(config.parameters).length > 0 && index === 0) {
        log.warn(`the module exports an instance, not a class: the parameters (${Object.keys(config.parameters).join(', ')}) are not passed to it`)
      }
      if (config.tracing) {
        tracing = await startWorkerTracing(loaded.name, log, index === 0)
        traceIds = tracing?.hooks.logMixin
      }
      if (closing !== undefined) return
      const threadExecArgv = 'threadExecArgv' in loaded ? loaded.threadExecArgv as string[] | undefined : undefined
      app = await buildServer(loaded.component, config, { env, logger: log, metrics, tracing: tracing?.hooks, threadExecArgv })
      try {
        await loadServedComponent(loaded.component)
      } catch (err) {
        throw new ComponentError(`component load() failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, { cause: err })
      }
      served = loaded.name
    }
    if (closing !== undefined) return
    try {
      await app.listen({ host: config.host, port: config.httpPort })
    } catch (err) {
      const where = `REST ${config.host}:${config.httpPort}` + (config.grpcEnabled ? `, gRPC ${config.host}:${config.grpcPort}` : '')
      throw new ComponentError(`cannot start serving (${where}): ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
    if (closing !== undefined) return
    await send({ seldonMicroservice: 'ready', pid: process.pid, index, component: served })
  } catch (err) {
    if (closing !== undefined) return
    await send({ seldonMicroservice: 'fatal', message: describeError(err) })
    log.debug({ err }, 'start-up failed')
    process.exit(1)
  }
}
