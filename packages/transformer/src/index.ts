/**
 * @fastify-seldon/transformer: serve Seldon TRANSFORMER / OUTPUT_TRANSFORMER components under a
 * prefix of any Fastify app.
 *
 *   app.register(seldonTransformer, { component: new Scale() })          // both routes
 *   app.register(seldonInputTransformer, { component: new Scale() })     // /transform-input only
 *   app.register(seldonOutputTransformer, { component: new Scale() })    // /transform-output only
 *
 * Each also serves /health/ping, /health/status, /metadata and /seldon.json (once per prefix).
 */
import { requireMethod, type ComponentModule, type InputTransformerLike, type OutputTransformerLike, type PayloadEndpoint } from '@fastify-seldon/core'
import { mountSeldon, type SeldonPluginOptions } from '@fastify-seldon/rest'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

// What a user writes, from this one package: the kinds' interfaces and the payload types.
export type {
  InputTransformer, InputTransformerLike, OutputTransformer, OutputTransformerComponent, OutputTransformerLike,
  RawInputTransformer, RawOutputTransformer, TransformerComponent, ClassNames, Payload
} from '@fastify-seldon/core'
export type { Feedback, JsonValue, Meta, Metric, SeldonMessage, SeldonMessageList } from '@fastify-seldon/protocol'
export { NDArray } from '@fastify-seldon/protocol'
export { NotImplementedError, SeldonResponse, type ComponentModule, type ErrorHandlerEntry } from '@fastify-seldon/core'

export interface SeldonInputTransformerOptions extends SeldonPluginOptions {
  /** An object with `transformInput` (or `transform_input`, `transformInputRaw`, `transform_input_raw`). */
  component: InputTransformerLike | ComponentModule
}

export interface SeldonOutputTransformerOptions extends SeldonPluginOptions {
  /** An object with `transformOutput` (or `transform_output`, `transformOutputRaw`, `transform_output_raw`). */
  component: OutputTransformerLike | ComponentModule
}

export interface SeldonTransformerOptions extends SeldonPluginOptions {
  /** An object with an input transform, an output transform, or both. */
  component: InputTransformerLike | OutputTransformerLike | ComponentModule
}

const input: FastifyPluginAsync<SeldonInputTransformerOptions> = async function seldonInputTransformer (instance, opts) {
  requireMethod(opts.component, 'input transformer', 'transformInput')
  await mountSeldon(instance, { ...opts, endpoints: ['transformInput'], corsDefault: false })
}

const output: FastifyPluginAsync<SeldonOutputTransformerOptions> = async function seldonOutputTransformer (instance, opts) {
  requireMethod(opts.component, 'output transformer', 'transformOutput')
  await mountSeldon(instance, { ...opts, endpoints: ['transformOutput'], corsDefault: false })
}

/**
 * Both routes, as the wrapper's TRANSFORMER serves them; a side the component does not implement
 * answers its input unchanged (the wrapper's identity default).
 */
const both: FastifyPluginAsync<SeldonTransformerOptions> = async function seldonTransformer (instance, opts) {
  const endpoints: PayloadEndpoint[] = ['transformInput', 'transformOutput']
  requireMethod(opts.component, 'transformer', endpoints)
  await mountSeldon(instance, { ...opts, endpoints, corsDefault: false })
}

export const seldonInputTransformer = fp(input, { fastify: '5.x', name: '@fastify-seldon/transformer:input', encapsulate: true })
export const seldonOutputTransformer = fp(output, { fastify: '5.x', name: '@fastify-seldon/transformer:output', encapsulate: true })
export const seldonTransformer = fp(both, { fastify: '5.x', name: '@fastify-seldon/transformer', encapsulate: true })
export default seldonTransformer
