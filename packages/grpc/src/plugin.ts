/**
 * The Fastify plugin: runs the gRPC server beside the app, sharing the component's runtime with the
 * REST plugins (one load(), one state). The server starts in `onReady` (after load()) and drains on
 * close: `preClose` stops accepting calls and starts draining in-flight ones, `onClose` waits for
 * them (or for the grace timeout, after which they are cancelled).
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { runtimeOptionsFromEnv, SeldonRuntime } from '@fastify-seldon/core'
import { runtimeFor, runtimeOptionsWith, type RuntimeSettings } from '@fastify-seldon/rest'
import { createGrpcServer, type GrpcServerOptions, type SeldonGrpcServer } from './server.js'

export interface SeldonGrpcPluginOptions extends Omit<GrpcServerOptions, 'port'>, RuntimeSettings {
  /** The user component (an instance of your class); its runtime is shared with the REST plugins. */
  component?: object
  /** Or a ready-made runtime (then the runtime settings are ignored). */
  runtime?: SeldonRuntime
  /** Port to bind; 0 picks a free one (read it back from `fastify.seldonGrpc.port`). */
  port: number
  /** Where the runtime defaults come from (default `process.env`). */
  env?: NodeJS.ProcessEnv
}

/** What the plugin decorates the app with. */
export interface SeldonGrpcDecoration {
  /** The bound port (set once the app is ready). */
  readonly port: number | undefined
  /** The server core (grpc-js Server, start/shutdown). */
  readonly core: SeldonGrpcServer
  readonly runtime: SeldonRuntime
}

declare module 'fastify' {
  interface FastifyInstance {
    seldonGrpc: SeldonGrpcDecoration
  }
}

function resolveRuntime (opts: SeldonGrpcPluginOptions): SeldonRuntime {
  if (opts.runtime !== undefined) {
    if (!(opts.runtime instanceof SeldonRuntime)) throw new TypeError('option runtime must be a SeldonRuntime')
    return opts.runtime
  }
  const component = opts.component
  if (component === null || typeof component !== 'object') {
    throw new TypeError('@fastify-seldon/grpc needs option component (an instance of your class) or runtime')
  }
  return runtimeFor(component, runtimeOptionsWith(opts, runtimeOptionsFromEnv(opts.env ?? process.env)))
}

async function seldonGrpcPlugin (fastify: FastifyInstance, opts: SeldonGrpcPluginOptions): Promise<void> {
  if (typeof opts.port !== 'number' || !Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new TypeError('@fastify-seldon/grpc needs option port (an integer 0-65535; 0 picks a free port)')
  }
  const runtime = resolveRuntime(opts)
  const { component: _c, runtime: _r, unitId: _u, unitImage: _i, includeMetricsInResponse: _m, executorEnabled: _e, modelMetadata: _d, metrics: _x, env: _v, ...serverOptions } = opts
  const core = createGrpcServer(runtime, serverOptions)
  let draining: Promise<{ forced: boolean }> | undefined

  fastify.decorate('seldonGrpc', {
    get port () { return core.port },
    core,
    runtime
  } satisfies SeldonGrpcDecoration)

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
  })
}

/** `app.register(seldonGrpc, { component, port: 5000 })` */
export const seldonGrpc = fp(seldonGrpcPlugin, { fastify: '5.x', name: '@fastify-seldon/grpc' })
export default seldonGrpc
