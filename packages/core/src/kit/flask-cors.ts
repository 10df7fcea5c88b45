/**
 * The CORS headers of an answer that is not a preflight, as flask-cors 3 writes them with the
 * defaults the Python wrapper's REST app and metrics app use (every origin allowed; flask_cors/core.py,
 * `get_cors_origins` and `get_cors_headers`, at 3.0.10):
 *
 * - no `Origin` in the request (or an empty one, or `*`): `Access-Control-Allow-Origin: *` alone,
 *   as every recorded answer of the wrapper has it (COMPATIBILITY.md, "How this is checked");
 * - an `Origin`: that origin echoed, and `Vary: Origin`, because the answer then depends on it.
 *
 * The REST plugins' hook and the metrics server both call this, and both answer preflights with
 * @fastify/cors given {@link FLASK_CORS_PREFLIGHT}.
 */

/** What the headers are set on: a Fastify reply. */
export interface HeaderSetter {
  header: (name: string, value: string) => unknown
}

/** Sets those headers on `reply`, for a request whose `Origin` header is `origin`. */
export function addFlaskCorsHeaders (reply: HeaderSetter, origin: string | undefined): void {
  if (origin === undefined || origin === '' || origin === '*') {
    reply.header('access-control-allow-origin', '*')
    return
  }
  reply.header('access-control-allow-origin', origin)
  reply.header('vary', 'Origin')
}

/** flask-cors' `ALL_METHODS`, as its preflight answers list them. */
const FLASK_CORS_ALL_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'

/**
 * The @fastify/cors options that answer a preflight as flask-cors does with the wrapper's
 * defaults (the recorded `OPTIONS /predict`): 200, the request's `Origin` echoed (`*` without
 * one), every method allowed, the requested headers allowed; `Vary` names `Origin` and
 * `Access-Control-Request-Headers` (COMPATIBILITY.md C-03). Flask answers any `OPTIONS`,
 * preflight or not, hence `strictPreflight: false`. Plain data, so that core needs no
 * @fastify/cors of its own: the packages that register it pass this.
 */
export const FLASK_CORS_PREFLIGHT = Object.freeze({
  origin: (origin: string | undefined, cb: (err: null, origin: string) => void): void => { cb(null, origin ?? '*') },
  methods: FLASK_CORS_ALL_METHODS,
  optionsSuccessStatus: 200,
  strictPreflight: false
})
