/**
 * @fastify-seldon/rest/internal: the REST glue's building blocks, for this repository's tests and
 * tools. Not a public API: names here may change in any release. Plugin authors use the package's
 * main entry (`mountSeldon`, `SeldonPluginOptions`).
 */
export { resolveOptions, validatePluginOptions, type ResolvedOptions } from './options.js'
export { FormBody, JsonBody, OtherBody, MULTIPART_CLEANUP_HOOKS, readPayload, readRawPayload, registerBodyParsers, type KeptBody } from './body.js'
export { sendAnswer, sendJsonText } from './reply.js'
export { withoutHooks } from './without-hooks.js'
export { buildErrorHandler, restErrorStatus, scopeErrorHandlers } from './errors.js'
export {
  DOC_ONLY, MissingSwaggerUiError, SWAGGER_UI_PACKAGE, addDocumentationSchemas, docGroupFor, getSchema, openApiDocument, postSchema, registerDocs, registerOpenApi,
  type BodyKind, type DocGroup
} from './openapi.js'
