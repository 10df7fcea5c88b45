/**
 * @fastify-seldon/rest: the REST glue shared by the Seldon plugins. Plugin authors call
 * `mountSeldon(instance, { component, endpoints, corsDefault, ...options })` on an encapsulated
 * context; everything else is exported for the plugins and tests.
 */
export { mountSeldon, type MountOptions } from './mount.js'
export { resolveOptions, validatePluginOptions, type ResolvedOptions, type SeldonPluginOptions } from './options.js'
export { FormBody, JsonBody, OtherBody, readPayload, readRawPayload, registerBodyParsers, type KeptBody } from './body.js'
export { sendAnswer, sendJsonText } from './reply.js'
export { buildErrorHandler, restErrorStatus, scopeErrorHandlers } from './errors.js'
export {
  DOC_ONLY, addDocumentationSchemas, docGroupFor, getSchema, openApiDocument, postSchema, registerDocs, registerOpenApi,
  type BodyKind, type DocGroup
} from './openapi.js'
