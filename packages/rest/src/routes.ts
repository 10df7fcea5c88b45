/**
 * The life of a REST request, start to end:
 *
 *   1. Fastify matches a Seldon path below (an unknown path or a wrong method is answered by the
 *      404/405 routes with the Seldon envelope: errors.ts);
 *   2. our content-type parsers keep the body's text (body.ts);
 *   3. the handler reads the payload, multipart > form `json` > query `json` > JSON body, parsed
 *      once with the number-faithful parseJson (PAYLOAD_PASSTHROUGH: the text itself);
 *   4. it dispatches to the transport-free runtime (core), which calls the user's method and
 *      builds the response message: an Answer { message, statusCode, verbatim? };
 *   5. the answer is written as `stringifyJson(message) + "\n"`, `application/json` (reply.ts).
 *
 *   Anything thrown on the way goes to the context's error handler (errors.ts): user handlers,
 *   then the envelope `{"status":{"code":-1,"info":...,"reason":...,"status":1}}`.
 *
 * Every handler is the same three steps: read → dispatch → send.
 */
import { ENDPOINTS, OPENAPI_VIEW, ROUTE_OPERATION_KEY, type DispatchOptions, type PayloadEndpoint, type RestPath, type SeldonRuntime } from '@fastify-seldon/core'
import { jsonResponseText } from '@fastify-seldon/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify'
import { readPayload, readRawPayload } from './body.js'
import { methodNotAllowed } from './errors.js'
import {
  DOC_ONLY, HEALTH_SCHEMAS, HIDDEN, documented, getSchema, openApiText, postSchema, type BodyKind, type DocGroup
} from './openapi.js'
import { sendAnswer, sendJsonText } from './reply.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's trace span name (core's ROUTE_OPERATION_KEY): the wrapper's view name, `Predict`... */
    seldonOperation?: string
  }
}

/** The OpenAPI document of the prefix (ours: the Python wrapper serves a static file there). */
const OPENAPI_PATH = '/seldon.json'

/** How each endpoint is documented in /seldon.json. */
const ENDPOINT_DOCS: Readonly<Record<PayloadEndpoint, { body: BodyKind, tag: string, summary: string, description: string }>> = {
  predict: {
    body: 'SeldonMessage',
    tag: 'model',
    summary: "The component's predict()",
    description: 'The request message\'s payload is decoded and handed to predict(X, featureNames, meta); its result is encoded like the request (ndarray in, ndarray out).'
  },
  transformInput: {
    body: 'SeldonMessage',
    tag: 'transformer',
    summary: "The component's transformInput()",
    description: 'An input transformer: the request payload goes through transformInput(X, featureNames, meta) (identity when the component has none).'
  },
  transformOutput: {
    body: 'SeldonMessage',
    tag: 'transformer',
    summary: "The component's transformOutput()",
    description: 'An output transformer: the response payload goes through transformOutput(X, featureNames, meta) (identity when the component has none).'
  },
  route: {
    body: 'SeldonMessage',
    tag: 'router',
    summary: "The component's route(): the child to send the request to",
    description: 'Answers the chosen child index as `data.ndarray: [[index]]` (-1: all children).'
  },
  aggregate: {
    body: 'SeldonMessageList',
    tag: 'combiner',
    summary: "The component's aggregate() over the children's answers",
    description: 'The body is a JSON array of SeldonMessages (what the executor sends) or `{"seldonMessages": [...]}`.'
  },
  sendFeedback: {
    body: 'Feedback',
    tag: 'feedback',
    summary: "A reward for an earlier answer: the component's sendFeedback()",
    description: 'Counts the reward (seldon_api_model_feedback metrics) and calls sendFeedback(features, featureNames, reward, truth, routing) when the component has one.'
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>

/**
 * What a runtime that queues requests (inference threads, batching) is told per request: the
 * signal aborts when the response is over (answered by the request timeout, or the client gone),
 * so a request still waiting in the queue is dropped rather than run for nobody.
 */
function dispatchOptions (runtime: SeldonRuntime, reply: FastifyReply): DispatchOptions | undefined {
  if (!runtime.cancellable) return undefined
  const controller = new AbortController()
  reply.raw.once('close', () => { controller.abort() })
  return { signal: controller.signal }
}

/** One handler per endpoint, each read → dispatch → send. */
function endpointHandlers (runtime: SeldonRuntime, passthrough: boolean): Record<PayloadEndpoint, Handler> {
  const arrays = {
    predict: runtime.takesDecodedArrays('predict'),
    transformInput: runtime.takesDecodedArrays('transformInput'),
    transformOutput: runtime.takesDecodedArrays('transformOutput'),
    route: runtime.takesDecodedArrays('route')
  }
  return {
    predict: passthrough
      ? async function predictPassthrough (request, reply) {
        const raw = await readRawPayload(request)
        return sendAnswer(reply, await runtime.predictPassthrough(raw, dispatchOptions(runtime, reply)))
      }
      : async function predict (request, reply) {
        const message = await readPayload(request, arrays.predict)
        return sendAnswer(reply, await runtime.predict(message, 'rest', dispatchOptions(runtime, reply)))
      },
    transformInput: async function transformInput (request, reply) {
      const message = await readPayload(request, arrays.transformInput)
      return sendAnswer(reply, await runtime.transformInput(message, 'rest', dispatchOptions(runtime, reply)))
    },
    transformOutput: async function transformOutput (request, reply) {
      const message = await readPayload(request, arrays.transformOutput)
      return sendAnswer(reply, await runtime.transformOutput(message, 'rest', dispatchOptions(runtime, reply)))
    },
    route: async function route (request, reply) {
      const message = await readPayload(request, arrays.route)
      return sendAnswer(reply, await runtime.route(message, 'rest', dispatchOptions(runtime, reply)))
    },
    aggregate: async function aggregate (request, reply) {
      const body = await readPayload(request)
      return sendAnswer(reply, await runtime.aggregate(body, 'rest', dispatchOptions(runtime, reply)))
    },
    sendFeedback: async function sendFeedback (request, reply) {
      const body = await readPayload(request)
      return sendAnswer(reply, await runtime.sendFeedback(body, 'rest', dispatchOptions(runtime, reply)))
    }
  }
}

const EVERY_METHOD: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']

/**
 * The methods a path does not serve answer 405 with `Allow`. HEAD comes with GET (Fastify adds it);
 * OPTIONS is left to the CORS preflight route when CORS is on.
 */
function registerMethodNotAllowed (instance: FastifyInstance, path: RestPath, cors: boolean): void {
  const allowed = new Set<HTTPMethods>(path.verbs)
  if (allowed.has('GET')) allowed.add('HEAD')
  if (cors) allowed.add('OPTIONS')
  const others = EVERY_METHOD.filter(m => !allowed.has(m))
  const allow = EVERY_METHOD.filter(m => allowed.has(m)).join(', ')
  instance.route({ method: others, url: path.url, schema: HIDDEN, handler: methodNotAllowed(allow) })
}

export interface RouteOptions {
  passthrough: boolean
  cors: boolean
  /** List the routes in the host's own @fastify/swagger document. */
  hostSwagger: boolean
}

/**
 * The endpoints' routes on the component's context, with their 405 companions. Each method is a
 * route of its own so it can carry its documentation schema (a JSON body for POST, `?json=` for
 * GET), which Fastify neither validates nor serialises with (DOC_ONLY; see openapi.ts).
 */
export function registerEndpointRoutes (
  instance: FastifyInstance, runtime: SeldonRuntime, endpoints: readonly PayloadEndpoint[], options: RouteOptions
): void {
  const handlers = endpointHandlers(runtime, options.passthrough)
  for (const endpoint of endpoints) {
    const { body, tag, summary, description } = ENDPOINT_DOCS[endpoint]
    for (const path of ENDPOINTS[endpoint].rest) {
      for (const method of path.verbs) {
        const schema = method === 'GET' ? getSchema(body, tag, summary, description) : postSchema(body, tag, summary, description)
        instance.route({ method, url: path.url, ...described(schema, options.hostSwagger, ENDPOINTS[endpoint].restView), ...DOC_ONLY, handler: handlers[endpoint] })
      }
      registerMethodNotAllowed(instance, path, options.cors)
    }
  }
}

/**
 * A route's schema and config: its documentation (openapi.ts) and the name of its trace span, the
 * Python wrapper's view name (`Predict`...) that the tracing hooks read when tracing is on
 * (docs/tracing.md). Costs nothing per request.
 */
function described (schema: FastifySchema, hostSwagger: boolean, view: string | undefined): { schema: FastifySchema, config: Record<string, unknown> } {
  const doc = documented(schema, hostSwagger)
  return { schema: doc.schema, config: view === undefined ? { ...doc.config } : { ...doc.config, [ROUTE_OPERATION_KEY]: view } }
}

/** A GET route with its 405 companion. */
function get (
  instance: FastifyInstance, url: string, schema: FastifySchema, handler: Handler,
  options: Pick<RouteOptions, 'cors' | 'hostSwagger'>, view: string | undefined
): void {
  instance.route({ method: 'GET', url, ...described(schema, options.hostSwagger, view), ...DOC_ONLY, handler })
  registerMethodNotAllowed(instance, { url, verbs: ['GET'] }, options.cors)
}

/** /health/ping, /health/status, /metadata (and their /api/v1.0 aliases). */
export function registerHealthRoutes (instance: FastifyInstance, runtime: SeldonRuntime, options: Pick<RouteOptions, 'cors' | 'hostSwagger'>): void {
  // touches no user code, as in the wrapper
  for (const { url } of ENDPOINTS.ping.rest) {
    get(instance, url, HEALTH_SCHEMAS.ping, async function ping (_request, reply) {
      return reply.type('text/html; charset=utf-8').send('pong')
    }, options, ENDPOINTS.ping.restView)
  }
  for (const { url } of ENDPOINTS.health.rest) {
    get(instance, url, HEALTH_SCHEMAS.status, async function healthStatus (_request, reply) {
      return sendAnswer(reply, await runtime.health('rest'))
    }, options, ENDPOINTS.health.restView)
  }
  for (const { url } of ENDPOINTS.metadata.rest) {
    get(instance, url, HEALTH_SCHEMAS.metadata, async function metadata (_request, reply) {
      runtime.assertReady()
      return sendJsonText(reply, 200, jsonResponseText(runtime.metadata()))
    }, options, ENDPOINTS.metadata.restView)
  }
}

/** /seldon.json: the OpenAPI document of the prefix's group, inline (as the wrapper serves its file). */
export function registerOpenApiRoute (instance: FastifyInstance, group: DocGroup, options: Pick<RouteOptions, 'cors'>): void {
  get(instance, OPENAPI_PATH, HIDDEN, async function openApi (_request, reply) {
    reply.header('content-disposition', 'inline; filename=seldon.json')
    return sendJsonText(reply, 200, openApiText(group))
  }, { cors: options.cors, hostSwagger: true }, OPENAPI_VIEW)
}
