/**
 * The messages between the main thread and an inference thread: what a task asks, what it answers,
 * and what a thread says on its own (ready, failed).
 */
import type { Metric } from '@fastify-seldon/protocol'
import type { MethodLabel } from '../endpoints.js'
import type { ComponentModule } from './module-ref.js'
import type { PackedError } from './wire.js'

/** The runtime's dispatching operations a thread serves. */
export type PoolOperation =
  | 'predict' | 'transformInput' | 'transformOutput' | 'route' | 'aggregate' | 'sendFeedback' | 'health'
  | 'predictPassthrough' | 'predictBatch'

/** workerData of every thread: the component to build and the runtime's data-only options. */
export interface ThreadInit {
  component: { module: string, export?: string | undefined, parameters?: ComponentModule['parameters'] }
  runtime: {
    unitId?: string | undefined
    unitImage?: string | undefined
    includeMetricsInResponse?: boolean | undefined
    executorEnabled?: boolean | undefined
    modelMetadata?: string | undefined
  }
}

export interface PoolTask {
  op: PoolOperation
  transport: 'rest' | 'grpc'
  /** The request message (packed), or for predictBatch the list of messages. */
  message: unknown
}

/** What the custom-metrics recorder of a thread saw during a task, replayed on the main thread. */
export type MetricRecord = { kind: 'record', metrics: Metric[], method: MethodLabel } | { kind: 'feedback', reward: number }

/** One answer: the final bytes or text to write (REST JSON text, gRPC SeldonMessage bytes). */
export interface EncodedAnswer {
  ok: true
  statusCode: number
  verbatim: boolean
  encoded: string | Uint8Array
}

export interface FailedAnswer {
  ok: false
  error: PackedError
}

export type TaskAnswer = EncodedAnswer | FailedAnswer

export interface TaskResult {
  /** One answer per request (one, or the batch's). */
  answers: TaskAnswer[]
  records: MetricRecord[]
}

/** The key of the messages a thread posts on its own (piscina forwards them as the pool's 'message' event). */
export const THREAD_MESSAGE = 'seldonInferenceThread'

export type ThreadMessage =
  | { [THREAD_MESSAGE]: 'ready', threadId: number, metadata: Record<string, unknown> | null, methods: string[], batchable: boolean, logs: string[] }
  | { [THREAD_MESSAGE]: 'failed', threadId: number, error: PackedError }
