/**
 * @fastify-seldon/graph: Seldon Core's predictor graphs run by Node, in one process, across Seldon
 * microservices (REST or gRPC), or both, with the executor's semantics (docs/graph.md).
 */
export { seldonGraph, seldonGraph as default, type SeldonGraphOptions } from './plugin.js'
export {
  GraphEngine, type CallContext, type NodeCall, type NodeCallHook, type FeedbackResult, type GraphEngineOptions, type ReadinessReport
} from './engine.js'
export {
  isGraphSpec, loadGraph, type GraphEndpoint, type GraphInput, type GraphNode, type GraphSpec, type LoadGraphOptions
} from './model.js'
export { enginePredictorValue, graphFromEnv, parseGraphText, readGraphFile } from './load.js'
export { edgeNodes, restGraphMetadata, type GraphMetadataResult } from './metadata.js'
export {
  METADATA_RPC, OPERATION_PATHS, OPERATION_RPCS, nodeOperations, nodeRoles, type NodeOperation, type NodeRoles
} from './roles.js'
export { ROUTE_ALL, ROUTE_NONE, extractRoute, feedbackRoute } from './route.js'
export {
  BadNodeAnswerError, BadRouteError, GraphBadRequestError, GraphNotReadyError, GraphOptionError, GraphSpecError,
  ModelNotFoundError, NodeError, NodeTimeoutError, NodeUnavailableError, NodeUnsupportedError, httpStatusForGrpc,
  type NodeErrorInit, type NodeGrpcStatus
} from './errors.js'
export { executorEnvelopeText, renderError, type RenderedError } from './render.js'
export { graphGrpcBackend } from './grpc-service.js'
export { GRAPH_ROUTES, type ApiCallHook, type GraphApiCall, type GraphRoute } from './routes.js'
export { PUID_HEADER, type IncomingHeaders } from './scope.js'
export * from './spec.js'
