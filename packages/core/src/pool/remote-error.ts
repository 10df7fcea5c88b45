/**
 * Errors thrown in an inference thread, re-created on the main thread so that the REST and gRPC
 * error paths answer them exactly as they answer the same error thrown on the main thread:
 *
 *   - a Seldon error keeps its HTTP status, reason and code;
 *   - an error the component's own `errorHandlers` rendered in the thread carries that rendering
 *     (REST body and status, gRPC status), and the main side's one handler entry replays it;
 *   - any other error becomes an instance of the class of the same name exported by the component
 *     module (imported on the main thread, never constructed), so handlers registered with
 *     @fastify-seldon/errors match it with instanceof; a class the module does not export becomes
 *     a plain Error with the same name, message and properties.
 */
import { SeldonMicroserviceError } from '@fastify-seldon/protocol'
import type { ErrorHandlerEntry } from '../component.js'
import type { PackedError } from './wire.js'

const RENDERED = Symbol('seldon.renderedInThread')

type Handled = NonNullable<PackedError['handled']>

/** An error that the component's own handler already rendered in its thread. */
export class ThreadRenderedError extends Error {
  declare [RENDERED]: Handled
}

function assign (target: Error, packed: PackedError): Error {
  for (const [key, value] of Object.entries(packed.props)) {
    try { (target as unknown as Record<string, unknown>)[key] = value } catch {}
  }
  if (target.name !== packed.name) {
    Object.defineProperty(target, 'name', { value: packed.name, writable: true, enumerable: false, configurable: true })
  }
  if (packed.stack !== undefined) {
    Object.defineProperty(target, 'stack', { value: packed.stack, writable: true, enumerable: false, configurable: true })
  }
  return target
}

/** The main side's copy of an error, `exports` being the component module's exports when imported. */
export function reviveError (packed: PackedError, exports?: Record<string, unknown>): Error {
  if (packed.handled !== undefined) {
    const err = assign(new ThreadRenderedError(packed.message), packed) as ThreadRenderedError
    err[RENDERED] = packed.handled
    return err
  }
  if (packed.seldon !== undefined) {
    const err = new SeldonMicroserviceError(packed.message, { statusCode: packed.seldon.statusCode, reason: packed.seldon.reason })
    err.code = packed.seldon.code
    return assign(err, packed)
  }
  if (exports !== undefined) {
    for (const name of packed.classes) {
      const Ctor = Object.values(exports).find(v => typeof v === 'function' && v.name === name && v.prototype instanceof Error) as
        (new () => Error) | undefined
      if (Ctor !== undefined) {
        const err = Object.create(Ctor.prototype) as Error
        Object.defineProperty(err, 'message', { value: packed.message, writable: true, enumerable: false, configurable: true })
        return assign(err, packed)
      }
    }
  }
  return assign(new Error(packed.message), packed)
}

/**
 * The one `errorHandlers` entry of a pooled component on the main thread: it answers with what the
 * component's own handler answered in the thread (and throws what that handler threw).
 */
export const THREAD_RENDERED_HANDLER: ErrorHandlerEntry & { grpcStatus: (err: ThreadRenderedError) => Handled['grpc'] } = {
  error: ThreadRenderedError,
  handle (err: ThreadRenderedError) {
    const handled = err[RENDERED]
    if (handled.rest !== undefined) return handled.rest
    throw reviveError(handled.restError ?? { name: 'Error', message: 'error handler failed', classes: [], props: {} })
  },
  grpcStatus (err: ThreadRenderedError) {
    return err[RENDERED].grpc
  }
}
