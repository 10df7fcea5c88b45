/**
 * How the engine talks to a node's component, wherever it runs: in this process (a
 * SeldonRuntime), behind a REST endpoint (undici) or behind a gRPC endpoint (grpc-js). Every call
 * takes and returns messages in the form of the request's transport (wire.ts); a failure is a
 * NodeError (the node's own answer) or one of the graph's coded errors (unreachable, timeout...).
 */
import type { NodeOperation } from './roles.js'
import type { RequestScope } from './scope.js'
import type { Flow } from './wire.js'

export type UnitKind = 'in-process' | 'rest' | 'grpc'

export interface NodeUnit {
  readonly kind: UnitKind
  /** Where the node is, for messages: `in-process`, `http://host:port`, `grpc://host:port`. */
  readonly location: string
  /** Messages it answers are fresh from a codec (a remote node's), so owned by the engine. */
  readonly answersOwned: boolean
  /** One call: `aggregate` takes the children's outputs, every other operation one message. */
  call (operation: NodeOperation, input: Flow | readonly Flow[], scope: RequestScope): Promise<unknown>
  /** The node's model metadata (`/metadata`, `Model/Metadata`). */
  metadata (scope: RequestScope): Promise<unknown>
  /** The node's `/health/status` answer. */
  health (scope: RequestScope): Promise<unknown>
  /** Undefined when the node can serve, else why not (bounded by `timeoutMs`). */
  readiness (timeoutMs: number): Promise<string | undefined>
  /** In-process: the component's initMetadata() and load(). */
  load (): Promise<void>
}
