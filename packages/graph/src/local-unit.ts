/**
 * An in-process node: the node's component behind its own SeldonRuntime (the node's name as
 * `PREDICTIVE_UNIT_ID`), called with no HTTP in between. It merges `meta` exactly as the Python
 * wrapper in its own container would (its `requestPath` entry, tags, metrics), and it fails the way
 * that container would answer: the runtime's error, rendered later by the caller's transport.
 */
import type { Answer, SeldonRuntime } from '@fastify-seldon/core'
import { errorStatus, jsonResponseText, parseJson, type Transport } from '@fastify-seldon/protocol'
import { BadNodeAnswerError, NodeError } from './errors.js'
import type { NodeOperation } from './roles.js'
import type { RequestScope } from './scope.js'
import type { NodeUnit } from './unit.js'
import { handOver, type Flow } from './wire.js'

/** The message an in-process node receives. */
function input (flow: Flow, transport: Transport): unknown {
  return handOver(flow, transport)
}

export class LocalUnit implements NodeUnit {
  readonly kind = 'in-process'
  readonly location = 'in-process'
  readonly answersOwned = false

  constructor (readonly node: string, readonly runtime: SeldonRuntime) {}

  async call (operation: NodeOperation, given: Flow | readonly Flow[], scope: RequestScope): Promise<unknown> {
    const transport = scope.transport
    const runtime = this.runtime
    let answer: Promise<Answer>
    switch (operation) {
      case 'aggregate': {
        const list = (given as readonly Flow[]).map(flow => input(flow, transport))
        // the executor sends a bare array over REST and a SeldonMessageList over gRPC
        answer = runtime.aggregate(transport === 'rest' ? list : { seldonMessages: list }, transport)
        break
      }
      case 'sendFeedback':
        answer = runtime.sendFeedback(handOver(given as Flow, transport, 'feedback'), transport)
        break
      default:
        answer = runtime[operation](input(given as Flow, transport), transport)
    }
    return this.message(await this.guard(answer), transport)
  }

  async metadata (): Promise<unknown> {
    return await this.guard(Promise.resolve().then(() => {
      this.runtime.assertReady()
      return this.runtime.metadata()
    }))
  }

  async health (scope: RequestScope): Promise<unknown> {
    return this.message(await this.guard(this.runtime.health(scope.transport)), scope.transport)
  }

  async readiness (): Promise<string | undefined> {
    try {
      this.runtime.assertReady()
      return undefined
    } catch (err) {
      return (err as Error).message
    }
  }

  load (): Promise<void> {
    return this.runtime.load()
  }

  /** What the component threw, as the node's error (its own handlers render it later). */
  private async guard<T> (work: Promise<T>): Promise<T> {
    try {
      return await work
    } catch (err) {
      throw new NodeError(this.node, { statusCode: errorStatus(err).statusCode, cause: err, component: this.runtime.component })
    }
  }

  /**
   * The message in an answer. A raw method may answer a status of its own (a non-200 is the node's
   * error, as its container would answer it) or text, which its container would send as the body.
   */
  private message (answer: Answer, transport: Transport): unknown {
    const message = answer.message
    const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('utf8') : undefined
    if (answer.statusCode !== 200) {
      const body = Buffer.from(text ?? jsonResponseText(message), 'utf8')
      throw new NodeError(this.node, { statusCode: answer.statusCode, body, contentType: 'application/json' })
    }
    if (text === undefined) return message
    if (transport === 'grpc') throw new BadNodeAnswerError(`Node ${this.node} answered text, which is no SeldonMessage over gRPC`)
    try {
      return parseJson(text)
    } catch {
      throw new BadNodeAnswerError(`Node ${this.node} answered a body that is not JSON`)
    }
  }
}
