/**
 * User-method spans: an INTERNAL child of whatever is active (the REST or gRPC server span, or the
 * host app's span when embedded) around one call of the component's method, active while the
 * method runs, so the user's own `@opentelemetry/api` spans nest under it.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api'
import type { InstrumentUserMethod, MethodTracing } from './contract.js'

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
}

function fail (span: Span, err: unknown): void {
  if (err instanceof Error) span.recordException(err)
  span.setAttribute('error.type', err instanceof Error ? err.name : typeof err)
  span.setStatus({ code: SpanStatusCode.ERROR, ...(err instanceof Error ? { message: err.message } : {}) })
}

export function methodTracing (tracer: Tracer): MethodTracing {
  return {
    forComponent (componentName: string): InstrumentUserMethod {
      return function instrument<T> (method: string, call: () => T, puid?: string, payloadKind?: string): T {
        const parent = context.active()
        const attributes: Attributes = { 'seldon.component': componentName, 'seldon.method': method }
        if (puid !== undefined && puid !== '') attributes['seldon.puid'] = puid
        if (payloadKind !== undefined) attributes['seldon.payload.kind'] = payloadKind
        const span = tracer.startSpan(method, { kind: SpanKind.INTERNAL, attributes }, parent)
        let result: T
        try {
          result = context.with(trace.setSpan(parent, span), call)
        } catch (err) {
          fail(span, err)
          span.end()
          throw err
        }
        if (!isThenable(result)) {
          span.end()
          return result
        }
        return Promise.resolve(result).then(value => {
          span.end()
          return value
        }, (err: unknown) => {
          fail(span, err)
          span.end()
          throw err
        }) as T
      }
    }
  }
}
