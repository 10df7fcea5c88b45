/**
 * @fastify-seldon/feedback: the Seldon feedback routes of a component, for models and routers that
 * learn from rewards.
 *
 *   app.register(seldonModel, { component: model })
 *   app.register(seldonFeedback, { component: model })   // same object: one shared runtime
 *
 * Routes: /send-feedback (GET, POST), /api/v1.0/feedback and /api/v0.1/feedback (POST), plus the
 * health and metadata routes when no other Seldon plugin serves them at this prefix. A component
 * without `sendFeedback` still counts the rewards and answers an empty message, as the wrapper.
 */
import type { SeldonComponent, ComponentModule } from '@fastify-seldon/core'
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

export interface SeldonFeedbackOptions extends SeldonPluginOptions {
  /** Any component; `sendFeedback` (or `send_feedback`, `sendFeedbackRaw`, `send_feedback_raw`) is called when present. */
  component: SeldonComponent | ComponentModule
}

const plugin: FastifyPluginAsync<SeldonFeedbackOptions> = async function seldonFeedback (instance, opts) {
  await mountSeldon(instance, { ...opts, endpoints: ['sendFeedback'], corsDefault: false })
}

export const seldonFeedback = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/feedback', encapsulate: true })
export default seldonFeedback
