/**
 * @fastify-seldon/combiner: serve a Seldon COMBINER component under a prefix of any Fastify app.
 *
 *   app.register(seldonCombiner, { component: new MyCombiner(), prefix: '/combiner' })
 *
 * Routes: /aggregate (GET, POST; the body is a JSON array of SeldonMessages, as the executor
 * sends it, or `{"seldonMessages": [...]}`), plus /health/ping, /health/status, /metadata and
 * /seldon.json.
 */
import { requireMethod, type ComponentModule, type CombinerLike } from '@fastify-seldon/core'
import { mountSeldon, type SeldonPluginOptions } from '@fastify-seldon/rest'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

// What a user writes, from this one package: the kind's interfaces and the payload types.
export type {
  Combiner, CombinerComponent, CombinerLike, RawCombiner, ClassNames, Payload
} from '@fastify-seldon/core'
export type { Feedback, JsonValue, Meta, Metric, SeldonMessage, SeldonMessageList } from '@fastify-seldon/protocol'
export { NDArray } from '@fastify-seldon/protocol'
export { NotImplementedError, SeldonResponse, type ComponentModule, type ErrorHandlerEntry } from '@fastify-seldon/core'

export interface SeldonCombinerOptions extends SeldonPluginOptions {
  /** An object with `aggregate` (or `aggregateRaw` / `aggregate_raw`). */
  component: CombinerLike | ComponentModule
}

const plugin: FastifyPluginAsync<SeldonCombinerOptions> = async function seldonCombiner (instance, opts) {
  requireMethod(opts.component, 'combiner', 'aggregate')
  await mountSeldon(instance, { ...opts, endpoints: ['aggregate'], corsDefault: false })
}

export const seldonCombiner = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/combiner', encapsulate: true })
export default seldonCombiner
