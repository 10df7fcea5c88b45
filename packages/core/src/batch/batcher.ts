/**
 * Adaptive batching's queue, in front of one component's predict: concurrent predict requests whose
 * arrays can stack (the same batch key: stack.ts) gather in an open batch, which closes when it
 * holds `maxBatchSize` requests or when its first request has waited `maxBatchTimeMs`; the closed
 * batch becomes one call of the component's predict (docs/inference-pool.md, "Adaptive batching").
 * A request that cannot join (another payload, a raw method, another endpoint) is never offered.
 * A request that gives up while its batch is open leaves it; once the batch has closed it is part
 * of the call, and its answer is dropped. Leaving is checked (`signal.aborted`) when the batch is
 * about to close, by size or by time, rather than by an abort listener per request: adding and
 * removing a listener on an AbortSignal (an EventTarget) cost 15-30 µs per request, measured in
 * process on 32-request batches (5.6 µs per request without it, 20-40 µs with it).
 */
import { TimeoutError, type DecodedPayload, type Transport } from '@fastify-seldon/protocol'
import type { Answer } from '../response.js'

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
}

interface OpenBatch {
  entries: BatchEntry[]
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
      const batch = this.batchFor(key)
      batch.entries.push(entry)
      if (batch.entries.length >= this.maxBatchSize && leave(batch.entries).length >= this.maxBatchSize) this.close(key)
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
    const entries = leave(batch.entries)
    if (entries.length > 0) this.run(entries)
  }
}

/** The entries still waiting: those whose request gave up are rejected with its reason and left out. */
function leave (entries: BatchEntry[]): BatchEntry[] {
  let kept = 0
  for (const e of entries) {
    if (e.signal?.aborted === true) e.reject(e.signal.reason ?? new TimeoutError(0))
    else entries[kept++] = e
  }
  entries.length = kept
  return entries
}
