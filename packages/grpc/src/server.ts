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
/** HTTP/2's own receive window (bytes), the least a server may open. */
export const HTTP2_DEFAULT_WINDOW = 65_535
/**
 * The server's HTTP/2 receive window by default (bytes): 1 MiB, so that an 800 kB request arrives
 * in one window instead of a dozen round trips: half the CPU and ~40 % of the median latency of a
 * sequential 100k-value tensor call (BENCHMARKS.md, "Issue 18: the CLI path, round 3"), for at most
 * 1 MiB of unread data held per connection. `seldon-microservice` has the same default
 * (`--grpc-receive-window`).
 */
export const DEFAULT_RECEIVE_WINDOW = 1024 * 1024
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
   * The HTTP/2 receive window of the server (bytes), per stream and per connection; default
   * {@link DEFAULT_RECEIVE_WINDOW} (1 MiB); {@link HTTP2_DEFAULT_WINDOW} (65535) keeps HTTP/2's.
   * A large request waits one round trip per window's worth of bytes.
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

/** {@link GrpcServerOptions} with every default filled in, checked once. */
interface ServerSettings {
  host: string
  port: number
  maxReceive: number
  maxSend: number
  shutdownTimeout: number
  callTimeout: number
  reflection: boolean
  receiveWindow: number
  onCall: GrpcCallHook | undefined
  isOverloaded: (() => boolean) | undefined
  tracing: TracingHooks | undefined
}

function settingsFrom (options: GrpcServerOptions): ServerSettings {
  const { receiveWindow = DEFAULT_RECEIVE_WINDOW } = options
  if (!(Number.isInteger(receiveWindow) && receiveWindow >= HTTP2_DEFAULT_WINDOW && receiveWindow <= 2 ** 31 - 1)) {
    throw new RangeError(`receiveWindow must be an integer from 65535 to ${2 ** 31 - 1} (bytes), got ${String(receiveWindow)}`)
  }
  return {
    host: options.host ?? '0.0.0.0',
    port: options.port ?? 5000,
    maxReceive: options.maxReceiveMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH,
    maxSend: options.maxSendMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH,
    shutdownTimeout: options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT,
    callTimeout: options.callTimeout ?? 0,
    reflection: options.reflection ?? true,
    receiveWindow,
    onCall: options.onCall,
    isOverloaded: options.isOverloaded,
    tracing: options.tracing
  }
}

/**
 * The handler of one RPC: refuses what cannot be served (undecodable request, overload), calls the
 * backend under the call timeout, sends the answer or the failure's status, and reports each call
 * once to the `onCall` hook.
 */
class UnaryRpcHandler {
  readonly #spec: RpcSpec
  readonly #backend: GrpcBackend
  readonly #settings: ServerSettings

  constructor (spec: RpcSpec, backend: GrpcBackend, settings: ServerSettings) {
    this.#spec = spec
    this.#backend = backend
    this.#settings = settings
  }

  /** The function grpc-js calls (bound, so it can be handed over as is). */
  get unary (): (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void {
    return (call, callback) => { this.handle(call, callback) }
  }

  handle (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void {
    const started = process.hrtime.bigint()
    const request = call.request
    const refusal = this.refusalOf(request)
    // Never an unhandled rejection (it would end the process): answer INTERNAL if still possible.
    const lastResort = (err: unknown): void => { this.sendLastResort(callback, err) }
    if (refusal !== undefined) {
      this.fail(call, callback, started, refusal).catch(lastResort)
      return
    }
    // Every operation is async: whatever it throws arrives as a rejection.
    const controller = this.abortControllerFor(call)
    const options = controller !== undefined ? { signal: controller.signal } : undefined
    withTimeout(this.#backend.call(this.#spec.endpoint, request, call, options), this.#settings.callTimeout, controller).then(
      bytes => this.answer(call, callback, started, bytes),
      err => this.fail(call, callback, started, err)
    ).catch(lastResort)
  }

  /** Why a call is refused before the backend sees it: an undecodable request, or load shedding. */
  private refusalOf (request: unknown): Error | undefined {
    if (request instanceof DecodeFailure) {
      return new GrpcStatusError(Status.INVALID_ARGUMENT, request.message, seldonTrailers('MICROSERVICE_BAD_DATA', 400))
    }
    if (this.#settings.isOverloaded?.() === true) return new OverloadedError()
    return undefined
  }

  /** A backend that queues requests drops this one while it waits if the call is cancelled or times out. */
  private abortControllerFor (call: ServerUnaryCall<unknown, unknown>): AbortController | undefined {
    if (this.#backend.cancellable !== true) return undefined
    const controller = new AbortController()
    call.once('cancelled', () => { controller.abort() })
    return controller
  }

  private async answer (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>, started: bigint, bytes: Uint8Array): Promise<void> {
    const { maxSend } = this.#settings
    if (maxSend !== -1 && bytes.byteLength > maxSend) {
      await this.fail(call, callback, started, new GrpcStatusError(Status.RESOURCE_EXHAUSTED, `Response message larger than max (${bytes.byteLength} vs. ${maxSend})`))
      return
    }
    this.report(call.cancelled ? Status.CANCELLED : Status.OK, started)
    callback(null, bytes)
  }

  private async fail (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>, started: bigint, err: unknown): Promise<void> {
    const status = await statusOf(this.#backend, err)
    this.report(call.cancelled ? Status.CANCELLED : status.code, started)
    callback(status, null)
  }

  private sendLastResort (callback: sendUnaryData<unknown>, err: unknown): void {
    try { callback({ code: Status.INTERNAL, details: err instanceof Error ? err.message : String(err) }, null) } catch {}
  }

  private report (code: Status, started: bigint): void {
    const { onCall } = this.#settings
    if (onCall === undefined) return
    try {
      onCall(`${SELDON_PACKAGE}.${this.#spec.service}`, this.#spec.rpc, grpcCodeName(code), Number(process.hrtime.bigint() - started) / 1e9)
    } catch {
      // A metrics hook must never fail a call.
    }
  }
}

/** A grpc-js Server with the backend's services (and reflection) added, started and stopped once. */
class GrpcServer implements SeldonGrpcServer {
  readonly server: Server
  readonly #backend: GrpcBackend
  readonly #settings: ServerSettings
  #boundPort: number | undefined
  #starting: Promise<number> | undefined
  #stopping: Promise<{ forced: boolean }> | undefined

  constructor (backend: GrpcBackend, settings: ServerSettings, serverOptions: ServerOptions | undefined) {
    this.#backend = backend
    this.#settings = settings
    this.server = new Server({
      ...serverOptions,
      'grpc.max_receive_message_length': settings.maxReceive,
      'grpc.max_send_message_length': settings.maxSend
    })
    const served = backend.services ?? SELDON_SERVICE_NAMES
    this.addServices(served)
    if (settings.reflection) addReflection(this.server, served)
  }

  get port (): number | undefined { return this.#boundPort }

  start (): Promise<number> {
    this.#starting ??= this.loadAndBind()
    return this.#starting
  }

  shutdown (graceMs = this.#settings.shutdownTimeout): Promise<{ forced: boolean }> {
    this.#stopping ??= this.drain(graceMs)
    return this.#stopping
  }

  /** One service definition per served service, each RPC's handler wrapped by tracing when on. */
  private addServices (names: readonly SeldonServiceName[]): void {
    const served = new Set(names)
    const services = new Map<SeldonServiceName, { definition: Record<string, unknown>, impl: UntypedServiceImplementation }>()
    for (const spec of SELDON_RPCS) {
      if (!served.has(spec.service)) continue
      let entry = services.get(spec.service)
      if (entry === undefined) services.set(spec.service, entry = { definition: {}, impl: {} })
      entry.definition[spec.rpc] = serverMethodDefinition(spec, { decodedArrays: this.#backend.decodesArrays?.(spec.endpoint) === true })
      entry.impl[spec.rpc] = this.handlerFor(spec)
    }
    for (const { definition, impl } of services.values()) this.server.addService(definition as never, impl)
  }

  private handlerFor (spec: RpcSpec): (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void {
    const unary = new UnaryRpcHandler(spec, this.#backend, this.#settings).unary
    const grpcTracing = this.#settings.tracing?.grpc
    return grpcTracing === undefined ? unary : grpcTracing.wrapUnary(methodPath(spec.service, spec.rpc), unary, grpcCodeName)
  }

  /** The backend's load() (once), then the bind; resolves with the bound port. */
  private async loadAndBind (): Promise<number> {
    await this.#backend.load()
    const { host, port, receiveWindow } = this.#settings
    // HTTP/2's own window needs no setting (nor grpc-js's internals, src/window.ts).
    const widened = receiveWindow !== HTTP2_DEFAULT_WINDOW
    if (widened) setStreamWindow(this.server, receiveWindow)
    return await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(hostPort(host, port), ServerCredentials.createInsecure(), (err, bound) => {
        if (err !== null) { reject(err); return }
        if (widened) setConnectionWindow(this.server, receiveWindow)
        this.#boundPort = bound
        resolve(bound)
      })
    })
  }

  /** tryShutdown, and forceShutdown after `graceMs`. */
  private drain (graceMs: number): Promise<{ forced: boolean }> {
    return new Promise(resolve => {
      let forced = false
      const timer = setTimeout(() => {
        forced = true
        this.server.forceShutdown()
        resolve({ forced })
      }, graceMs)
      timer.unref?.()
      this.server.tryShutdown(() => {
        clearTimeout(timer)
        resolve({ forced })
      })
    })
  }
}

export function createGrpcServer (source: SeldonRuntime | GrpcBackend, options: GrpcServerOptions = {}): SeldonGrpcServer {
  const settings = settingsFrom(options)
  const backend = isBackend(source) ? source : runtimeBackend(source, options.errorMapper)
  return new GrpcServer(backend, settings, options.serverOptions)
}
