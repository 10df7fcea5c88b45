/**
 * The primary process (gunicorn's arbiter): serves the metrics port, forks the workers, restarts
 * a crashed worker with a bounded backoff, turns a start-up failure into a non-zero exit, and on
 * SIGTERM/SIGINT asks every worker to drain, exiting 0 once they all did within the grace period.
 */
import cluster, { type Worker } from 'node:cluster'
import { pino, type Logger } from 'pino'
import type { MicroserviceConfig } from './options.js'
import { startPrimaryMetrics } from './server.js'
import { isWorkerMessage, type PrimaryMessage } from './worker.js'

export interface PrimaryOptions {
  /** The script each worker runs (the CLI itself) and its arguments. */
  exec: string
  args: string[]
  /** Restart policy: at most `maxRestarts` crashes of one worker within `restartWindowMs`. */
  maxRestarts?: number
  restartWindowMs?: number
  /** Printed before the process exits non-zero (stderr by default). */
  reportFatal?: (message: string) => void
}

/**
 * V8's initial old-generation size (MB) for the workers. With V8's default a worker's
 * old-generation limit follows its small live heap (~15 MB), and a worker receiving 800 kB gRPC
 * messages then ran a full mark-compact on nearly every call: ~12 ms of CPU per sequential
 * 100k-value tensor against ~2.6 ms with this setting, and 13× against 21× the Python wrapper's
 * calls/s on the 100×1000 ndarray (BENCHMARKS.md, "the gRPC slow mode"). It is a starting limit,
 * not a reservation: the heap grows only as the worker allocates.
 */
export const WORKER_INITIAL_OLD_SPACE_MB = 128

/** The node flags of a worker: the primary's own, and the initial old-space size unless they set one. */
export function workerExecArgv (execArgv: readonly string[]): string[] {
  if (execArgv.some(flag => /^--initial[-_]old[-_]space[-_]size(=|$)/.test(flag))) return [...execArgv]
  return [...execArgv, `--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`]
}

interface Slot {
  index: number
  worker: Worker | undefined
  ready: boolean
  crashes: number[]
  restartTimer: NodeJS.Timeout | undefined
  fatal: string | undefined
}

const BACKOFF_START_MS = 250
const BACKOFF_MAX_MS = 5000

export async function runPrimary (config: MicroserviceConfig, options: PrimaryOptions): Promise<void> {
  const log: Logger = pino({ level: config.logLevel, name: 'seldon-microservice', base: { pid: process.pid, role: 'primary' } })
  const maxRestarts = options.maxRestarts ?? 10
  const restartWindowMs = options.restartWindowMs ?? 60_000
  const reportFatal = options.reportFatal ?? ((message: string) => { process.stderr.write(`seldon-microservice: ${message}\n`) })
  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({
    index, worker: undefined, ready: false, crashes: [], restartTimer: undefined, fatal: undefined
  }))
  let announced = false
  let stopping: 'drain' | 'fail' | undefined
  let exitCode = 0
  let graceTimer: NodeJS.Timeout | undefined
  let metrics: { close: () => Promise<void> } | undefined

  for (const name of config.ignored) log.warn(`--${name} is accepted for compatibility with seldon-core-microservice and has no effect`)

  const alive = (): Worker[] => slots.flatMap(s => (s.worker !== undefined && !s.worker.isDead() ? [s.worker] : []))

  const finish = async (): Promise<void> => {
    if (graceTimer !== undefined) clearTimeout(graceTimer)
    try { await metrics?.close() } catch (err) { log.warn({ err }, 'closing the metrics server failed') }
    process.exit(exitCode)
  }

  const fail = (message: string): void => {
    if (stopping === 'fail') return
    stopping = 'fail'
    exitCode = 1
    reportFatal(message)
    for (const s of slots) if (s.restartTimer !== undefined) clearTimeout(s.restartTimer)
    const rest = alive()
    if (rest.length === 0) { finish(); return }
    for (const w of rest) w.process.kill('SIGKILL')
  }

  const fork = (slot: Slot): void => {
    slot.restartTimer = undefined
    slot.ready = false
    const worker = cluster.fork({ SELDON_WORKER_INDEX: String(slot.index) })
    slot.worker = worker
    worker.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return
      if (m.seldonMicroservice === 'fatal') {
        slot.fatal = m.message
      } else if (m.seldonMicroservice === 'ready') {
        slot.ready = true
        log.debug(`worker ${slot.index} (pid ${m.pid}) ready`)
        if (!announced && slots.every(s => s.ready)) {
          announced = true
          const where = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
          log.info(`serving ${m.component}${config.graph === undefined ? ` as ${config.serviceType}` : ''}: REST http://${where}:${config.httpPort}` +
            (config.grpcEnabled ? `, gRPC ${where}:${config.grpcPort}` : ', gRPC off') +
            `, metrics http://${where}:${config.metricsPort}${config.metricsEndpoint}; ${config.workers} worker${config.workers === 1 ? '' : 's'}`)
        }
      }
    })
    worker.on('exit', (code, signal) => {
      const how = signal !== null ? `signal ${signal}` : `code ${code}`
      if (stopping !== undefined) {
        log.debug(`worker ${slot.index} (pid ${worker.process.pid ?? '?'}) exited with ${how}`)
        if (stopping === 'drain' && code !== 0) exitCode = 1
        if (alive().length === 0) finish()
        return
      }
      if (slot.fatal !== undefined) { fail(slot.fatal); return }
      if (!slot.ready) { fail(`worker ${slot.index} exited with ${how} before it was ready`); return }
      const now = Date.now()
      slot.crashes = slot.crashes.filter(t => now - t < restartWindowMs)
      slot.crashes.push(now)
      if (slot.crashes.length > maxRestarts) {
        fail(`worker ${slot.index} crashed ${slot.crashes.length} times within ${restartWindowMs / 1000} s: giving up`)
        return
      }
      const delay = Math.min(BACKOFF_START_MS * 2 ** (slot.crashes.length - 1), BACKOFF_MAX_MS)
      log.error(`worker ${slot.index} (pid ${worker.process.pid ?? '?'}) exited with ${how}; restarting it in ${delay} ms`)
      slot.restartTimer = setTimeout(() => fork(slot), delay)
    })
  }

  const drain = (signal: NodeJS.Signals): void => {
    if (stopping === 'drain') {
      log.warn(`${signal} again: stopping now`)
      exitCode = 1
      for (const w of alive()) w.process.kill('SIGKILL')
      return
    }
    if (stopping !== undefined) return
    stopping = 'drain'
    log.info(`${signal}: draining the workers (grace period ${config.gracePeriodMs / 1000} s)`)
    for (const s of slots) if (s.restartTimer !== undefined) clearTimeout(s.restartTimer)
    const rest = alive()
    if (rest.length === 0) { finish(); return }
    const message: PrimaryMessage = { seldonMicroservice: 'shutdown' }
    for (const w of rest) {
      if (w.isConnected()) w.send(message)
      else w.process.kill('SIGTERM')
    }
    graceTimer = setTimeout(() => {
      log.error('grace period over with workers still draining: killing them')
      exitCode = 1
      for (const w of alive()) w.process.kill('SIGKILL')
    }, config.gracePeriodMs)
  }
  process.on('SIGTERM', () => drain('SIGTERM'))
  process.on('SIGINT', () => drain('SIGINT'))

  // One worker: it accepts its connections itself. Through the primary (round robin) a connection
  // reaches a busy worker only after the previous one was acknowledged, one per loop iteration of
  // the worker, each a round trip through the primary: under 20 clients posting 0.8 MB bodies the
  // health probes waited 2–5 s in that queue, against at most ~1 s accepting directly (RELIABILITY.md,
  // guarantee 12). Several workers keep round robin, which spreads connections evenly. An explicit
  // NODE_CLUSTER_SCHED_POLICY wins.
  if (config.workers === 1 && process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE
  cluster.setupPrimary({ exec: options.exec, args: options.args, execArgv: workerExecArgv(process.execArgv) })
  try {
    metrics = await startPrimaryMetrics(config, log)
  } catch (err) {
    fail(`cannot serve metrics on ${config.host}:${config.metricsPort}: ${(err as Error).message}`)
    return
  }
  for (const slot of slots) {
    if (stopping !== undefined) break
    fork(slot)
  }
}
