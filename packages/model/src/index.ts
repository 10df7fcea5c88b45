/**
 * @fastify-seldon/model: serve a Seldon MODEL component under a prefix of any Fastify app.
 *
 *   app.register(seldonModel, { component: new MyModel(), prefix: '/iris' })
 *
 * Routes: /predict (GET, POST), /api/v1.0/predictions and /api/v0.1/predictions (POST), plus
 * /health/ping, /health/status, /metadata and /seldon.json. The plugin is encapsulated: its body
 * parsers, error handler and 404/405 answers stay on these routes.
 */
import { requireMethod, type ComponentModule, type ModelLike } from '@fastify-seldon/core'
import { mountSeldon, type SeldonPluginOptions } from '@fastify-seldon/rest'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

// What a user writes, from this one package: the kind's interfaces and the payload types.
export type {
  Model, ModelComponent, ModelLike, RawModel, ClassNames, Payload
} from '@fastify-seldon/core'
export type { Feedback, JsonValue, Meta, Metric, SeldonMessage, SeldonMessageList } from '@fastify-seldon/protocol'
export { NDArray } from '@fastify-seldon/protocol'
export { NotImplementedError, SeldonResponse, type ComponentModule, type ErrorHandlerEntry } from '@fastify-seldon/core'

export interface SeldonModelOptions extends SeldonPluginOptions {
  /** An object with `predict` (or `predictRaw` / `predict_raw`). */
  component: ModelLike | ComponentModule
}

const plugin: FastifyPluginAsync<SeldonModelOptions> = async function seldonModel (instance, opts) {
  requireMethod(opts.component, 'model', 'predict')
  await mountSeldon(instance, { ...opts, endpoints: ['predict'], corsDefault: false })
}

/** fastify-plugin only for its name and version check: `encapsulate` keeps the context private. */
export const seldonModel = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/model', encapsulate: true })
export default seldonModel
