/**
 * gRPC server spans around grpc-js unary handlers: named by the full method path as the Python
 * wrapper's interceptor names them (`/seldon.protos.Model/Predict`), parent from the call's
 * metadata (every configured propagator: `uber-trace-id` from the executor, `traceparent`...),
 * OpenTelemetry's stable RPC attributes, status ERROR for the codes that mean a server fault.
 * The handler runs with the span active, so the user-method span is its child.
 */
import {
  context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type TextMapGetter, type Tracer
} from '@opentelemetry/api'
import type { GrpcCallLike, GrpcStatusLike, GrpcTracing, GrpcUnaryHandler } from './contract.js'

/** UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS (semconv: server errors). */
const SERVER_FAULTS = new Set([2, 4, 12, 13, 14, 15])
const UNKNOWN = 2

type Metadata = GrpcCallLike['metadata']

const metadataGetter: TextMapGetter<Metadata> = {
  get (carrier, key) {
    const values = carrier.get(key)
    return values.length === 0 ? undefined : values.map(String)
  },
  keys (carrier) {
    return Object.keys(carrier.getMap())
  }
}

/** `ipv4:127.0.0.1:5000`, `127.0.0.1:5000`, `[::1]:5000`, `ipv6:[::1]:5000` → address and port. */
export function parsePeer (peer: string): { address: string, port?: number } | undefined {
  const text = peer.replace(/^ipv[46]:/, '')
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed !== null) return bracketed[2] !== undefined ? { address: bracketed[1] as string, port: Number(bracketed[2]) } : { address: bracketed[1] as string }
  const at = text.lastIndexOf(':')
  if (at > 0 && text.indexOf(':') === at && /^\d+$/.test(text.slice(at + 1))) return { address: text.slice(0, at), port: Number(text.slice(at + 1)) }
  return text === '' ? undefined : { address: text }
}

export function grpcTracing (tracer: Tracer): GrpcTracing {
  return {
    wrapUnary<H extends GrpcUnaryHandler<any>>(path: string, handler: H, codeName: (code: number) => string): H {
      const method = path.startsWith('/') ? path.slice(1) : path
      const startAttributes: Attributes = { 'rpc.system.name': 'grpc', 'rpc.method': method }
      const traced = function seldonTracedCall (call: GrpcCallLike, callback: (error: GrpcStatusLike | null, ...rest: any[]) => void): void {
        const active = context.active()
        const parent = trace.getSpan(active) !== undefined ? active : propagation.extract(active, call.metadata, metadataGetter)
        const span = tracer.startSpan(path, { kind: SpanKind.SERVER, attributes: startAttributes }, parent)
        if (span.isRecording()) {
          const peer = parsePeer(call.getPeer())
          if (peer !== undefined) {
            span.setAttribute('network.peer.address', peer.address)
            if (peer.port !== undefined) span.setAttribute('network.peer.port', peer.port)
          }
        }
        let ended = false
        const finish = (code: number, message: string | undefined, error?: unknown): void => {
          if (ended) return
          ended = true
          span.setAttribute('rpc.status_code', codeName(code))
          span.setAttribute('rpc.grpc.status_code', code)
          if (SERVER_FAULTS.has(code)) {
            if (error instanceof Error) span.recordException(error)
            span.setAttribute('error.type', codeName(code))
            span.setStatus({ code: SpanStatusCode.ERROR, ...(message !== undefined ? { message } : {}) })
          }
          span.end()
        }
        const answer = (error: GrpcStatusLike | null, ...rest: any[]): void => {
          if (error === null || error === undefined) finish(0, undefined)
          else {
            const details = (error as { details?: unknown }).details
            finish(typeof error.code === 'number' ? error.code : UNKNOWN, typeof details === 'string' ? details : undefined)
          }
          callback(error, ...rest)
        }
        try {
          context.with(trace.setSpan(parent, span), handler as GrpcUnaryHandler, undefined, call, answer)
        } catch (err) {
          finish(UNKNOWN, err instanceof Error ? err.message : String(err), err)
          throw err
        }
      }
      return traced as unknown as H
    }
  }
}
