/**
 * How a worker's app is given its logger. Fastify 5 adds and removes a `finish` and an `error`
 * listener on every response of an app that has a logger (lib/route.js, `setupResponseListeners`),
 * whether or not anything is logged there. They serve its access log ("request completed"), which a
 * worker writes only at DEBUG (gunicorn's access log is off by default too). Below DEBUG the app is
 * therefore built without a logger, and every logger Fastify hands out (`request.log`, `reply.log`,
 * the 404 and framework-error loggers) comes from `childLoggerFactory`: the same pino children it
 * would have made, each made when it first logs; `app.log` is set to the logger itself. A worker's
 * app serving small predicts over loopback used 36.5 µs of CPU per request with the logger given
 * to Fastify, 32.8 µs without (BENCHMARKS.md, "Issue 18, item 1: a worker's fixed costs").
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import { LogController } from 'fastify'
import { pino } from 'pino'

type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>

/**
 * The record shapes of the request and the reply Fastify's own log calls pass (an error's `req`
 * and `res`), as Fastify's default logger writes them; a logger's own serializers win.
 */
const REQUEST_SERIALIZERS = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: request.url,
    version: request.headers['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }),
  res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
  err: pino.stdSerializers.err
}

/** The Fastify options of a worker's logging, and what is done to the app once it exists. */
export interface AppLogging {
  options: { loggerInstance: FastifyBaseLogger, logController: LogController } |
  { childLoggerFactory: ChildLoggerFactory, logController: LogController }
  /** Gives the app its logger as `app.log` when Fastify was not given it. Call before registering anything. */
  adopt: (app: FastifyInstance) => void
}

/** `logger` for an app that writes access logs (`accessLogs`, at DEBUG) or not. */
export function appLogging (logger: FastifyBaseLogger, accessLogs: boolean): AppLogging {
  const logController = new LogController({ disableRequestLogging: !accessLogs })
  if (accessLogs) return { options: { loggerInstance: logger, logController }, adopt: () => {} }
  const own = (logger as unknown as Record<symbol, object | undefined>)[pino.symbols.serializersSym] ?? {}
  const appLogger = logger.child({}, { serializers: { ...REQUEST_SERIALIZERS, ...own } })
  // Fastify passes its null logger as the parent; the children are made from ours instead.
  const childLoggerFactory: ChildLoggerFactory = (_parent, bindings, options) =>
    new RequestLogger(appLogger, bindings, options) as unknown as FastifyBaseLogger
  return {
    options: { childLoggerFactory, logController },
    adopt: (app) => { app.log = appLogger }
  }
}

type LogArguments = [unknown, ...unknown[]]

/**
 * A request's logger (Fastify's logger interface), its pino child made when it first logs. Nearly
 * every request never logs, and making the child (its bindings serialised) for each one took a
 * worker from 35.2 to 39.0 µs of CPU per small predict (BENCHMARKS.md, "Issue 18, item 1: a
 * worker's fixed costs").
 */
class RequestLogger {
  private made: FastifyBaseLogger | undefined

  constructor (
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Record<string, unknown>,
    private readonly options: { level?: string }
  ) {}

  private get logger (): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options)
    return this.made
  }

  get level (): string { return this.made?.level ?? this.options.level ?? this.parent.level }
  set level (level: string) { this.logger.level = level }

  fatal (...args: LogArguments): void { (this.logger.fatal as (...a: LogArguments) => void)(...args) }
  error (...args: LogArguments): void { (this.logger.error as (...a: LogArguments) => void)(...args) }
  warn (...args: LogArguments): void { (this.logger.warn as (...a: LogArguments) => void)(...args) }
  info (...args: LogArguments): void { (this.logger.info as (...a: LogArguments) => void)(...args) }
  debug (...args: LogArguments): void { (this.logger.debug as (...a: LogArguments) => void)(...args) }
  trace (...args: LogArguments): void { (this.logger.trace as (...a: LogArguments) => void)(...args) }
  silent (): void {}

  child (bindings: Record<string, unknown>, options?: { level?: string }): FastifyBaseLogger {
    return this.logger.child(bindings, options)
  }
}
