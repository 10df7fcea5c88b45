/**
 * `startMetricsServer`: the Python wrapper's separate metrics port (seldon-core v1.18.2 python/seldon_core/microservice.py) as a small
 * Fastify app answering the Prometheus text format on one path, 405 with `Allow` to that path's
 * other methods, CORS preflights as flask-cors does, and 404 elsewhere (COMPATIBILITY.md C-65).
 */
import cors from '@fastify/cors'
import { fastify, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify'
import { addFlaskCorsHeaders, FLASK_CORS_PREFLIGHT } from '@fastify-seldon/core/internal'
import type { MetricsSource } from './metrics.js'

export const DEFAULT_METRICS_PORT = 6000
export const DEFAULT_METRICS_ENDPOINT = '/metrics'

export interface StartMetricsServerOptions {
  /** Default 6000; 0 picks a free port (see the returned `port`). */
  port?: number | undefined
  /** Default `0.0.0.0`, as the wrapper. */
  host?: string | undefined
  /** Default `/metrics` (the operator sets `/prometheus`). */
  endpoint?: string | undefined
  /** A single process's metrics (a SeldonMetrics object)... */
  metrics?: MetricsSource | undefined
  /** ...or, in a node:cluster primary, `createClusterAggregator()`. Exactly one of the two. */
  aggregator?: MetricsSource | undefined
  /** Fastify logger option of this small app. Default false. */
  logger?: boolean | FastifyBaseLogger | undefined
}

export interface MetricsServer {
  /** The bound port. */
  readonly port: number
  close: () => Promise<void>
}

/** Port and path from `PREDICTIVE_UNIT_METRICS_SERVICE_PORT` / `PREDICTIVE_UNIT_METRICS_ENDPOINT`. */
export function metricsServerConfigFromEnv (env: NodeJS.ProcessEnv = process.env): { port: number, endpoint: string } {
  const rawPort = env.PREDICTIVE_UNIT_METRICS_SERVICE_PORT
  const port = rawPort === undefined || rawPort.trim() === '' ? DEFAULT_METRICS_PORT : Number(rawPort)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`PREDICTIVE_UNIT_METRICS_SERVICE_PORT must be a port number, got ${JSON.stringify(rawPort)}`)
  }
  const endpoint = env.PREDICTIVE_UNIT_METRICS_ENDPOINT === undefined || env.PREDICTIVE_UNIT_METRICS_ENDPOINT === ''
    ? DEFAULT_METRICS_ENDPOINT
    : env.PREDICTIVE_UNIT_METRICS_ENDPOINT
  return { port, endpoint }
}

/** Answer a scrape from `source`: 200 with the exposition, or 500 text if it cannot be produced. */
export async function sendMetrics (source: MetricsSource, reply: FastifyReply): Promise<void> {
  let body: string
  try {
    body = await source.metrics()
  } catch (err) {
    await reply.code(500).header('content-type', 'text/plain; charset=utf-8')
      .send(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`)
    return
  }
  await reply.code(200).header('content-type', source.contentType).send(body)
}

/** The scrape path's methods (Flask adds HEAD and OPTIONS to a GET route). */
const SCRAPE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])
const SCRAPE_ALLOW = [...SCRAPE_METHODS].join(', ')

/** 405 with `Allow`, in Fastify's own error shape (the shape of the port's 404). */
function methodNotAllowed (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?', 1)[0]
  return reply.code(405).header('allow', SCRAPE_ALLOW)
    .send({ message: `Method ${request.method} not allowed on ${path}`, error: 'Method Not Allowed', statusCode: 405 })
}

/**
 * The routes of the metrics app: the scrape, its 405 companion, and the preflights, which
 * @fastify/cors answers from a context of its own (as the REST plugins' do), so that a simple
 * request's headers stay flask-cors's and not @fastify/cors's (which adds `Vary` to every answer).
 */
async function registerMetricsRoutes (app: FastifyInstance, endpoint: string, source: MetricsSource): Promise<void> {
  // The wrapper's metrics app has flask-cors on, with its defaults. Before any answer, as the REST
  // plugins' hook, so that a preflight's Vary is @fastify/cors's on both ports (COMPATIBILITY.md C-03).
  app.addHook('onRequest', (request, reply, done) => {
    addFlaskCorsHeaders(reply, request.headers.origin)
    done()
  })
  app.get(endpoint, async (_request, reply) => { await sendMetrics(source, reply) })
  // Every other method the server parses gets the 405, as Flask answers every method it does not route.
  const notAllowed = app.supportedMethods.filter(method => !SCRAPE_METHODS.has(method)) as HTTPMethods[]
  app.route({ method: notAllowed, url: endpoint, handler: methodNotAllowed })
  await app.register(async function metricsPreflight (preflight) {
    await preflight.register(cors, { ...FLASK_CORS_PREFLIGHT })
  })
}

/** Start the separate metrics server; resolves once it listens. */
export async function startMetricsServer (options: StartMetricsServerOptions): Promise<MetricsServer> {
  const source = options.metrics ?? options.aggregator
  if (source === undefined || (options.metrics !== undefined && options.aggregator !== undefined)) {
    throw new TypeError('startMetricsServer needs exactly one of `metrics` or `aggregator`')
  }
  const endpoint = options.endpoint ?? DEFAULT_METRICS_ENDPOINT
  if (!endpoint.startsWith('/')) throw new TypeError(`the metrics endpoint must start with "/", got ${JSON.stringify(endpoint)}`)
  const logger = options.logger ?? false
  const app = typeof logger === 'boolean' ? fastify({ logger }) : fastify({ loggerInstance: logger })
  try {
    await registerMetricsRoutes(app, endpoint, source)
    await app.listen({ port: options.port ?? DEFAULT_METRICS_PORT, host: options.host ?? '0.0.0.0' })
  } catch (err) {
    await app.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? DEFAULT_METRICS_PORT)
  return { port, close: async () => { await app.close() } }
}
