/**
 * An existing Fastify service — its own routes, auth hook and error handler — that mounts a Seldon
 * model under /models/iris. The model's routes, error handlers and 404 answer live in their own
 * encapsulated context: the host's auth hook (registered at the root) guards them, while the
 * model's error handling never reaches the host's routes.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { seldonModel } from '@fastify-seldon/model'
import { IrisModel } from './iris-model.js'
import { QuotaExceeded } from './quota.js'

export { IrisModel, QuotaExceeded }

/** The host's own domain error for orders. */
export class OrderError extends Error {
  readonly statusCode = 422
  constructor (message: string) {
    super(message)
    this.name = 'OrderError'
  }
}

export interface AppOptions {
  /** The bearer token every request must carry (default: API_TOKEN, else `dev-token`). */
  token?: string
  /** Most items per order (the host's own use of QuotaExceeded). */
  maxQuantity?: number
  /** The model to mount (default: a fresh IrisModel). */
  model?: IrisModel
  fastify?: FastifyServerOptions
}

interface OrderBody {
  item?: unknown
  quantity?: unknown
}

export async function buildApp (options: AppOptions = {}): Promise<FastifyInstance> {
  const token = options.token ?? process.env.API_TOKEN ?? 'dev-token'
  const maxQuantity = options.maxQuantity ?? 100
  const app = Fastify(options.fastify)

  // Registered at the root, before anything else: it guards every route, the model's included.
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${token}`) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' })
    }
  })

  // The host's error shape. It applies to the host's routes only: the model's context has its own.
  app.setErrorHandler<FastifyError>((err, request, reply) => {
    if (err instanceof OrderError) return reply.code(err.statusCode).send({ error: 'invalid_order', message: err.message })
    if (err.validation !== undefined || (err.statusCode !== undefined && err.statusCode < 500)) {
      return reply.code(err.statusCode ?? 400).send({ error: 'bad_request', message: err.message })
    }
    request.log.error({ err }, 'unhandled error')
    return reply.code(500).send({ error: 'internal_error' })
  })

  app.get('/hello', async () => ({ hello: 'world' }))

  app.post<{ Body: OrderBody }>('/orders', async (request, reply) => {
    const { item, quantity } = request.body ?? {}
    if (typeof item !== 'string' || item === '') throw new OrderError('item must be a non-empty string')
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      throw new OrderError('quantity must be a positive integer')
    }
    // The same domain error the model throws; here the host's error handler renders it.
    if (quantity > maxQuantity) throw new QuotaExceeded(maxQuantity, quantity)
    return reply.code(201).send({ item, quantity, status: 'accepted' })
  })

  await app.register(seldonModel, { component: options.model ?? new IrisModel(), prefix: '/models/iris' })
  return app
}
