export { seldonGrpc, seldonGrpc as default, type SeldonGrpcPluginOptions, type SeldonGrpcDecoration } from './plugin.js'
export {
  createGrpcServer, DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_RECEIVE_WINDOW, DEFAULT_SHUTDOWN_TIMEOUT, HTTP2_DEFAULT_WINDOW,
  type GrpcCallHook, type GrpcServerOptions, type SeldonGrpcServer
} from './server.js'
export { GrpcStatusError, runtimeBackend, seldonTrailers, type GrpcBackend } from './backend.js'
export {
  CODECS, DecodeFailure, SELDON_PACKAGE, SELDON_RPCS, SELDON_SERVICE_NAMES, methodPath, seldonServices,
  serverMethodDefinition, type GrpcEndpoint, type RpcSpec, type SeldonServiceName, type WireType
} from './services.js'
export { Status, grpcCodeForHttp, httpStatusForGrpc, grpcCodeName, grpcStatusFor, type GrpcErrorMapper, type GrpcErrorStatus, type GrpcStatusObject } from './status.js'
export { LISTED_SERVICES, REFLECTION_V1ALPHA, addReflection, reflectionPackageDefinition } from './reflection.js'
export { canSetReceiveWindow } from './window.js'
export { fixPackageDefinition, mapEntryName, snakeCase } from './descriptors.js'
