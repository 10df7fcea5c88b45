/**
 * Which calls a node makes: the executor's node-type table (docs/graph.md, "Node types"), from
 * seldon-core v1.18.2 executor/predictor/predictor_process.go. `type` implies calls, `methods`
 * adds calls on top (it never removes one), `RANDOM_ABTEST` routes without a call.
 *
 * | type               | before children                  | choose children | after children          | feedback        |
 * |--------------------|----------------------------------|-----------------|-------------------------|-----------------|
 * | MODEL              | /predict                         | all             | —                       | /send-feedback  |
 * | TRANSFORMER        | /transform-input                 | all             | —                       | —               |
 * | ROUTER             | —                                | /route          | —                       | /send-feedback  |
 * | COMBINER           | —                                | all             | /aggregate              | —               |
 * | OUTPUT_TRANSFORMER | —                                | all             | /transform-output       | —               |
 * | UNKNOWN_TYPE, none | — (pass-through)                 | all             | —                       | —               |
 *
 * methods: TRANSFORM_INPUT → /transform-input (a MODEL then calls it *instead of* /predict),
 * TRANSFORM_OUTPUT → /transform-output, ROUTE → /route, AGGREGATE → /aggregate,
 * SEND_FEEDBACK → /send-feedback. RANDOM_ABTEST chooses a child when the node does not route.
 */
import { ENDPOINTS, type Endpoint, type GrpcMethod, type RestPath } from '@fastify-seldon/core'
import type { PredictiveUnitMethod, PredictiveUnitType } from './spec.js'

/** The calls a node makes to its component (in-process or remote). */
export type NodeOperation = 'predict' | 'transformInput' | 'transformOutput' | 'route' | 'aggregate' | 'sendFeedback'

export interface NodeRoles {
  /** Called with the node's input before its children: /predict or /transform-input. */
  readonly before: 'predict' | 'transformInput' | undefined
  /** How the children are chosen: a /route call, the built-in A/B test, or all of them. */
  readonly route: 'call' | 'abtest' | 'all'
  /** /aggregate over the children's outputs. */
  readonly aggregate: boolean
  /** /transform-output over the children's (aggregated or first) output. */
  readonly transformOutput: boolean
  /** /send-feedback after the children got the feedback. */
  readonly sendFeedback: boolean
}

export function nodeRoles (
  type: PredictiveUnitType | undefined, implementation: string | undefined, methods: readonly PredictiveUnitMethod[]
): NodeRoles {
  const has = (m: PredictiveUnitMethod): boolean => methods.includes(m)
  const transformInput = type === 'TRANSFORMER' || has('TRANSFORM_INPUT')
  const routes = type === 'ROUTER' || has('ROUTE')
  return {
    before: transformInput ? 'transformInput' : type === 'MODEL' ? 'predict' : undefined,
    route: routes ? 'call' : implementation === 'RANDOM_ABTEST' ? 'abtest' : 'all',
    aggregate: type === 'COMBINER' || has('AGGREGATE'),
    transformOutput: type === 'OUTPUT_TRANSFORMER' || has('TRANSFORM_OUTPUT'),
    sendFeedback: type === 'MODEL' || type === 'ROUTER' || has('SEND_FEEDBACK')
  }
}

/** The operations a node calls on its component, in the order a request meets them. */
export function nodeOperations (roles: NodeRoles, hasChildren: boolean): NodeOperation[] {
  const ops: NodeOperation[] = []
  if (roles.before !== undefined) ops.push(roles.before)
  if (hasChildren && roles.route === 'call') ops.push('route')
  if (hasChildren && roles.aggregate) ops.push('aggregate')
  if (roles.transformOutput) ops.push('transformOutput')
  if (roles.sendFeedback) ops.push('sendFeedback')
  return ops
}

/**
 * How the executor calls a node, read from core's endpoint table (one home for paths and
 * methods): the Python wrapper's REST path of each operation (its first route), and the gRPC
 * method of the operation's own service (not `Generic`; feedback goes to Model/SendFeedback for
 * routers too: seldon-core v1.18.2 executor/api/grpc/seldon/client.go).
 */
function callsOf (endpoint: Endpoint): { path: string, rpc: string } {
  const spec = ENDPOINTS[endpoint]
  const grpc = spec.grpc.find(m => m.service !== 'Generic') as GrpcMethod
  return { path: (spec.rest[0] as RestPath).url, rpc: `/seldon.protos.${grpc.service}/${grpc.rpc}` }
}

const OPERATIONS: readonly NodeOperation[] = ['predict', 'transformInput', 'transformOutput', 'route', 'aggregate', 'sendFeedback']

/** Seldon's REST path of each operation (`/predict`, `/transform-input`...). */
export const OPERATION_PATHS: Readonly<Record<NodeOperation, string>> =
  Object.fromEntries(OPERATIONS.map(op => [op, callsOf(op).path])) as Record<NodeOperation, string>

/** Seldon's gRPC method of each operation (`/seldon.protos.Model/Predict`...). */
export const OPERATION_RPCS: Readonly<Record<NodeOperation, string>> =
  Object.fromEntries(OPERATIONS.map(op => [op, callsOf(op).rpc])) as Record<NodeOperation, string>

export const METADATA_RPC = callsOf('metadata').rpc
