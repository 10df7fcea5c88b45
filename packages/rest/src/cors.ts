/**
 * CORS like flask-cors' defaults, which the wrapper uses: every origin allowed (the request's
 * `Origin` echoed, `*` without one), preflights answered for any method and requested headers.
 */
import cors from '@fastify/cors'
import { addFlaskCorsHeaders, FLASK_CORS_PREFLIGHT } from '@fastify-seldon/core/internal'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'

/**
 * CORS on this context: every route's answer gets the two headers of a simple request from
 * {@link addCorsHeadersHook}, and @fastify/cors answers the preflights from a child context that
 * holds nothing but its `OPTIONS <prefix>/*` route.
 *
 * Why not @fastify/cors's hook on every route: per request it reads `request.routeOptions` twice
 * (a getter that builds a dozen-field object each time), spreads its options, wraps the origin
 * callback and parses the Vary header, for an answer that is always the same two headers. This
 * change and the CLI's admission hooks made route hooks together took the CLI's CPU per small
 * predict from 55.1 to 46.4 µs (BENCHMARKS.md, "Issue 18: the CLI path, round 3").
 */
export async function registerCors (instance: FastifyInstance): Promise<void> {
  addCorsHeadersHook(instance)
  await instance.register(async function seldonCorsPreflight (preflight: FastifyInstance) {
    await preflight.register(cors, { ...FLASK_CORS_PREFLIGHT })
  })
}

/**
 * The headers flask-cors puts on an answer to a request that is not a preflight
 * (`addFlaskCorsHeaders`: `*` alone without an `Origin`, else the origin echoed and `Vary: Origin`).
 * Alone, for a plugin sharing its prefix with one that already registered the preflight route
 * (two `OPTIONS <prefix>/*` would clash).
 */
export function addCorsHeadersHook (instance: FastifyInstance): void {
  instance.addHook('onRequest', function seldonCorsHeaders (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    addFlaskCorsHeaders(reply, request.headers.origin)
    done()
  })
}
