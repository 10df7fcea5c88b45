/**
 * @fastify-seldon/component: the all-in-one plugin. It serves every route the Python wrapper
 * serves, whatever the component's kind (the wrapper ignores the service type too): predict,
 * transform-input/output, route, aggregate, feedback, health, metadata and /seldon.json, with
 * CORS on (flask-cors defaults). This is what the seldon-microservice CLI mounts.
 *
 *   app.register(seldonComponent, { component: new MyModel() })
 */
import { PAYLOAD_ENDPOINTS, type ComponentModule, type SeldonComponent } from '@fastify-seldon/core'
import { mountSeldon, type SeldonPluginOptions } from '@fastify-seldon/rest'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

// What a user writes, from this one package: the component interfaces and the payload types.
export type {
  ClassNames, Combiner, InputTransformer, Model, OutputTransformer, Payload, RawCombiner, RawInputTransformer, RawModel,
  RawOutputTransformer, RawRouter, Router, SeldonComponent
} from '@fastify-seldon/core'
export type { Feedback, JsonValue, Meta, Metric, SeldonMessage, SeldonMessageList } from '@fastify-seldon/protocol'
export { NDArray } from '@fastify-seldon/protocol'
export { NotImplementedError, SeldonResponse, type ErrorHandlerEntry } from '@fastify-seldon/core'

export interface SeldonComponentOptions extends SeldonPluginOptions {
  /**
   * The user's component: an instance of a class with any of the Seldon methods, or with `threads`
   * a module reference `{ module, export?, parameters? }` (docs/inference-pool.md).
   */
  component: SeldonComponent | ComponentModule
}

const plugin: FastifyPluginAsync<SeldonComponentOptions> = async function seldonComponent (instance, opts) {
  await mountSeldon(instance, { ...opts, endpoints: PAYLOAD_ENDPOINTS, corsDefault: true, docsDefault: true })
}

export const seldonComponent = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/component', encapsulate: true })
export default seldonComponent
