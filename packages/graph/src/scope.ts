/**
 * The state of one request through the graph (the executor's per-request `PredictorProcess`): its
 * transport, its puid, the headers to forward to remote nodes, and the route each node took.
 *
 * Forwarded headers: like the executor, every inbound request header goes to every remote node
 * (seldon-core v1.18.2 executor/api/rest/client.go), `Seldon-Puid` included (generated when the
 * caller sent none) — except those that describe the inbound connection or body rather than the
 * request (`Host`, `Content-Length`, hop-by-hop headers...), which the HTTP client sets itself.
 * With tracing on, the active trace context is written into each call's headers or metadata
 * (core's injectTraceContext: W3C `traceparent`, Jaeger `uber-trace-id`), so the remote node's
 * spans join the request's trace.
 */
import { Metadata } from '@grpc/grpc-js'
import { injectTraceContext, type TracingHooks } from '@fastify-seldon/core'
import type { Transport } from '@fastify-seldon/protocol'

export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>

export const PUID_HEADER = 'seldon-puid'

/** Headers of the inbound connection or body, never forwarded. */
const NOT_FORWARDED = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'content-length', 'content-type', 'content-encoding', 'expect', 'accept-encoding', 'http2-settings', PUID_HEADER
])

/** Besides those, what gRPC reserves or sets itself. */
function forwardableOverGrpc (name: string): boolean {
  return !name.startsWith(':') && !name.startsWith('grpc-') && !name.endsWith('-bin') && name !== 'user-agent'
}

export class RequestScope {
  /** The route each node took (-1 all, -2 none, N), for `meta.routing`. */
  readonly routing = new Map<string, number>()
  private restForward: Record<string, string | string[]> | undefined
  private grpcForward: Metadata | undefined

  constructor (
    readonly transport: Transport,
    readonly puid: string,
    private readonly incoming: IncomingHeaders = {},
    /** Tracing on: each remote call carries the active trace context (docs/tracing.md). */
    private readonly tracing?: TracingHooks
  ) {}

  /** The headers of a REST call to a remote node (a fresh object per call). */
  restHeaders (): Record<string, string | string[]> {
    if (this.restForward === undefined) {
      const out: Record<string, string | string[]> = {}
      for (const [name, value] of Object.entries(this.incoming)) {
        const lower = name.toLowerCase()
        if (value === undefined || NOT_FORWARDED.has(lower)) continue
        out[lower] = value
      }
      out[PUID_HEADER] = this.puid
      this.restForward = out
    }
    const headers = { ...this.restForward }
    injectTraceContext(this.tracing, headers)
    return headers
  }

  /** The metadata of a gRPC call to a remote node (a fresh copy per call). */
  grpcMetadata (): Metadata {
    if (this.grpcForward === undefined) {
      const metadata = new Metadata()
      for (const [name, value] of Object.entries(this.incoming)) {
        const lower = name.toLowerCase()
        if (value === undefined || NOT_FORWARDED.has(lower) || !forwardableOverGrpc(lower)) continue
        for (const v of Array.isArray(value) ? value : [value]) metadata.add(lower, v)
      }
      metadata.set(PUID_HEADER, this.puid)
      this.grpcForward = metadata
    }
    const metadata = this.grpcForward.clone()
    injectTraceContext(this.tracing, metadata)
    return metadata
  }
}
