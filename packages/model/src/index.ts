/**
 * @fastify-seldon/model: serve a Seldon MODEL component under a prefix of any Fastify app.
 *
 *   app.register(seldonModel, { component: new MyModel(), prefix: '/iris' })
 *
 * Routes: /predict (GET, POST), /api/v1.0/predictions and /api/v0.1/predictions (POST), plus
 * /health/ping, /health/status, /metadata and /seldon.json. The plugin is encapsulated: its body
 * parsers, error handler and 404/405 answers stay on these routes.
 */
import { requireMethod, type Model, type ComponentModule } from '@fastify-seldon/core'
import { mountSeldon, type SeldonPluginOptions } from '@fastify-seldon/rest'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

// NonNullable: core's kind types (OneOf over optional keys) include `undefined` as they stand.

export interface SeldonModelOptions extends SeldonPluginOptions {
  /** An object with `predict` (or `predictRaw` / `predict_raw`). */
  component: NonNullable<Model> | ComponentModule
}

const plugin: FastifyPluginAsync<SeldonModelOptions> = async function seldonModel (instance, opts) {
  requireMethod(opts.component, 'model', 'predict')
  await mountSeldon(instance, { ...opts, endpoints: ['predict'], corsDefault: false })
}

/** fastify-plugin only for its name and version check: `encapsulate` keeps the context private. */
export const seldonModel = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/model', encapsulate: true })
export default seldonModel
