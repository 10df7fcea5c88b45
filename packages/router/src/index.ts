/**
 * @fastify-seldon/router: serve a Seldon ROUTER component under a prefix of any Fastify app.
 *
 *   app.register(seldonRouter, { component: new MyRouter(), prefix: '/router' })
 *
 * Routes: /route (GET, POST), plus /health/ping, /health/status, /metadata and /seldon.json.
 * Register @fastify-seldon/feedback beside it for the routers that learn from rewards.
 */
import { requireMethod, type ComponentModule, type RouterLike } from '@fastify-seldon/core'
import { mountSeldon, type SeldonPluginOptions } from '@fastify-seldon/rest'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

// What a user writes, from this one package: the kind's interfaces and the payload types.
export type {
  RawRouter, Router, RouterComponent, RouterLike, ClassNames, Payload
} from '@fastify-seldon/core'
export type { Feedback, JsonValue, Meta, Metric, SeldonMessage, SeldonMessageList } from '@fastify-seldon/protocol'
export { NDArray } from '@fastify-seldon/protocol'
export { NotImplementedError, SeldonResponse, type ComponentModule, type ErrorHandlerEntry } from '@fastify-seldon/core'

export interface SeldonRouterOptions extends SeldonPluginOptions {
  /** An object with `route` (or `routeRaw` / `route_raw`). */
  component: RouterLike | ComponentModule
}

const plugin: FastifyPluginAsync<SeldonRouterOptions> = async function seldonRouter (instance, opts) {
  requireMethod(opts.component, 'router', 'route')
  await mountSeldon(instance, { ...opts, endpoints: ['route'], corsDefault: false })
}

export const seldonRouter = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/router', encapsulate: true })
export default seldonRouter
