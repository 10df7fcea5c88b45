/**
 * Test components and servers. `Probe` leaves a trace of every call in its strData answer
 * (`x>t.ti>a.p`) and in a shared call log, so a test can read which node called what, in which
 * order, on which input. Remote nodes are the real single-component plugins on loopback.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { seldonGrpc } from '@fastify-seldon/grpc'
import { NDArray, SeldonMicroserviceError, float, type JsonValue, type Meta, type Metric } from '@fastify-seldon/protocol'
import { SeldonResponse } from '@fastify-seldon/core'
import { seldonGraph, type SeldonGraphOptions, type PredictiveUnit } from '../src/index.js'

export interface TeardownHost { teardown: (fn: () => void | Promise<void>) => void }

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export interface ProbeOptions {
  /** The route a /route call answers, from the input text. */
  route?: (input: string) => number
  /** ms to wait in every call (async methods). */
  delay?: number
  /** Where each call notes its end (`id.method`), to see completion order. */
  finished?: string[]
}

/** Every method of every kind; each appends `>id.<method>` to the strData it received. */
export class Probe {
  constructor (readonly id: string, readonly calls: string[] = [], readonly options: ProbeOptions = {}) {}

  private async step (method: string, input: unknown): Promise<string> {
    this.calls.push(`${this.id}.${method}`)
    if (this.options.delay !== undefined) await sleep(this.options.delay)
    this.options.finished?.push(`${this.id}.${method}`)
    return `${String(input)}>${this.id}.${method}`
  }

  async predict (X: string): Promise<string> { return await this.step('p', X) }
  async transformInput (X: string): Promise<string> { return await this.step('ti', X) }
  async transformOutput (X: string): Promise<string> { return await this.step('to', X) }
  async aggregate (list: string[]): Promise<string> { return await this.step('ag', `(${list.join('+')})`) }
  async route (X: string): Promise<number> {
    this.calls.push(`${this.id}.route`)
    if (this.options.delay !== undefined) await sleep(this.options.delay)
    return this.options.route?.(X) ?? -1
  }

  async sendFeedback (_f: unknown, _n: string[], reward: number, _t: unknown, routing?: number): Promise<unknown[]> {
    this.calls.push(`${this.id}.fb(${reward},${routing ?? 'none'})`)
    return []
  }
}

/** A router whose answer is whatever the request's jsonData `answer` says (routes of any shape). */
export class RawRouter {
  routeRaw (message: { jsonData?: { answer?: unknown } }): unknown {
    return message.jsonData?.answer
  }
}

/** Numeric model: X * factor, with tags and a GAUGE metric. */
export class Scale {
  constructor (readonly factor: number, readonly tag: string) {}
  predict (X: NDArray): NDArray { return X.map(v => v * this.factor) }
  tags (): Record<string, JsonValue> { return { [this.tag]: float(this.factor), shared: this.tag } }
  metrics (): Metric[] { return [{ type: 'GAUGE', key: `${this.tag}_factor`, value: this.factor }] }
}

/** Input transformer: X + 1 (keeps ints as ints: nested plain numbers). */
export class AddOne {
  transformInput (X: NDArray): unknown {
    const nested = X.toNested() as number[][]
    return nested.map(row => row.map(v => v + 1))
  }
}

/** Output transformer tagging the answer; a per-call tag through SeldonResponse. */
export class Tagger {
  transformOutput (X: NDArray, _names: string[], meta?: Meta): SeldonResponse {
    return new SeldonResponse(X, { seen_puid: meta?.puid ?? 'none', ratio: float(0.5) })
  }
}

/** Averaging combiner. */
export class Average {
  aggregate (list: NDArray[]): NDArray {
    const first = list[0] as NDArray
    const out = new Float64Array(first.size)
    for (const x of list) x.toFloat64().forEach((v, i) => { out[i] = (out[i] as number) + v / list.length })
    return new NDArray(out, first.shape)
  }
}

/** Routes by the first feature: < 2 → 0, else 1; counts rewards per branch. */
export class Threshold {
  rewards: Record<string, number> = {}
  route (X: NDArray): number { return (X.toFloat64()[0] as number) < 2 ? 0 : 1 }
  sendFeedback (_f: unknown, _n: string[], reward: number, _t: unknown, routing?: number): unknown[] {
    this.rewards[String(routing)] = (this.rewards[String(routing)] ?? 0) + reward
    return []
  }
}

export class Teapot extends Error {}

/** Fails: a Seldon error with a status of its choosing, or its own error class with a handler. */
export class Failing {
  errorHandlers = [{ error: Teapot, handle: (err: Teapot) => ({ statusCode: 418, body: { teapot: err.message } }) }]
  constructor (readonly how: 'seldon' | 'custom' | 'plain') {}
  predict (): never {
    if (this.how === 'seldon') throw new SeldonMicroserviceError('zero is not allowed', { statusCode: 422, reason: 'MY_REASON' })
    if (this.how === 'custom') throw new Teapot('short and stout')
    throw new Error('boom <&>')
  }
}

/** Fails after a delay with a Seldon error of the given status. */
export class FailAfter {
  constructor (readonly ms: number, readonly message: string, readonly statusCode = 500) {}
  async predict (): Promise<never> {
    await sleep(this.ms)
    throw new SeldonMicroserviceError(this.message, { statusCode: this.statusCode, reason: 'FAILED' })
  }
}

/** Changes the message it is given in place (a raw method), and answers it. */
export class Mutator {
  constructor (readonly id: string) {}
  predictRaw (message: { jsonData: { seen: string[] } }): unknown {
    message.jsonData.seen.push(this.id)
    return { jsonData: message.jsonData }
  }
}

/** A raw combiner answering the list of what its inputs saw. */
export class Collect {
  aggregateRaw (list: Array<{ jsonData: { seen: string[] } }>): unknown {
    return { jsonData: list.map(m => m.jsonData.seen) }
  }
}

/** A model slow enough to time out. */
export class Slow {
  constructor (readonly ms: number) {}
  async predict (X: unknown): Promise<unknown> { await sleep(this.ms); return X }
}

// ── servers ────────────────────────────────────────────────────────────────────────────────────

/** The component behind the REST plugin on a free loopback port (PREDICTIVE_UNIT_ID = unitId). */
export async function serveRest (t: TeardownHost, component: object, unitId: string): Promise<number> {
  const app = Fastify({ logger: false })
  await app.register(seldonComponent, { component: component as never, unitId, openapi: false, docs: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => { await app.close() })
  return (app.server.address() as { port: number }).port
}

/** The component behind the gRPC plugin on a free loopback port. */
export async function serveGrpc (t: TeardownHost, component: object, unitId: string): Promise<number> {
  const app = Fastify({ logger: false })
  await app.register(seldonGrpc, { component, unitId, port: 0, host: '127.0.0.1' })
  await app.ready()
  t.teardown(async () => { await app.close() })
  return app.seldonGrpc.port as number
}

/** A port nothing listens on (bound, noted, closed). */
export async function deadPort (): Promise<number> {
  const app = Fastify({ logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  await app.close()
  return port
}

/**
 * A graph with a node of every kind: an output transformer over a transformer over a combiner of a
 * model and a router choosing between two models. The remote and gRPC front-end suites serve it
 * in-process and with every node remote, and compare the answers.
 */
export const EVERY_KIND_GRAPH: PredictiveUnit = {
  name: 'o',
  type: 'OUTPUT_TRANSFORMER',
  children: [{
    name: 't',
    type: 'TRANSFORMER',
    children: [{
      name: 'c',
      type: 'COMBINER',
      children: [
        { name: 'a', type: 'MODEL' },
        { name: 'r', type: 'ROUTER', children: [{ name: 'b', type: 'MODEL' }, { name: 'd', type: 'MODEL' }] }
      ]
    }]
  }]
}

/** Fresh components for every node of {@link EVERY_KIND_GRAPH} (each setting gets its own state). */
export function everyKindComponents (): Record<string, object> {
  return { o: new Tagger(), t: new AddOne(), c: new Average(), a: new Scale(2, 'a'), r: new Threshold(), b: new Scale(3, 'b'), d: new Scale(0.5, 'd') }
}

/** The graph with `endpoint` set on the named nodes (a deep copy). */
export function withEndpoints (graph: PredictiveUnit, ports: Record<string, number>, type: 'REST' | 'GRPC' = 'REST'): PredictiveUnit {
  const copy = (unit: PredictiveUnit): PredictiveUnit => {
    const port = ports[unit.name]
    const out: PredictiveUnit = { ...unit, children: (unit.children ?? []).map(copy) }
    if (port !== undefined) {
      out.endpoint = type === 'REST'
        ? { service_host: '127.0.0.1', type, httpPort: port }
        : { service_host: '127.0.0.1', type, grpcPort: port }
    }
    return out
  }
  return copy(graph)
}

/** Names of every node in a graph. */
export function nodeNames (graph: PredictiveUnit): string[] {
  return [graph.name, ...(graph.children ?? []).flatMap(nodeNames)]
}

/** A Fastify app serving the graph under `/g`, closed on teardown. */
export async function graphApp (t: TeardownHost, options: SeldonGraphOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(seldonGraph, { prefix: '/g', ...options })
  await app.ready()
  t.teardown(async () => { await app.close() })
  return app
}

/** POST a JSON text (kept byte for byte) to the graph's predictions route. */
export async function predict (app: FastifyInstance, body: string, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'POST', url: '/g/api/v1.0/predictions', headers: { 'content-type': 'application/json', ...headers }, payload: body })
}

export async function feedback (app: FastifyInstance, body: string) {
  return await app.inject({ method: 'POST', url: '/g/api/v1.0/feedback', headers: { 'content-type': 'application/json' }, payload: body })
}
