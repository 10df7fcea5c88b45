/**
 * Admission control: what keeps a worker live under any request load (RELIABILITY.md, guarantee
 * 12). Two mechanisms, both on the dispatching routes only (health, metadata and docs are never
 * held back):
 *
 * 1. `AdmissionGate` bounds the requests a worker works on at once. A request takes a slot when
 *    it arrives (onRequest), before its body is read, and gives it back once its answer is handed
 *    to the socket (onSend). With no slot free it waits in a FIFO of `maxQueued`, its body still
 *    unread (Node stops reading a socket whose request nobody consumes, so a waiting request costs
 *    its socket buffers, not its body). Past that it is answered 503 + Retry-After at once, its body
 *    never parsed (as Ray Serve's `max_ongoing_requests` / `max_queued_requests`). The slots are
 *    `maxConcurrent` at most, fewer when dispatches are expensive for the event loop (`slotsFor`):
 *    20 requests of a model answering 200,000 floats (~0.5 s of encoding each here) all admitted
 *    at once had their encodings run back to back, 10 s, whatever the order of their starts.
 *
 * 2. `DispatchTurns` (turns.ts) starts heavy runs (parse → predict → encode of a large body, or
 *    of any request while dispatches cost the loop 20 ms or more) one at a time, with a short
 *    pause between two in which the worker takes new connections and serves the health probes.
 *
 * A slot freed hands itself to the next waiter through setImmediate, never a microtask: a promise
 * chain would run the whole queue inside one macrotask and starve the probes again.
 */
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { withRouteHook } from '@fastify-seldon/core/internal'
import { DispatchCost, DispatchTurns } from './turns.js'

export interface AdmissionLimits {
  /** Dispatching requests worked on at once; 0 = no limit. */
  maxConcurrent: number
  /** Requests waiting for a slot (body unread); past it, 503. */
  maxQueued: number
}

interface Waiter {
  request: FastifyRequest
  reply: FastifyReply
  proceed: () => void
}

/**
 * Event-loop work the admitted requests may stand for together: the slots adapt to it (measured
 * cost per dispatch × slots ≈ this), so that a probe waits for about this much work at worst.
 */
export const LIVENESS_TARGET_MS = 300
/** Slots before the cost of a dispatch is first measured (within a quarter second of the first answers). */
const INITIAL_SLOTS = 4

/**
 * A counting semaphore with a bounded FIFO; every hand-over goes through setImmediate. `slots()`
 * is the current number of slots (it may change between calls).
 */
export class AdmissionGate {
  private active = 0
  private readonly waiting: Waiter[] = []
  private head = 0
  private granting = false

  constructor (private readonly limits: AdmissionLimits, private readonly slots: () => number = () => limits.maxConcurrent) {}

  get inFlight (): number { return this.active }
  get queued (): number { return this.waiting.length - this.head }

  /** Take a slot now if one is free and nobody waits before us. */
  tryEnter (): boolean {
    if (this.limits.maxConcurrent > 0 && (this.active >= this.slots() || this.queued > 0)) return false
    this.active++
    return true
  }

  /** Queue a waiter; false when the queue is full (the caller answers 503). */
  enqueue (waiter: Waiter): boolean {
    if (this.queued >= this.limits.maxQueued) return false
    this.waiting.push(waiter)
    return true
  }

  /** Give a slot back; the next live waiter gets it on a later turn of the event loop. */
  leave (): void {
    this.active--
    if (this.queued > 0 && !this.granting) {
      this.granting = true
      setImmediate(() => { this.grant() })
    }
  }

  private grant (): void {
    this.granting = false
    while (this.queued > 0 && this.active < this.slots()) {
      const waiter = this.waiting[this.head] as Waiter
      this.waiting[this.head++] = undefined as unknown as Waiter
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head)
        this.head = 0
      }
      // Answered meanwhile (--request-timeout) or the client left: its turn passes.
      if (waiter.reply.sent || waiter.request.raw.destroyed) continue
      this.active++
      waiter.proceed()
    }
  }
}

/**
 * The slots for a measured cost per dispatch: as many as make LIVENESS_TARGET_MS of event-loop
 * work, at least one, at most `max` (--max-concurrent-requests). A model that costs the loop 0.3 s
 * per request gets one slot; one that awaits remote work and costs the loop 1 ms gets `max`.
 */
export function slotsFor (max: number, costMs: number): number {
  if (costMs <= 0) return Math.min(max, INITIAL_SLOTS)
  return Math.max(1, Math.min(max, Math.floor(LIVENESS_TARGET_MS / costMs)))
}

/** The size of a request's body: its Content-Length, else the bytes (or text) our body parsers kept. */
function bodyBytes (request: FastifyRequest): number {
  const declared = Number(request.headers['content-length'])
  if (declared > 0) return declared
  const body = request.body as { bytes?: unknown, text?: unknown } | undefined
  if (Buffer.isBuffer(body?.bytes)) return body.bytes.length
  const text = body?.text
  return typeof text === 'string' ? text.length : 0
}

export interface AdmissionOptions extends AdmissionLimits {
  /** True for the routes under control (the dispatching ones), by their URL pattern; asked once per route. */
  controls: (url: string) => boolean
  /** Answer a request refused because the queue is full (503 + Retry-After). */
  refuse: (request: FastifyRequest, reply: FastifyReply) => void
}

const kHeld = Symbol('seldon.admission.held')
type Holder = Socket & { [kHeld]?: FastifyRequest[] }

/**
 * The admitted requests of each connection, so that a request never answered (the client left,
 * the handler never answers and no timeout cuts it) gives its slot back when its connection
 * closes: one `close` listener per connection, not one per response (`reply.raw.once('close')`,
 * 36.7 against 36.1 µs per small predict alone; with the other per-request changes the CLI went
 * from 34.3 to 31.6 µs: BENCHMARKS.md, "Issue 18, item 1: the per-request checks"). A connection
 * holds one request at a time, more only when pipelined.
 */
class HeldSlots {
  constructor (private readonly release: (request: FastifyRequest) => void) {}

  hold (request: FastifyRequest): void {
    const socket = request.raw.socket as Holder | null
    if (socket === null) return
    let requests = socket[kHeld]
    if (requests === undefined) {
      socket[kHeld] = requests = []
      socket.once('close', () => { this.releaseAll(socket) })
    }
    requests.push(request)
  }

  drop (request: FastifyRequest): void {
    const requests = (request.raw.socket as Holder | null)?.[kHeld]
    if (requests === undefined) return
    const at = requests.indexOf(request)
    if (at < 0) return
    requests[at] = requests[requests.length - 1] as FastifyRequest
    requests.pop()
  }

  private releaseAll (socket: Holder): void {
    const requests = socket[kHeld] ?? []
    socket[kHeld] = []
    for (const request of requests) this.release(request)
  }
}

const kAdmitted = Symbol('seldon.admitted')
const kDispatched = Symbol('seldon.dispatched')
type Tracked = FastifyRequest & { [kAdmitted]: boolean, [kDispatched]: boolean }
type AnyHook = (...args: any[]) => unknown

/**
 * Hooks on the dispatching routes of `app` (every route registered after this call, at any level).
 * They are the routes' own hooks, decided once when each route is added, so the other routes
 * (health, metadata, docs) run none of them and no request asks which kind of route it is on (the
 * root hooks they replace read `request.routeOptions`, a getter building a fresh object, each time).
 */
export function registerAdmission (app: FastifyInstance, options: AdmissionOptions): { gate: AdmissionGate, turns: DispatchTurns, cost: DispatchCost } {
  const cost = new DispatchCost()
  const gate = new AdmissionGate(options, () => slotsFor(options.maxConcurrent, cost.ms))
  const turns = new DispatchTurns(cost)
  const { controls, refuse } = options
  const limited = options.maxConcurrent > 0
  // Declared, so every request object keeps one shape (Fastify's advice for request properties).
  app.decorateRequest(kAdmitted, false)
  app.decorateRequest(kDispatched, false)

  const held = new HeldSlots(request => { release(request as Tracked) })
  const admitted = (request: Tracked, _reply: FastifyReply): void => {
    request[kAdmitted] = true
    held.hold(request)
  }
  const release = (request: Tracked): void => {
    if (!request[kAdmitted]) return
    request[kAdmitted] = false
    held.drop(request)
    gate.leave()
  }

  function admit (request: Tracked, reply: FastifyReply, done: () => void): void {
    if (gate.tryEnter()) {
      admitted(request, reply)
      done()
      return
    }
    const queued = gate.enqueue({
      request,
      reply,
      proceed: () => {
        admitted(request, reply)
        done()
      }
    })
    if (!queued) {
      refuse(request, reply)
      done()
    }
  }
  function dispatchTurn (request: Tracked, _reply: FastifyReply, done: () => void): void {
    cost.begin()
    turns.start(bodyBytes(request), () => {
      request[kDispatched] = true
      done()
    })
  }
  // The answer is built: the work the slot stood for is done (a reader that never reads must not
  // keep the slot while its socket buffers fill). Only dispatched requests count towards the
  // cost of a dispatch: a flood of cheap refusals must not make heavy runs look light.
  function dispatched (request: Tracked, _reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
    if (request[kDispatched]) cost.completed()
    if (limited) release(request)
    done(null, payload)
  }

  app.addHook('onRoute', route => {
    if (!controls(route.url)) return
    if (limited) route.onRequest = withRouteHook<AnyHook>(route.onRequest as AnyHook | AnyHook[] | undefined, admit) as typeof route.onRequest
    route.preHandler = withRouteHook<AnyHook>(route.preHandler as AnyHook | AnyHook[] | undefined, dispatchTurn) as typeof route.preHandler
    route.onSend = withRouteHook<AnyHook>(route.onSend as AnyHook | AnyHook[] | undefined, dispatched) as typeof route.onSend
  })
  app.server.on('connection', () => { turns.connection() })
  app.addHook('onClose', (_instance, done) => { cost.close(); done() })
  return { gate, turns, cost }
}
