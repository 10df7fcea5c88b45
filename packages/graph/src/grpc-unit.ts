/**
 * A remote node over gRPC, as the executor calls it: `Model/Predict`, `Transformer/TransformInput`,
 * `OutputTransformer/TransformOutput`, `Router/Route`, `Combiner/Aggregate` (a SeldonMessageList),
 * `Model/SendFeedback` and `Model/Metadata`. One grpc-js channel per endpoint (shared by the nodes at
 * the same address), messages through the protocol package's protobuf codec: the client encodes
 * and decodes itself (grpc-js only moves bytes), so a codec error is reported as ours, not as
 * grpc-js's INTERNAL.
 */
import { Client, credentials, status as Status, type Metadata, type ServiceError } from '@grpc/grpc-js'
import {
  decodeSeldonMessage, decodeSeldonModelMetadata, encodeFeedback, encodeSeldonMessage, encodeSeldonMessageList,
  type SeldonMessage
} from '@fastify-seldon/protocol'
import { BadNodeAnswerError, NodeError, NodeTimeoutError, NodeUnavailableError, NodeUnsupportedError, httpStatusForGrpc } from './errors.js'
import { METADATA_RPC, OPERATION_RPCS, type NodeOperation } from './roles.js'
import type { RequestScope } from './scope.js'
import type { NodeUnit } from './unit.js'
import { convertForm, type Flow } from './wire.js'
import { setOwnKey } from '@fastify-seldon/protocol/internal'

/** The executor's client limit (2^31-1) both ways: the serving side sets the real one. */
const MAX_MESSAGE = 2 ** 31 - 1

/** One channel per address, shared by every node there; closed together. */
export class GrpcChannels {
  private readonly clients = new Map<string, Client>()

  get (address: string): Client {
    let client = this.clients.get(address)
    if (client === undefined) {
      client = new Client(address, credentials.createInsecure(), {
        'grpc.max_receive_message_length': MAX_MESSAGE,
        'grpc.max_send_message_length': MAX_MESSAGE
      })
      this.clients.set(address, client)
    }
    return client
  }

  close (): void {
    for (const client of this.clients.values()) client.close()
    this.clients.clear()
  }
}

const asIs = (bytes: Buffer): Buffer => bytes
const EMPTY = Buffer.alloc(0)

export class GrpcUnit implements NodeUnit {
  readonly kind = 'grpc'
  readonly answersOwned = true
  readonly location: string
  private readonly client: Client

  /** `timeout`: ms per call (the call's deadline), 0 for none. */
  constructor (readonly node: string, address: string, channels: GrpcChannels, private readonly timeout: number) {
    this.location = `grpc://${address}`
    this.client = channels.get(address)
  }

  async call (operation: NodeOperation, input: Flow | readonly Flow[], scope: RequestScope): Promise<unknown> {
    let bytes: Buffer
    if (operation === 'aggregate') {
      bytes = encodeSeldonMessageList({ seldonMessages: (input as readonly Flow[]).map(f => f.message as SeldonMessage) })
    } else if (operation === 'sendFeedback') {
      bytes = encodeFeedback((input as Flow).message as never)
    } else {
      bytes = encodeSeldonMessage((input as Flow).message as SeldonMessage)
    }
    const reply = await this.unary(OPERATION_RPCS[operation], bytes, scope.grpcMetadata())
    let answer: SeldonMessage
    try {
      answer = decodeSeldonMessage(reply)
    } catch (err) {
      throw new BadNodeAnswerError(`Node ${this.node} (${this.location}) answered a malformed SeldonMessage: ${(err as Error).message}`)
    }
    return convertForm(answer, 'grpc', scope.transport)
  }

  async metadata (scope: RequestScope): Promise<unknown> {
    const reply = await this.unary(METADATA_RPC, EMPTY, scope.grpcMetadata())
    try {
      return decodeSeldonModelMetadata(reply)
    } catch (err) {
      throw new BadNodeAnswerError(`Node ${this.node} (${this.location}) answered malformed metadata: ${(err as Error).message}`)
    }
  }

  async health (): Promise<unknown> {
    throw new NodeUnsupportedError(`Node ${this.node} is called over gRPC, whose Seldon services have no health status`)
  }

  readiness (timeoutMs: number): Promise<string | undefined> {
    return new Promise(resolve => {
      this.client.waitForReady(Date.now() + timeoutMs, err => {
        resolve(err === undefined || err === null ? undefined : `${this.location} not reachable: ${err.message}`)
      })
    })
  }

  async load (): Promise<void> {}

  private unary (path: string, request: Buffer, metadata: Metadata): Promise<Buffer> {
    const options = this.timeout > 0 ? { deadline: Date.now() + this.timeout } : {}
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(path, asIs, asIs, request, metadata, options, (err, reply) => {
        if (err !== null && err !== undefined) reject(this.failure(err, path))
        else resolve(reply ?? EMPTY)
      })
    })
  }

  /** The node's own status passes through; a deadline we set or a connection we could not make is ours. */
  private failure (err: ServiceError, path: string): Error {
    const trailers = textTrailers(err.metadata)
    const answeredBySeldon = trailers['seldon-http-status'] !== undefined
    if (!answeredBySeldon && err.code === Status.DEADLINE_EXCEEDED && this.timeout > 0) {
      return new NodeTimeoutError(`Node ${this.node} (${this.location}${path}) did not answer within ${this.timeout} ms`)
    }
    if (!answeredBySeldon && err.code === Status.UNAVAILABLE) {
      return new NodeUnavailableError(`Node ${this.node} (${this.location}${path}) is unreachable: ${err.details}`)
    }
    const declared = Number(trailers['seldon-http-status'])
    const statusCode = Number.isInteger(declared) && declared >= 400 && declared <= 599 ? declared : httpStatusForGrpc(err.code)
    return new NodeError(this.node, { statusCode, grpc: { code: err.code, details: err.details, metadata: trailers } })
  }
}

function textTrailers (metadata: Metadata | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (metadata === undefined) return out
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === 'string') setOwnKey(out, key, value)
  }
  return out
}
