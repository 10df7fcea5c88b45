// A host service as a user writes it against the installed packages (strict TypeScript, module
// nodenext): its own route, auth hook and 404 handler, a model and a router mounted under prefixes,
// Prometheus metrics registered first (the documented order), and the model over gRPC too.
import Fastify, { type FastifyInstance } from 'fastify'
import { seldonModel, type Metric, type Model, type NDArray } from '@fastify-seldon/model'
import { seldonRouter, type Payload, type Router } from '@fastify-seldon/router'
import { seldonMetrics } from '@fastify-seldon/metrics'
import { seldonGrpc } from '@fastify-seldon/grpc'

export class Iris implements Model {
  classNames = ['setosa', 'versicolor', 'virginica']

  predict (X: NDArray): NDArray {
    return X.map(v => v / 10)
  }

  metrics (): Metric[] {
    return [{ type: 'COUNTER', key: 'host_iris_predictions', value: 1 }]
  }
}

export class FirstChild implements Router {
  route (X: Payload, names: string[]): number {
    return typeof X === 'string' || names.length > 99 ? 1 : 0
  }
}

export async function buildHost (): Promise<FastifyInstance> {
  const app = Fastify()
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-deny'] === 'yes') await reply.code(401).send({ host: 'denied' })
  })
  app.get('/hello', async () => ({ hello: 'world' }))
  app.setNotFoundHandler(async (_request, reply) => await reply.code(404).send({ host: 'not found' }))

  await app.register(seldonMetrics)
  const iris = new Iris()
  await app.register(seldonModel, { component: iris, prefix: '/iris' })
  await app.register(seldonRouter, { component: new FirstChild(), prefix: '/router' })
  await app.register(seldonGrpc, { component: iris, port: 0, host: '127.0.0.1' })
  return app
}
