/**
 * Per-connection and per-request limits of a worker's HTTP server that Node leaves open or
 * silent (RELIABILITY.md, limits table):
 *
 *   - header fields: Node keeps the first 1000 or so and drops the rest without a word (a late
 *     `Content-Type` vanished and the request became "Can't find JSON in data"); past
 *     `MAX_HEADER_FIELDS` the request is answered 431 with the envelope instead;
 *   - body time: a body still arriving `bodyTimeout` ms after the server started to read it is
 *     answered 408 with the envelope and its connection closed (Fastify turns Node's whole-request
 *     timeout off, and that one would also count the time a request waits for admission);
 *   - connections: past `maxConnections` open connections a new one is answered 503 and closed.
 *     Node's own `server.maxConnections` is not used: in a cluster worker it refuses the handle
 *     back to the primary, which hands it to a worker again, in a loop that kept the refused
 *     connections hanging and the primary busy (measured: 1.9 s of CPU in 3 s for 3 connections).
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'
import { errorEnvelopeText, errorStatus, OverloadedError } from '@fastify-seldon/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * Header fields a request may carry. 100 is Envoy's default `max_headers_count` (the proxy of
 * Istio and Seldon Core's ingress), so no request that passed such a proxy is refused here.
 */
export const MAX_HEADER_FIELDS = 100

const HEADER_FIELDS_BODY = errorEnvelopeText({
  statusCode: 431, reason: 'MICROSERVICE_BAD_DATA', info: `Request Header Fields Too Large: more than ${MAX_HEADER_FIELDS} header fields`
})

/** The answer of a worker overloaded (pressure, admission queue, connections): 503 with the envelope. */
export const OVERLOADED_BODY = errorEnvelopeText(errorStatus(new OverloadedError()))

/**
 * Past MAX_HEADER_FIELDS header fields a request is answered 431 with the envelope: Node is told to
 * keep one field more than allowed, and {@link refusedHeaderFields} (run by the worker's `onRequest`
 * hook, server.ts) sees it.
 */
export function limitHeaderFields (server: Server): void {
  server.maxHeadersCount = MAX_HEADER_FIELDS + 1
}

/** True when `request` had too many header fields and was answered 431 (the caller stops there). */
export function refusedHeaderFields (request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.raw.rawHeaders.length <= 2 * MAX_HEADER_FIELDS) return false
  request.log.info(`more than ${MAX_HEADER_FIELDS} header fields: 431`)
  reply.code(431).header('connection', 'close').header('content-type', 'application/json').send(HEADER_FIELDS_BODY)
  return true
}

/**
 * 408 + envelope for a body not received `ms` after the server began to read it.
 *
 * Whether a body is complete is asked once the event loop has read what arrived with it (a
 * `setImmediate` shared by every request of that turn), not when reading starts: Node parses a
 * small body only after its request has gone through the synchronous hooks, so asked then every
 * body is incomplete, and every request paid a timer and two listeners: turning the body timeout
 * off saved 2.0 µs of a worker's 44.6 per small predict; now it saves nothing measurable
 * (BENCHMARKS.md, "Issue 18, item 1: a worker's fixed costs"). Only the bodies still arriving
 * after that turn get the timer.
 */
export function limitBodyTime (app: FastifyInstance, ms: number): void {
  const body = errorEnvelopeText({
    statusCode: 408, reason: 'MICROSERVICE_BAD_DATA', info: `Request Timeout: the request body was not received within ${ms} ms`
  })
  const timeOut = (reply: FastifyReply): void => {
    const request = reply.request
    if (request.raw.complete || reply.sent) return
    request.log.info(`request body not received within ${ms} ms: 408`)
    reply.code(408).header('connection', 'close').header('content-type', 'application/json').send(body)
    // The body reader fails when the connection closes and tries to answer too: expected, not
    // worth Fastify's "Reply was already sent" warning (errors are still logged).
    reply.log = reply.log.child({}, { level: 'error' })
  }
  const arm = (reply: FastifyReply): void => {
    const raw = reply.request.raw
    if (raw.complete || reply.sent) return
    const timer = setTimeout(timeOut, ms, reply)
    raw.once('end', () => { clearTimeout(timer) })
    reply.raw.once('close', () => { clearTimeout(timer) })
  }
  const check = new TurnBatch(arm)
  app.addHook('preParsing', function bodyTimeout (request, reply, payload, done) {
    if (!request.raw.complete) check.add(reply)
    done(null, payload)
  })
}

/**
 * Items gathered during one event-loop turn, each handed to `run` in the check phase of that turn
 * (one `setImmediate` for all of them). Nothing is held past the turn.
 */
class TurnBatch<T> {
  private items: T[] = []

  constructor (private readonly run: (item: T) => void) {}

  add (item: T): void {
    if (this.items.length === 0) setImmediate(this.drain)
    this.items.push(item)
  }

  private readonly drain = (): void => {
    const items = this.items
    this.items = []
    for (const item of items) this.run(item)
  }
}

/** How long a refused connection may keep sending before it is cut (it is read and discarded). */
const REFUSED_LINGER_MS = 1000

/**
 * At most `max` open connections on `server`; the next one gets a 503 with the envelope and
 * `Retry-After`, written at once, and is closed. Must run before the server listens.
 */
export function limitConnections (server: Server, max: number, retryAfterSeconds: number, onRefuse: () => void): void {
  const refusal = `HTTP/1.1 503 ${STATUS_CODES[503] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(OVERLOADED_BODY)}\r\n` +
    `Retry-After: ${retryAfterSeconds}\r\nConnection: close\r\n\r\n${OVERLOADED_BODY}`
  let open = 0
  // The HTTP server's own connection listener, run only for the connections we keep.
  const serve = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
      onRefuse()
      refuse(socket, refusal)
      return
    }
    open++
    socket.once('close', () => { open-- })
    for (const listener of serve) listener.call(server, socket)
  })
}

function refuse (socket: Socket, refusal: string): void {
  socket.on('error', () => { /* the client may reset; nothing to do */ })
  // Read and drop what the client sends meanwhile, so it is not reset before it reads the answer.
  socket.resume()
  socket.end(refusal)
  const timer = setTimeout(() => { socket.destroy() }, REFUSED_LINGER_MS)
  timer.unref()
  socket.once('close', () => { clearTimeout(timer) })
}
