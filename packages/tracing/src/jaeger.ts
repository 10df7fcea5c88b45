/**
 * Jaeger's native propagation format, what Seldon's executor sends on every call:
 *
 *   uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}     (hex; flags bit 1 sampled, bit 2 debug)
 *   uberctx-{key}: {url-encoded value}                                (baggage)
 *
 * Ours rather than `@opentelemetry/propagator-jaeger`: that package ends at 2.12 (the 3.x line
 * dropped it) and takes bad flags for "sampled" and non-hex ids as ids. Here a malformed header is
 * no context at all (the request starts a new trace), 64-bit trace ids are left-padded to 128 bits
 * (Jaeger stores ids as high/low halves, so the padded id joins the executor's 64-bit trace), the
 * debug flag implies sampled, and a `%3A`-encoded header (jaeger-client-python URL-encodes) is
 * decoded first.
 */
import {
  isSpanContextValid, propagation, trace, TraceFlags,
  type Context, type SpanContext, type TextMapGetter, type TextMapPropagator, type TextMapSetter
} from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'

export const UBER_TRACE_ID = 'uber-trace-id'
export const UBER_BAGGAGE_PREFIX = 'uberctx-'

const HEX = /^[0-9a-f]+$/
const ZEROS = /^0+$/

function hexId (text: string, length: number): string | undefined {
  const id = text.toLowerCase()
  if (id.length === 0 || id.length > length || !HEX.test(id) || ZEROS.test(id)) return undefined
  return id.padStart(length, '0')
}

/** The span context in an `uber-trace-id` value, or undefined when it is malformed. */
export function parseUberTraceId (value: string): SpanContext | undefined {
  let text = value.trim()
  if (text.includes('%')) {
    try { text = decodeURIComponent(text) } catch { return undefined }
  }
  const parts = text.split(':')
  if (parts.length !== 4) return undefined
  const [rawTrace, rawSpan, rawParent, rawFlags] = parts as [string, string, string, string]
  const traceId = hexId(rawTrace, 32)
  const spanId = hexId(rawSpan, 16)
  // The parent id is informative only ("0" for a root), but it has to be hex like the rest.
  if (traceId === undefined || spanId === undefined || rawParent.length > 16 || !HEX.test(rawParent.toLowerCase())) return undefined
  if (!/^[0-9a-f]{1,2}$/i.test(rawFlags)) return undefined
  const flags = Number.parseInt(rawFlags, 16)
  // bit 1 sampled, bit 2 debug (a debug trace is always sampled)
  const sampled = (flags & 0x3) !== 0
  return { traceId, spanId, isRemote: true, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }
}

function first (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export class JaegerPropagator implements TextMapPropagator {
  inject (context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context)
    if (spanContext !== undefined && isSpanContextValid(spanContext) && !isTracingSuppressed(context)) {
      const flags = (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? '01' : '00'
      setter.set(carrier, UBER_TRACE_ID, `${spanContext.traceId}:${spanContext.spanId}:0:${flags}`)
    }
    const baggage = propagation.getBaggage(context)
    if (baggage === undefined) return
    for (const [key, entry] of baggage.getAllEntries()) {
      setter.set(carrier, `${UBER_BAGGAGE_PREFIX}${key}`, encodeURIComponent(entry.value))
    }
  }

  extract (context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let out = context
    const header = first(getter.get(carrier, UBER_TRACE_ID))
    if (typeof header === 'string') {
      const spanContext = parseUberTraceId(header)
      if (spanContext !== undefined) out = trace.setSpanContext(out, spanContext)
    }
    let baggage = propagation.getBaggage(out)
    let changed = false
    for (const key of getter.keys(carrier)) {
      const lower = key.toLowerCase()
      if (!lower.startsWith(UBER_BAGGAGE_PREFIX) || lower.length === UBER_BAGGAGE_PREFIX.length) continue
      const raw = first(getter.get(carrier, key))
      if (typeof raw !== 'string') continue
      let value = raw
      try { value = decodeURIComponent(raw) } catch { /* keep the raw text */ }
      baggage = (baggage ?? propagation.createBaggage()).setEntry(lower.slice(UBER_BAGGAGE_PREFIX.length), { value })
      changed = true
    }
    return changed && baggage !== undefined ? propagation.setBaggage(out, baggage) : out
  }

  fields (): string[] {
    return [UBER_TRACE_ID]
  }
}
