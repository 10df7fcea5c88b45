/**
 * The graph's errors. Two families:
 *
 *   - the graph's own (a bad graph at start-up, a router answering an impossible route, a remote
 *     node that cannot be reached or times out, an unknown node name...): coded errors with an
 *     HTTP status and a Seldon `reason`, rendered by the executor's envelope (docs/graph.md);
 *   - a node's error ({@link NodeError}): what the node itself answered (a remote node's status and
 *     body, kept as they are), or what an in-process node threw (rendered the way the node's own
 *     container would have rendered it).
 */
import createError from '@fastify/error'
import { defineSeldonError } from '@fastify-seldon/protocol/internal'

/** A graph definition (or the `components` given for it) that cannot run; thrown at start-up. */
export const GraphSpecError = createError<[string]>('SELDON_ERR_GRAPH_SPEC', '%s', 500, TypeError)
/** A plugin or engine option of the wrong type. */
export const GraphOptionError = createError<[string]>('SELDON_ERR_GRAPH_OPTION', '%s', 500, TypeError)

/** A router answered a route the executor would crash on (out of range, not an integer, no data). */
export const BadRouteError = defineSeldonError('SELDON_ERR_GRAPH_BAD_ROUTE', '%s', 500, 'GRAPH_BAD_ROUTE')
/** A node answered 200 with something that is not a Seldon message. */
export const BadNodeAnswerError = defineSeldonError('SELDON_ERR_GRAPH_BAD_ANSWER', '%s', 500, 'GRAPH_BAD_NODE_ANSWER')
/** A remote node could not be reached (refused, reset, DNS...). */
export const NodeUnavailableError = defineSeldonError('SELDON_ERR_GRAPH_NODE_UNAVAILABLE', '%s', 500, 'GRAPH_NODE_UNAVAILABLE')
/** A remote node did not answer within the call timeout. */
export const NodeTimeoutError = defineSeldonError('SELDON_ERR_GRAPH_NODE_TIMEOUT', '%s', 504, 'GRAPH_NODE_TIMEOUT')
/** `/metadata/{model}`, `/status/{model}`: no node of that name (the executor: 500 "Failed to find model"). */
export const ModelNotFoundError = defineSeldonError('SELDON_ERR_GRAPH_MODEL_NOT_FOUND', 'Failed to find model %s', 404, 'GRAPH_MODEL_NOT_FOUND')
/** Readiness: some node is not ready; the message names them. */
export const GraphNotReadyError = defineSeldonError('SELDON_ERR_GRAPH_NOT_READY', 'Graph not ready: %s', 503, 'GRAPH_NOT_READY')
/** A feature a node's transport does not have (health status over gRPC). */
export const NodeUnsupportedError = defineSeldonError('SELDON_ERR_GRAPH_UNSUPPORTED', '%s', 501, 'GRAPH_UNSUPPORTED')
/** The client's request cannot go through the graph (bad feedback routing, unreadable body...). */
export const GraphBadRequestError = defineSeldonError('SELDON_ERR_GRAPH_BAD_REQUEST', '%s', 400, 'MICROSERVICE_BAD_DATA')

/** A gRPC status as a remote node answered it. */
export interface NodeGrpcStatus {
  code: number
  details: string
  /** Text trailers (seldon-reason, seldon-http-status...). */
  metadata: Record<string, string>
}

export interface NodeErrorInit {
  /** HTTP status of the answer. */
  statusCode: number
  /** A remote REST node's body, byte for byte. */
  body?: Buffer
  contentType?: string
  /** A remote gRPC node's status. */
  grpc?: NodeGrpcStatus
  /** What an in-process node threw (or answered with a non-200 status). */
  cause?: unknown
  /** The in-process node's component (its own error handlers render `cause`). */
  component?: object
}

/**
 * A node's own failure, passed through to the caller as the executor does: the graph stops and
 * answers the node's status and body. When several children of a fan-out fail, the one with the
 * lowest index wins.
 */
export class NodeError extends Error {
  readonly node: string
  readonly statusCode: number
  readonly body: Buffer | undefined
  readonly contentType: string | undefined
  readonly grpc: NodeGrpcStatus | undefined
  readonly component: object | undefined

  constructor (node: string, init: NodeErrorInit) {
    super(nodeErrorMessage(node, init), init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'NodeError'
    this.node = node
    this.statusCode = init.statusCode
    this.body = init.body
    this.contentType = init.contentType
    this.grpc = init.grpc
    this.component = init.component
  }
}

function nodeErrorMessage (node: string, init: NodeErrorInit): string {
  if (init.grpc !== undefined) return `node ${node} failed: ${init.grpc.details}`
  if (init.cause !== undefined) return `node ${node} failed: ${(init.cause as Error)?.message ?? String(init.cause)}`
  return `node ${node} answered ${init.statusCode}`
}

/** gRPC code → HTTP status: one table, beside its inverse, in @fastify-seldon/grpc. */
export { httpStatusForGrpc } from '@fastify-seldon/grpc'
