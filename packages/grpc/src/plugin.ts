/**
 * The Fastify plugin: runs the gRPC server beside the app, sharing the component's runtime with the
 * REST plugins (one load(), one state). The server starts in `onReady` (after load()) and drains on
 * close: `preClose` stops accepting calls and starts draining in-flight ones, `onClose` waits for
 * them (or for the grace timeout, after which they are cancelled).
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import {
  SeldonRuntime, runtimeFor, runtimeOptionsFrom, validateRuntimeSettings, type RuntimeSettings
} from '@fastify-seldon/core'
import { connectScopeMetrics } from '@fastify-seldon/core/internal'
import type { GrpcBackend } from './backend.js'
import { createGrpcServer, type GrpcCallHook, type GrpcServerOptions, type SeldonGrpcServer } from './server.js'

export interface SeldonGrpcPluginOptions extends Omit<GrpcServerOptions, 'port'>, RuntimeSettings {
  /** The user component (an instance of your class); its runtime is shared with the REST plugins. */
  component?: object
  /** Or a ready-made runtime (then the runtime settings are ignored). */
  runtime?: SeldonRuntime
  /**
   * Or any other source of answers (a graph's `Seldon` service: `graphGrpcBackend(engine)` of
   * @fastify-seldon/graph); then `component`, `runtime` and the runtime settings are not read.
   */
  backend?: GrpcBackend
  /** Port to bind; 0 picks a free one (read it back from `fastify.seldonGrpc.port`). */
  port: number
}

/**
 * Every option of {@link GrpcServerOptions}, so the server gets its own object: the compiler
 * refuses this table when a server option is added without it.
 */
const SERVER_OPTION_KEYS = {
  port: true,
  host: true,
  maxReceiveMessageLength: true,
  maxSendMessageLength: true,
  reflection: true,
  onCall: true,
  errorMapper: true,
  shutdownTimeout: true,
  serverOptions: true,
  callTimeout: true,
  isOverloaded: true,
  tracing: true,
  receiveWindow: true
} as const satisfies Record<keyof GrpcServerOptions, true>

/** The server's options out of the plugin's (the runtime's settings and the component stay out). */
function serverOptionsOf (opts: SeldonGrpcPluginOptions): GrpcServerOptions {
  const server: Record<string, unknown> = {}
  for (const key of Object.keys(SERVER_OPTION_KEYS) as Array<keyof GrpcServerOptions>) {
    if (opts[key] !== undefined) server[key] = opts[key]
  }
  return server as GrpcServerOptions
}

/** What the plugin decorates the app with. */
export interface SeldonGrpcDecoration {
  /** The bound port (set once the app is ready). */
  readonly port: number | undefined
  /** The server core (grpc-js Server, start/shutdown). */
  readonly core: SeldonGrpcServer
  /** The component's runtime (undefined when serving a `backend`). */
  readonly runtime: SeldonRuntime | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    seldonGrpc: SeldonGrpcDecoration
  }
}

/**
 * A SeldonRuntime, of this copy of core or of another installed copy (where `instanceof` fails):
 * the methods the server calls are what matters.
 */
function isSeldonRuntime (value: unknown): value is SeldonRuntime {
  if (value instanceof SeldonRuntime) return true
  const r = value as Partial<Record<keyof SeldonRuntime, unknown>> | null
  return r !== null && typeof r === 'object' && typeof r.load === 'function' && typeof r.predict === 'function' &&
    typeof r.metadataOrNull === 'function'
}

function resolveRuntime (opts: SeldonGrpcPluginOptions): SeldonRuntime {
  if (opts.runtime !== undefined) {
    if (!isSeldonRuntime(opts.runtime)) throw new TypeError('option runtime must be a SeldonRuntime')
    return opts.runtime
  }
  const component = opts.component
  if (component === null || typeof component !== 'object') {
    throw new TypeError('@fastify-seldon/grpc needs option component (an instance of your class) or runtime')
  }
  validateRuntimeSettings(opts)
  return runtimeFor(component, runtimeOptionsFrom(opts))
}

function checkPortAndBackend (opts: SeldonGrpcPluginOptions): void {
  if (typeof opts.port !== 'number' || !Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new TypeError('@fastify-seldon/grpc needs option port (an integer 0-65535; 0 picks a free port)')
  }
  const backend = opts.backend
  if (backend !== undefined && (backend === null || typeof backend !== 'object' || typeof backend.call !== 'function')) {
    throw new TypeError('option backend must be a GrpcBackend { load, call, status }')
  }
}

/**
 * The scope's seldonMetrics (core's scope-metrics.ts): gRPC call metrics unless `onCall` is given,
 * custom metrics unless `metrics` (or a ready-made `runtime`, or a `backend`) is.
 */
function connectMetrics (fastify: FastifyInstance, opts: SeldonGrpcPluginOptions, serverOptions: GrpcServerOptions, runtime: SeldonRuntime | undefined): void {
  let scopeOnCall: GrpcCallHook | undefined
  if (opts.onCall === undefined) serverOptions.onCall = (...call) => { scopeOnCall?.(...call) }
  connectScopeMetrics(fastify, metrics => {
    if (opts.onCall === undefined && typeof metrics.observeGrpc === 'function') scopeOnCall = metrics.observeGrpc.bind(metrics)
    if (runtime !== undefined && opts.metrics === undefined && opts.runtime === undefined) runtime.setMetricsRecorder(metrics.recorder)
  })
}

/** Start on onReady; stop accepting calls on preClose, wait for them (and the runtime) on onClose. */
function addLifecycleHooks (fastify: FastifyInstance, core: SeldonGrpcServer, runtime: SeldonRuntime | undefined): void {
  let draining: Promise<{ forced: boolean }> | undefined
  fastify.addHook('onReady', async () => {
    const port = await core.start()
    fastify.log.info({ port }, 'Seldon gRPC server listening')
  })
  fastify.addHook('preClose', async () => {
    draining = core.shutdown()
  })
  fastify.addHook('onClose', async () => {
    const { forced } = await (draining ?? core.shutdown())
    if (forced) fastify.log.warn('Seldon gRPC server: in-flight calls cancelled after the shutdown timeout')
    // Inference threads stop once the queued and running requests are done (idempotent: shared runtime).
    await runtime?.close()
  })
}

async function seldonGrpcPlugin (fastify: FastifyInstance, opts: SeldonGrpcPluginOptions): Promise<void> {
  checkPortAndBackend(opts)
  const backend = opts.backend
  const runtime = backend === undefined ? resolveRuntime(opts) : undefined
  const serverOptions = serverOptionsOf(opts)
  connectMetrics(fastify, opts, serverOptions, runtime)
  const core = createGrpcServer(backend ?? runtime as SeldonRuntime, serverOptions)
  fastify.decorate('seldonGrpc', {
    get port () { return core.port },
    core,
    runtime
  } satisfies SeldonGrpcDecoration)
  addLifecycleHooks(fastify, core, runtime)
}

/** `app.register(seldonGrpc, { component, port: 5000 })` */
export const seldonGrpc = fp(seldonGrpcPlugin, { fastify: '5.x', name: '@fastify-seldon/grpc' })
export default seldonGrpc
