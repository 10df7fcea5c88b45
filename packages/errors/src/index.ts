/**
 * @fastify-seldon/errors: custom error handlers for the Seldon component plugins of a scope (the
 * Python wrapper's `model_error_handler` blueprint). It decorates the scope it is registered in
 * (fastify-plugin) with the list of handlers; the component plugins of that scope and below read
 * it when an error happens, after the component's own `errorHandlers`. The host's other routes
 * are not affected: only the components' error handlers consult the list.
 *
 *   class QuotaError extends Error { statusCode = 402 }
 *   app.register(seldonErrorHandlers, {
 *     handlers: [{ error: QuotaError, handle: err => ({ statusCode: err.statusCode, body: { status: { message: err.message } } }) }]
 *   })
 *   app.register(seldonModel, { component })
 */
import { ERROR_HANDLERS_DECORATOR, validateErrorHandlers, type ErrorHandlerEntry } from '@fastify-seldon/core'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

export type { ErrorHandlerEntry } from '@fastify-seldon/core'

export interface SeldonErrorHandlersOptions {
  /** `{ error: ErrorClass, handle (err) { return { statusCode, body, headers? } } }`, matched with instanceof. */
  handlers: ErrorHandlerEntry[]
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The custom error handlers the Seldon component plugins of this scope consult. */
    seldonErrorHandlers?: readonly ErrorHandlerEntry[]
  }
}

const plugin: FastifyPluginAsync<SeldonErrorHandlersOptions> = async function seldonErrorHandlers (instance: FastifyInstance, opts) {
  const handlers = validateErrorHandlers(opts?.handlers, 'option handlers')
  if (!instance.hasDecorator(ERROR_HANDLERS_DECORATOR)) {
    instance.decorate(ERROR_HANDLERS_DECORATOR, Object.freeze([...handlers]))
    return
  }
  // Registered again (here or in a child scope): the new entries come after the ones inherited,
  // on this scope only, so "first registered wins" holds and a parent's list is never changed.
  const inherited = instance.seldonErrorHandlers ?? []
  Object.defineProperty(instance, ERROR_HANDLERS_DECORATOR, {
    value: Object.freeze([...inherited, ...handlers]), writable: true, enumerable: true, configurable: true
  })
}

export const seldonErrorHandlers = fp(plugin, { fastify: '5.x', name: '@fastify-seldon/errors' })
export default seldonErrorHandlers
