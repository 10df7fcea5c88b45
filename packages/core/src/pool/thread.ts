/**
 * An inference thread (the piscina worker file): it imports the component module, constructs its
 * own instance with the parameters, runs its own initMetadata() and load() (like each gunicorn
 * worker of the Python wrapper), says "ready" to the main thread, then serves tasks through its own
 * SeldonRuntime: the same dispatch as on the main thread, so tags(), metrics(), classNames() and
 * errors behave the same. Answers go back encoded (REST JSON text, gRPC bytes), their buffers moved.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { encodeSeldonMessage, stringifyJson, type Metric } from '@fastify-seldon/protocol'
import type { ErrorHandlerEntry } from '../component.js'
import type { MetricsRecorder } from '../custom-metrics.js'
import type { MethodLabel } from '../endpoints.js'
import { componentErrorHandlers, findErrorHandler } from '../kit/error-handlers.js'
import type { BatchOutcome, BatchRequest } from '../batch/batched-predict.js'
import type { Answer } from '../response.js'
import { SeldonRuntime } from '../runtime.js'
import { instantiateModule } from './module-ref.js'
import {
  THREAD_MESSAGE, type EncodedAnswer, type MetricRecord, type PoolTask, type TaskAnswer, type TaskResult, type ThreadInit,
  type ThreadMessage
} from './protocol.js'
import { movable, pack, packError, unpack, type PackedError } from './wire.js'

/** From this length on REST text goes back as bytes (moved, so the main thread writes them as they are). */
const LARGE_TEXT = 16 * 1024

const init = workerData as ThreadInit
let records: MetricRecord[] = []
const recorder: MetricsRecorder = {
  record (metrics: readonly Metric[], method: MethodLabel) { records.push({ kind: 'record', metrics: [...metrics], method }) },
  feedback (reward: number) { records.push({ kind: 'feedback', reward }) }
}

function post (message: ThreadMessage): void {
  parentPort?.postMessage(message)
}

let runtime: SeldonRuntime | undefined
let handlers: ErrorHandlerEntry[] = []
let failure: unknown

try {
  const logs: string[] = []
  const component = await instantiateModule(init.component)
  runtime = new SeldonRuntime(component, { ...init.runtime, metrics: recorder, log: message => { logs.push(message) } })
  await runtime.load()
  try { handlers = componentErrorHandlers(component) } catch { handlers = [] }
  post({ [THREAD_MESSAGE]: 'ready', threadId, metadata: runtime.metadataOrNull(), methods: Object.keys(runtime.methods), batchable: runtime.batchable, logs })
} catch (err) {
  failure = err
  post({ [THREAD_MESSAGE]: 'failed', threadId, error: packError(err) })
}

function encode (answer: Answer, transport: PoolTask['transport'], transfer: ArrayBuffer[]): EncodedAnswer {
  const { message, statusCode } = answer
  const verbatim = answer.verbatim === true
  let encoded: string | Uint8Array
  if (transport === 'grpc') {
    encoded = encodeSeldonMessage(message as never)
  } else if (verbatim && (typeof message === 'string' || Buffer.isBuffer(message))) {
    encoded = message
  } else {
    const text = `${stringifyJson(message ?? null)}\n`
    // The codec escapes every non-ASCII character: latin1 is the text's UTF-8.
    encoded = text.length >= LARGE_TEXT ? Buffer.from(text, 'latin1') : text
  }
  if (typeof encoded !== 'string') encoded = movable(encoded, transfer)
  return { ok: true, statusCode, verbatim, encoded }
}

/** The error, with the component's own handler already run (its answer travels, not the handler). */
async function failed (err: unknown): Promise<TaskAnswer> {
  const error: PackedError = packError(err)
  const entry = findErrorHandler(handlers, err) as (ErrorHandlerEntry & { grpcStatus?: (e: unknown) => unknown }) | undefined
  if (entry !== undefined) {
    error.handled = {}
    try {
      const r = await entry.handle(err)
      error.handled.rest = { statusCode: r.statusCode, body: r.body, headers: r.headers }
    } catch (handlerError) {
      error.handled.restError = packError(handlerError)
    }
    try {
      const g = typeof entry.grpcStatus === 'function' ? entry.grpcStatus(err) : undefined
      if (g !== undefined) error.handled.grpc = structuredClone(g) as NonNullable<PackedError['handled']>['grpc']
    } catch {
      // a throwing grpcStatus() is ignored, as on the main thread
    }
  }
  return { ok: false, error }
}

async function dispatch (rt: SeldonRuntime, task: PoolTask, message: unknown): Promise<Answer> {
  const t = task.transport
  switch (task.op) {
    case 'predict': return await rt.predict(message, t)
    case 'transformInput': return await rt.transformInput(message, t)
    case 'transformOutput': return await rt.transformOutput(message, t)
    case 'route': return await rt.route(message, t)
    case 'aggregate': return await rt.aggregate(message, t)
    case 'sendFeedback': return await rt.sendFeedback(message, t)
    case 'health': return await rt.health(t)
    case 'predictPassthrough': return await rt.predictPassthrough(message as string | Buffer)
    default: throw new TypeError(`unknown operation ${String(task.op)}`)
  }
}

/** A batch the main thread gathered: one predict call here, one answer per request, each encoded for its transport. */
async function predictBatch (rt: SeldonRuntime, requests: BatchRequest[], transfer: ArrayBuffer[]): Promise<TaskAnswer[]> {
  const outcomes = await rt.predictBatch(requests)
  const answers: TaskAnswer[] = []
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i] as BatchOutcome
    try {
      answers.push(o.ok ? encode(o.answer, (requests[i] as BatchRequest).transport, transfer) : await failed(o.error))
    } catch (err) {
      answers.push(await failed(err))
    }
  }
  return answers
}

export default async function serve (task: PoolTask): Promise<unknown> {
  records = []
  const transfer: ArrayBuffer[] = []
  let answers: TaskAnswer[]
  if (runtime === undefined) {
    answers = [await failed(failure)]
  } else {
    try {
      answers = task.op === 'predictBatch'
        ? await predictBatch(runtime, unpack(task.message) as BatchRequest[], transfer)
        : [encode(await dispatch(runtime, task, unpack(task.message)), task.transport, transfer)]
    } catch (err) {
      answers = [await failed(err)]
    }
  }
  const result: TaskResult = { answers, records: pack(records, transfer) as MetricRecord[] }
  return Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as never)
}
