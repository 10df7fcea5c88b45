/**
 * @fastify-seldon/rest: the REST glue shared by the Seldon plugins. Plugin authors call
 * `mountSeldon(instance, { component, endpoints, corsDefault, ...options })` on an encapsulated
 * context; `SeldonPluginOptions` is the options type every kind plugin takes. The building blocks
 * (body reading, reply rendering, the error handler, the OpenAPI document) are internals, on the
 * explicit `@fastify-seldon/rest/internal` subpath.
 */
export { mountSeldon, type MountOptions } from './mount.js'
export type { SeldonPluginOptions } from './options.js'
