/**
 * Adaptive batching's runtime side (docs/inference-pool.md, "Adaptive batching"): which predict
 * request may join a batch, and how a closed batch becomes ONE call of the component's predict
 * whose result answers each request as its unbatched call would have been answered. SeldonRuntime
 * keeps the overridable entry points (offerToBatch, runBatch, observeBatch, predictBatch) and hands
 * the steps of its own dispatch in as {@link BatchSteps}; the queue is batcher.ts, the arrays stack.ts.
 */
import { decodePayload, type DecodedPayload, type Meta, type NDArray, type SeldonMessage, type Transport } from '@fastify-seldon/protocol'
import type { MetricsRecorder } from '../custom-metrics.js'
import { callUser, NOT_IMPLEMENTED, type MethodTable } from '../methods.js'
import { requestMeta } from '../request-message.js'
import { resultDims, settle, type Answer, type ReplySpec, type ResponseBuilder } from '../response.js'
import type { BatchEntry, Batcher } from './batcher.js'
import { batchKey, resultRows, sliceRows, stack, wrongRows } from './stack.js'

/** The fourth argument of a batched predict call: who is in the batch. */
export interface BatchInfo {
  /** How many requests were stacked (2 or more: a batch of one is called as an unbatched request). */
  size: number
  /** The rows each request gave, in order along the first axis. */
  rows: number[]
  /** Each request's meta (what the third argument of its unbatched call would have been). */
  metas: Array<Meta | undefined>
}

/** One request of a batch; `request` is its decoded payload when already decoded. */
export interface BatchRequest {
  message: unknown
  transport: Transport
  request?: DecodedPayload | undefined
}

/** One request's outcome in a batch. */
export type BatchOutcome = { ok: true, answer: Answer } | { ok: false, error: unknown }

/** A request of a batch once decoded, with its place in the batch. */
interface BatchMember {
  readonly index: number
  readonly message: unknown
  readonly transport: Transport
  readonly request: DecodedPayload
  readonly meta: Meta | undefined
}

type Predict = NonNullable<MethodTable['predict']>

/** What a batch needs of its runtime's dispatch (SeldonRuntime builds it once, from its own steps). */
export interface BatchSteps {
  readonly methods: MethodTable
  readonly response: ResponseBuilder
  /** 503 until load() has finished. */
  assertReady: () => void
  /** Whether predict may be called batched (SeldonRuntime.batchable, asked when a batch is run). */
  batchable: () => boolean
  /** One call of predict with `args`, traced as the predict call of `message` would be. */
  callPredict: (predict: Predict, args: unknown[], message: unknown, request: DecodedPayload) => unknown
  /** The unbatched predict of one decoded request (a batch left with fewer than two). */
  predictAlone: (message: unknown, transport: Transport, request: DecodedPayload) => Answer | Promise<Answer>
}

/**
 * The request's answer through a batch of `batcher`, or undefined when it cannot join one (it then
 * runs alone): a payload that does not decode to an ndarray/tensor with rows (a request that does
 * not decode, or whose meta is invalid, gets its 400 from the ordinary path).
 */
export function joinBatch (batcher: Batcher, message: unknown, transport: Transport, signal: AbortSignal | undefined): Promise<Answer> | undefined {
  let request: DecodedPayload
  try {
    request = decodePayload(message, transport)
    requestMeta(message, transport)
  } catch {
    return undefined
  }
  const key = batchKey(request)
  return key === undefined ? undefined : batcher.offer(key, message, transport, request, signal)
}

/** Each entry of a closed batch settled with its own outcome; a failed run fails them all. */
export function settleEntries (entries: readonly BatchEntry[], outcomes: Promise<BatchOutcome[]>): void {
  outcomes.then(outcomes => {
    outcomes.forEach((o, i) => {
      const e = entries[i] as BatchEntry
      if (o.ok) e.resolve(o.answer)
      else e.reject(o.error)
    })
  }, (err: unknown) => { for (const e of entries) e.reject(err) })
}

/** The batch's size, and how long each of its requests waited for it, to the metrics. */
export function observeBatch (recorder: MetricsRecorder | undefined, entries: readonly BatchEntry[]): void {
  if (recorder?.batch === undefined) return
  const now = performance.now()
  recorder.batch(entries.length, entries.map(e => (now - e.enqueued) / 1000))
}

/**
 * Requests whose arrays stack, answered by ONE call `predict(X, names, {}, batch)`: X their
 * arrays stacked along the first axis, `batch` a {@link BatchInfo}. The result goes through the
 * same steps as an unbatched one (unwrapResult, the component's metrics() and tags() asked once,
 * classNames), then is split back by rows and each request gets its own answer (its payload
 * kind mirrored, its meta merged). A result without one row per stacked row, or an error of the
 * call, fails every request of the batch; a request that does not decode fails alone; fewer than
 * two requests left run as unbatched calls.
 */
export async function predictBatch (requests: readonly BatchRequest[], steps: BatchSteps): Promise<BatchOutcome[]> {
  steps.assertReady()
  const outcomes: BatchOutcome[] = new Array(requests.length)
  const members: BatchMember[] = []
  requests.forEach((r, index) => {
    try {
      const request = r.request ?? decodePayload(r.message, r.transport)
      members.push({ index, message: r.message, transport: r.transport, request, meta: requestMeta(r.message, r.transport) })
    } catch (error) {
      outcomes[index] = { ok: false, error }
    }
  })
  const predict = steps.methods.predict
  if (members.length < 2 || predict === undefined || !steps.batchable()) {
    await Promise.all(members.map(async m => {
      outcomes[m.index] = await settle(steps.predictAlone(m.message, m.transport, m.request))
        .then(answer => ({ ok: true as const, answer }), (error: unknown) => ({ ok: false as const, error }))
    }))
    return outcomes
  }
  try {
    const answers = await callBatched(predict, members, steps)
    members.forEach((m, k) => { outcomes[m.index] = { ok: true, answer: answers[k] as Answer } })
  } catch (error) {
    for (const m of members) outcomes[m.index] = { ok: false, error }
  }
  return outcomes
}

async function callBatched (predict: Predict, members: readonly BatchMember[], steps: BatchSteps): Promise<Answer[]> {
  const { response, methods } = steps
  const arrays = members.map(m => m.request.features as NDArray)
  const rows = arrays.map(a => a.shape[0] as number)
  const total = rows.reduce((a, b) => a + b, 0)
  const first = members[0] as BatchMember
  const info: BatchInfo = { size: members.length, rows, metas: members.map(m => m.meta) }
  const value = await steps.callPredict(predict, [stack(arrays), first.request.names, {}, info], first.message, first.request)
  const parts = response.unwrapResult(value === NOT_IMPLEMENTED ? [] : value, replyFor(first))
  const got = resultRows(parts.data)
  if (got !== total) throw wrongRows(got, total, members.length)
  const { metrics, tags } = methods
  if (metrics !== undefined) response.addUserMetrics(parts, await callUser(metrics, []))
  if (tags !== undefined) response.addUserTags(parts, await callUser(tags, []))
  const classNames = resultDims(parts.data) > 1 ? await response.classNames() : undefined
  let start = 0
  return members.map((m, k) => {
    const end = start + (rows[k] as number)
    const answer = response.encodeAnswer({ ...parts, reply: replyFor(m), data: sliceRows(parts.data, start, end) }, classNames)
    start = end
    return answer
  })
}

/** How one request of a batch is answered: as its unbatched predict would be. */
function replyFor (m: BatchMember): ReplySpec {
  const meta = (m.message as SeldonMessage).meta
  return { request: m.request, transport: m.transport, method: 'predict', requestMetas: [meta], mergeRequest: true, puid: meta?.puid }
}
