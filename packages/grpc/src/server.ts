/**
 * The framework-free core: a grpc-js Server serving the seven seldon.protos services through a
 * SeldonRuntime (the same dispatch as REST), with meaningful error statuses, message-size limits,
 * server reflection, a per-call hook for metrics and a draining shutdown. The Fastify plugin is
 * thin glue over {@link createGrpcServer}.
 */
import {
  Server, ServerCredentials, status as Status,
  type sendUnaryData, type ServerOptions, type ServerUnaryCall, type UntypedServiceImplementation
} from '@grpc/grpc-js'
import { SeldonRuntime, type TracingHooks } from '@fastify-seldon/core'
import { OverloadedError, TimeoutError, grpcCodeName } from '@fastify-seldon/protocol'
import { GrpcStatusError, runtimeBackend, seldonTrailers, statusOf, type GrpcBackend } from './backend.js'
import { addReflection } from './reflection.js'
import { setConnectionWindow, setStreamWindow } from './window.js'
import {
  DecodeFailure, SELDON_PACKAGE, SELDON_RPCS, SELDON_SERVICE_NAMES, methodPath, serverMethodDefinition, type RpcSpec, type SeldonServiceName
} from './services.js'
import type { GrpcErrorMapper } from './status.js'

/** gRPC's default receive limit, and ours for sending too. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 4 * 1024 * 1024
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000

/**
 * Called once per handled call, when its status is sent: `service` is the full name
 * (`seldon.protos.Model`), `method` the RPC (`Predict`), `code` the canonical status name (`OK`,
 * `INVALID_ARGUMENT`...), `seconds` the handling time. Calls refused by grpc-js before reaching a
 * handler (unknown method, oversized request) are not reported.
 */
export type GrpcCallHook = (service: string, method: string, code: string, seconds: number) => void

export interface GrpcServerOptions {
  /** Port to bind (0 picks a free one). Default 5000, the wrapper's. */
  port?: number
  /** Interface to bind. Default `0.0.0.0`. */
  host?: string
  /** `grpc.max_receive_message_length` (bytes; -1 unlimited). Default 4 MiB. */
  maxReceiveMessageLength?: number
  /** `grpc.max_send_message_length` (bytes; -1 unlimited). Default 4 MiB. */
  maxSendMessageLength?: number
  /** Serve grpc.reflection (v1alpha and v1). Default true. */
  reflection?: boolean
  /** Per-call hook (metrics). Exceptions it throws are ignored. */
  onCall?: GrpcCallHook
  /** Custom error → gRPC status mapping, tried before the default one. */
  errorMapper?: GrpcErrorMapper
  /** Grace period of `shutdown()` before in-flight calls are cancelled (ms). Default 10 s. */
  shutdownTimeout?: number
  /** Extra grpc-js server options (channel arguments), applied under the ones above. */
  serverOptions?: ServerOptions
  /**
   * Server-side time limit of a call (ms; 0 or absent: none, the client's deadline only). Past it
   * the call answers DEADLINE_EXCEEDED (REST's 504), whatever the component is still doing.
   */
  callTimeout?: number
  /**
   * Load shedding: when it returns true a call is refused at once with UNAVAILABLE (REST's 503),
   * e.g. `() => app.isUnderPressure()` from @fastify/under-pressure.
   */
  isOverloaded?: () => boolean
  /**
   * Tracing on: each call gets a SERVER span named by its full method (`/seldon.protos.Model/Predict`),
   * its parent from the call's metadata (docs/tracing.md). Absent: handlers are not wrapped.
   */
  tracing?: TracingHooks | undefined
  /**
   * The HTTP/2 receive window of the server (bytes), per stream and per connection; absent:
   * HTTP/2's 64 KiB. A large request waits one round trip per window's worth of bytes.
   */
  receiveWindow?: number
}

export interface SeldonGrpcServer {
  readonly server: Server
  /** The bound port once started. */
  readonly port: number | undefined
  /** Runs the runtime's load() (once), then binds; resolves with the bound port. */
  start (): Promise<number>
  /**
   * Stops accepting calls and waits for in-flight ones (tryShutdown); after `graceMs` the rest are
   * cancelled (forceShutdown). Resolves `{ forced }` when the server is down. Idempotent.
   */
  shutdown (graceMs?: number): Promise<{ forced: boolean }>
}

function hostPort (host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * The answer, or a TimeoutError after `ms` (0: no limit); the timer never keeps the process alive.
 * `controller` (a backend that queues requests) is aborted at the timeout, so a request still
 * waiting is dropped.
 */
function withTimeout<T> (answer: Promise<T>, ms: number, controller?: AbortController): Promise<T> {
  if (ms <= 0) return answer
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(ms)
      controller?.abort(err)
      reject(err)
    }, ms)
    timer.unref()
  })
  return Promise.race([answer, limit]).finally(() => clearTimeout(timer))
}

/**
 * A server for `source`: a component's runtime (the seven seldon.protos services) or any
 * {@link GrpcBackend} (a graph's `Seldon` service). `errorMapper` applies to a runtime's failures.
 */
function isBackend (source: SeldonRuntime | GrpcBackend): source is GrpcBackend {
  if (source instanceof SeldonRuntime) return false
  const b = source as Partial<GrpcBackend> | null
  return b !== null && typeof b === 'object' && typeof b.call === 'function' && typeof b.status === 'function' && typeof b.load === 'function'
}

export function createGrpcServer (source: SeldonRuntime | GrpcBackend, options: GrpcServerOptions = {}): SeldonGrpcServer {
  const host = options.host ?? '0.0.0.0'
  const maxReceive = options.maxReceiveMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH
  const maxSend = options.maxSendMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH
  const shutdownTimeout = options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT
  const { onCall, errorMapper, isOverloaded } = options
  const callTimeout = options.callTimeout ?? 0

  const server = new Server({
    ...options.serverOptions,
    'grpc.max_receive_message_length': maxReceive,
    'grpc.max_send_message_length': maxSend
  })

  const backend = isBackend(source) ? source : runtimeBackend(source, errorMapper)
  const served = new Set<SeldonServiceName>(backend.services ?? SELDON_SERVICE_NAMES)

  const report = (spec: RpcSpec, code: Status, started: bigint): void => {
    if (onCall === undefined) return
    try {
      onCall(`${SELDON_PACKAGE}.${spec.service}`, spec.rpc, grpcCodeName(code), Number(process.hrtime.bigint() - started) / 1e9)
    } catch {
      // A metrics hook must never fail a call.
    }
  }

  const handler = (spec: RpcSpec) => {
    const operation = spec.endpoint
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      const started = process.hrtime.bigint()
      const fail = async (err: unknown): Promise<void> => {
        const status = await statusOf(backend, err)
        report(spec, call.cancelled ? Status.CANCELLED : status.code, started)
        callback(status, null)
      }
      // Never an unhandled rejection (it would end the process): answer INTERNAL if still possible.
      const lastResort = (err: unknown): void => {
        try { callback({ code: Status.INTERNAL, details: err instanceof Error ? err.message : String(err) }, null) } catch {}
      }
      const request = call.request
      if (request instanceof DecodeFailure) {
        fail(new GrpcStatusError(Status.INVALID_ARGUMENT, request.message, seldonTrailers('MICROSERVICE_BAD_DATA', 400))).catch(lastResort)
        return
      }
      if (isOverloaded?.() === true) {
        fail(new OverloadedError()).catch(lastResort)
        return
      }
      // Every operation is async: whatever it throws arrives as a rejection.
      // A backend that queues requests drops this one while it waits if the call is cancelled or times out.
      let controller: AbortController | undefined
      if (backend.cancellable === true) {
        const c = controller = new AbortController()
        call.once('cancelled', () => { c.abort() })
      }
      const options = controller !== undefined ? { signal: controller.signal } : undefined
      withTimeout(backend.call(operation, request, call, options), callTimeout, controller).then(bytes => {
        if (maxSend !== -1 && bytes.byteLength > maxSend) {
          return fail(new GrpcStatusError(Status.RESOURCE_EXHAUSTED, `Response message larger than max (${bytes.byteLength} vs. ${maxSend})`))
        }
        report(spec, call.cancelled ? Status.CANCELLED : Status.OK, started)
        callback(null, bytes)
      }, fail).catch(lastResort)
    }
  }

  const implementations = new Map<SeldonServiceName, { definition: Record<string, unknown>, impl: UntypedServiceImplementation }>()
  for (const spec of SELDON_RPCS) {
    if (!served.has(spec.service)) continue
    let entry = implementations.get(spec.service)
    if (entry === undefined) implementations.set(spec.service, entry = { definition: {}, impl: {} })
    entry.definition[spec.rpc] = serverMethodDefinition(spec)
    const grpcTracing = options.tracing?.grpc
    entry.impl[spec.rpc] = grpcTracing === undefined
      ? handler(spec)
      : grpcTracing.wrapUnary(methodPath(spec.service, spec.rpc), handler(spec), grpcCodeName)
  }
  for (const { definition, impl } of implementations.values()) server.addService(definition as never, impl)
  if (options.reflection ?? true) addReflection(server)

  let boundPort: number | undefined
  let starting: Promise<number> | undefined
  let stopping: Promise<{ forced: boolean }> | undefined

  const { receiveWindow } = options
  if (receiveWindow !== undefined && !(Number.isInteger(receiveWindow) && receiveWindow >= 65_535 && receiveWindow <= 2 ** 31 - 1)) {
    throw new RangeError(`receiveWindow must be an integer from 65535 to ${2 ** 31 - 1} (bytes), got ${String(receiveWindow)}`)
  }
  const start = async (): Promise<number> => {
    await backend.load()
    if (receiveWindow !== undefined) setStreamWindow(server, receiveWindow)
    return await new Promise<number>((resolve, reject) => {
      server.bindAsync(hostPort(host, options.port ?? 5000), ServerCredentials.createInsecure(), (err, port) => {
        if (err !== null) { reject(err); return }
        if (receiveWindow !== undefined) setConnectionWindow(server, receiveWindow)
        boundPort = port
        resolve(port)
      })
    })
  }

  const shutdown = (graceMs = shutdownTimeout): Promise<{ forced: boolean }> => {
    stopping ??= new Promise(resolve => {
      let forced = false
      const timer = setTimeout(() => {
        forced = true
        server.forceShutdown()
        resolve({ forced })
      }, graceMs)
      timer.unref?.()
      server.tryShutdown(() => {
        clearTimeout(timer)
        resolve({ forced })
      })
    })
    return stopping
  }

  return {
    server,
    get port () { return boundPort },
    start: () => (starting ??= start()),
    shutdown
  }
}
