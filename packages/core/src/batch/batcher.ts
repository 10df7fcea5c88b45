/**
 * Adaptive batching's queue, in front of one component's predict: concurrent predict requests whose
 * arrays can stack (the same batch key: stack.ts) gather in an open batch, which closes when it
 * holds `maxBatchSize` requests or when its first request has waited `maxBatchTimeMs`; the closed
 * batch becomes one call of the component's predict (docs/inference-pool.md, "Adaptive batching").
 * A request that cannot join (another payload, a raw method, another endpoint) is never offered.
 * A request that gives up while its batch is open leaves it; once the batch has closed it is part
 * of the call, and its answer is dropped.
 */
import { TimeoutError, type DecodedPayload, type Transport } from '@fastify-seldon/protocol'
import type { Answer } from '../runtime.js'

export interface BatchingOptions {
  /** The most requests in one predict call (batching is on from 2). */
  maxBatchSize: number
  /** How long the first request of a batch waits for others, in ms (default 10; 0: only those arriving in the same event-loop turn). */
  maxBatchTimeMs?: number | undefined
}

export const DEFAULT_MAX_BATCH_TIME_MS = 10

/** One request waiting in a batch, its payload already decoded. */
export interface BatchEntry {
  readonly message: unknown
  readonly transport: Transport
  readonly request: DecodedPayload
  /** performance.now() when it joined (seldon_batch_wait_seconds). */
  readonly enqueued: number
  readonly resolve: (answer: Answer) => void
  readonly reject: (err: unknown) => void
  readonly signal?: AbortSignal | undefined
  onAbort?: (() => void) | undefined
}

interface OpenBatch {
  readonly entries: BatchEntry[]
  readonly timer: NodeJS.Timeout | NodeJS.Immediate
}

/** What runs a closed batch: it settles every entry. */
export type RunBatch = (entries: BatchEntry[]) => void

export class Batcher {
  readonly maxBatchSize: number
  readonly maxBatchTimeMs: number
  private readonly open = new Map<string, OpenBatch>()
  private readonly run: RunBatch

  constructor (options: BatchingOptions, run: RunBatch) {
    this.maxBatchSize = options.maxBatchSize
    this.maxBatchTimeMs = options.maxBatchTimeMs ?? DEFAULT_MAX_BATCH_TIME_MS
    this.run = run
  }

  /** The request's answer, through the open batch of its key (a new one when none is open). */
  offer (key: string, message: unknown, transport: Transport, request: DecodedPayload, signal?: AbortSignal): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      if (signal?.aborted === true) { reject(signal.reason ?? new TimeoutError(0)); return }
      const entry: BatchEntry = { message, transport, request, enqueued: performance.now(), resolve, reject, signal }
      const entries = this.batchFor(key).entries
      entries.push(entry)
      if (signal !== undefined) {
        entry.onAbort = () => {
          const i = entries.indexOf(entry)
          if (i >= 0) { entries.splice(i, 1); reject(signal.reason ?? new TimeoutError(0)) }
        }
        signal.addEventListener('abort', entry.onAbort, { once: true })
      }
      if (entries.length >= this.maxBatchSize) this.close(key)
    })
  }

  /** Closes every open batch now (on close: nothing waits for a timer). */
  flush (): void {
    for (const key of [...this.open.keys()]) this.close(key)
  }

  private batchFor (key: string): OpenBatch {
    let batch = this.open.get(key)
    if (batch === undefined) {
      const close = (): void => { this.close(key) }
      batch = { entries: [], timer: this.maxBatchTimeMs > 0 ? setTimeout(close, this.maxBatchTimeMs) : setImmediate(close) }
      this.open.set(key, batch)
    }
    return batch
  }

  private close (key: string): void {
    const batch = this.open.get(key)
    if (batch === undefined) return
    this.open.delete(key)
    if (this.maxBatchTimeMs > 0) clearTimeout(batch.timer as NodeJS.Timeout)
    else clearImmediate(batch.timer as NodeJS.Immediate)
    for (const e of batch.entries) if (e.onAbort !== undefined) e.signal?.removeEventListener('abort', e.onAbort)
    if (batch.entries.length > 0) this.run(batch.entries)
  }
}
