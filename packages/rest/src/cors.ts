/**
 * CORS like flask-cors' defaults, which the wrapper uses: every origin allowed (the request's
 * `Origin` echoed, `*` without one), preflights answered for any method and requested headers.
 */
import cors from '@fastify/cors'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** flask-cors' `ALL_METHODS`, as its preflight answers list them. */
const ALL_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'

/**
 * @fastify/cors on this context: its hook sets the headers on this context's routes and its
 * `OPTIONS <prefix>/*` route answers every preflight under the prefix.
 */
export async function registerCors (instance: FastifyInstance): Promise<void> {
  await instance.register(cors, {
    origin: (origin, cb) => { cb(null, origin ?? '*') },
    methods: ALL_METHODS,
    optionsSuccessStatus: 200,
    // Flask answers any OPTIONS, preflight or not
    strictPreflight: false
  })
}

/**
 * The same response headers without a second preflight route, for a plugin sharing its prefix
 * with one that already registered @fastify/cors (two `OPTIONS <prefix>/*` routes would clash).
 */
export function addCorsHeadersHook (instance: FastifyInstance): void {
  instance.addHook('onRequest', async function seldonCorsHeaders (request: FastifyRequest, reply: FastifyReply) {
    reply.header('access-control-allow-origin', request.headers.origin ?? '*')
    reply.header('vary', 'Origin')
  })
}
