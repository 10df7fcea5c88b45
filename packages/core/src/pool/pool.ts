/**
 * The inference thread pool of one component: N piscina threads, each with its own instance of
 * the component, and our own FIFO in front of them.
 *
 * Why our own queue: a task is handed to piscina only while fewer than N are in flight, so every
 * task piscina holds is running. A request that gives up (its timeout, its client gone) is taken out
 * of OUR queue; a running task is never cancelled, because piscina cancels by terminating the
 * thread, and a thread inside native code (onnxruntime-node's session.run) then aborts the whole
 * process (SIGABRT). A running task finishes and its answer is dropped. The same queue is where
 * batching gathers compatible requests (docs/inference-pool.md).
 *
 * Readiness is ours to track too: piscina counts a thread ready before its async start-up ends, so
 * each thread posts a "ready" message after its load(), and the pool is ready once all N have.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { Piscina } from 'piscina'
import { THREAD_MESSAGE, type PoolTask, type TaskResult, type ThreadInit, type ThreadMessage } from './protocol.js'
import type { PackedError } from './wire.js'

/**
 * The thread file next to this one; run from source (the package's own tests), the built copy, so
 * that no thread has to compile TypeScript as it starts (seconds per thread under a loader).
 */
const THREAD_FILE = (() => {
  const self = fileURLToPath(import.meta.url)
  const built = path.join(path.dirname(self), 'thread.js')
  if (path.extname(self) === '.js') return built
  const fromDist = path.join(path.dirname(self), '..', '..', 'dist', 'pool', 'thread.js')
  return existsSync(fromDist) ? fromDist : path.join(path.dirname(self), `thread${path.extname(self)}`)
})()

export interface PoolReady {
  metadata: Record<string, unknown> | null
  methods: string[]
  /** The component takes batched predict calls (a high-level predict, no predictRaw, not `batchable = false`). */
  batchable: boolean
}

/** A thread's own load() failed: the pool will not be ready. */
export class ThreadLoadError extends Error {
  constructor (readonly packed: PackedError) {
    super(packed.message)
    this.name = 'ThreadLoadError'
  }
}

interface Pending {
  task: PoolTask
  transfer: ArrayBuffer[]
  resolve: (result: TaskResult) => void
  reject: (err: unknown) => void
  signal?: AbortSignal | undefined
  onAbort?: (() => void) | undefined
}

export interface RunOptions {
  /** Aborting removes the task from the queue while it waits; a running task is not cancelled. */
  signal?: AbortSignal | undefined
  /** Goes ahead of the queue and past the in-flight limit (health checks): it waits only for a free thread. */
  priority?: boolean
}

export class InferencePool {
  readonly threads: number
  private readonly piscina: Piscina
  private readonly queue: Pending[] = []
  private inFlight = 0
  private readonly readyThreads = new Set<number>()
  private started: Promise<PoolReady> | undefined
  private closing: Promise<void> | undefined
  private idle: (() => void) | undefined
  private readonly log: (message: string) => void

  constructor (init: ThreadInit, threads: number, log: (message: string) => void, execArgv?: string[]) {
    this.threads = threads
    this.log = log
    this.piscina = new Piscina({
      filename: THREAD_FILE,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      // 'sync' (the default) parks an idle thread in Atomics.wait, which freezes the component's own
      // timers and promises between tasks.
      atomics: 'disabled',
      workerData: init,
      ...(execArgv !== undefined ? { execArgv } : {})
    })
    // Without a listener an 'error' event (a thread failing with no task) would end the process.
    this.piscina.on('error', (err: unknown) => { this.log(`inference thread error: ${(err as Error)?.message ?? String(err)}`) })
    // Listen from the start: a thread may be ready before anyone asks.
    this.start().catch(() => {})
  }

  /** Resolves once every thread has loaded the component; rejects with the first thread's load() failure. */
  start (): Promise<PoolReady> {
    this.started ??= new Promise<PoolReady>((resolve, reject) => {
      let first: PoolReady | undefined
      this.piscina.on('message', (m: unknown) => {
        if (m === null || typeof m !== 'object' || !(THREAD_MESSAGE in m)) return
        const message = m as ThreadMessage
        if (message[THREAD_MESSAGE] === 'ready') {
          for (const line of message.logs) this.log(line)
          first ??= { metadata: message.metadata, methods: message.methods, batchable: message.batchable }
          this.readyThreads.add(message.threadId)
          if (this.readyThreads.size === this.threads) resolve(first)
          else if (this.readyThreads.size > this.threads) this.log(`inference thread ${message.threadId} replaced a lost thread and is ready`)
        } else {
          const text = `inference thread ${message.threadId}: component load() failed: ${message.error.message}`
          if (this.readyThreads.size < this.threads) reject(new ThreadLoadError(message.error))
          else this.log(text)
        }
      })
    })
    return this.started
  }

  /** Queue a task (FIFO); it is handed to a thread as soon as one is free. */
  run (task: PoolTask, transfer: ArrayBuffer[], options: RunOptions = {}): Promise<TaskResult> {
    return new Promise<TaskResult>((resolve, reject) => {
      const { signal } = options
      if (signal?.aborted === true) { reject(signal.reason); return }
      const pending: Pending = { task, transfer, resolve, reject, signal }
      if (options.priority === true) { this.submit(pending); return }
      if (signal !== undefined) {
        pending.onAbort = () => {
          const i = this.queue.indexOf(pending)
          if (i >= 0) {
            this.queue.splice(i, 1)
            reject(signal.reason)
          }
        }
        signal.addEventListener('abort', pending.onAbort, { once: true })
      }
      this.queue.push(pending)
      this.pump()
    })
  }

  /** Requests waiting for a thread (not counting the running ones). */
  get queued (): number { return this.queue.length }

  private pump (): void {
    while (this.inFlight < this.threads && this.queue.length > 0) {
      this.submit(this.queue.shift() as Pending)
    }
    if (this.inFlight === 0 && this.queue.length === 0) this.idle?.()
  }

  private submit (pending: Pending): void {
    if (pending.onAbort !== undefined) pending.signal?.removeEventListener('abort', pending.onAbort)
    this.inFlight++
    this.piscina.run(pending.task, { transferList: pending.transfer as never }).then(
      (result: TaskResult) => { pending.resolve(result) },
      // A thread that died (uncaught exception, process.exit in the thread) fails only its own
      // task; piscina starts a replacement, which runs load() again.
      (err: unknown) => { pending.reject(err) }
    ).finally(() => {
      this.inFlight--
      this.pump()
    })
  }

  /** Waits for the queue and the running tasks, then stops the threads. Idempotent. */
  close (): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>(resolve => { this.idle = resolve })
      await this.piscina.destroy()
    })()
    return this.closing
  }
}
