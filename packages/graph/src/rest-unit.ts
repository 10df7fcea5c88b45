/**
 * A remote node over REST, as the executor calls it: POST `/predict`, `/transform-input`,
 * `/transform-output`, `/route`, `/aggregate` (a bare JSON array of the children's outputs),
 * `/send-feedback`; GET `/metadata` and `/health/status`. Calls go through one keep-alive undici
 * Pool per endpoint (shared by the nodes at the same address). No retries; no timeout unless one
 * is set (undici's own 300 s defaults are turned off, as the executor has none).
 *
 * Numbers keep their spelling across the hop: the body is written by the number-faithful codec
 * and the answer read by it (a child's `1.0` stays `1.0`).
 */
import { Pool } from 'undici'
import { parseJson, stringifyJson, type Transport } from '@fastify-seldon/protocol'
import { BadNodeAnswerError, NodeError, NodeTimeoutError, NodeUnavailableError } from './errors.js'
import { OPERATION_PATHS, type NodeOperation } from './roles.js'
import type { RequestScope } from './scope.js'
import type { NodeUnit } from './unit.js'
import { convertForm, type Flow } from './wire.js'

/** One keep-alive Pool per origin, shared by every node at that address; closed together. */
export class RestPools {
  private readonly pools = new Map<string, Pool>()

  get (origin: string): Pool {
    let pool = this.pools.get(origin)
    if (pool === undefined) {
      pool = new Pool(origin, { headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 60_000 })
      this.pools.set(origin, pool)
    }
    return pool
  }

  async close (): Promise<void> {
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.all(pools.map(async pool => { await pool.close() }))
  }
}

interface Reply {
  statusCode: number
  contentType: string | undefined
  body: Buffer
}

export class RestUnit implements NodeUnit {
  readonly kind = 'rest'
  readonly answersOwned = true
  readonly location: string
  private readonly pool: Pool

  /** `timeout`: ms per call, 0 for none. */
  constructor (readonly node: string, origin: string, pools: RestPools, private readonly timeout: number) {
    this.location = origin
    this.pool = pools.get(origin)
  }

  async call (operation: NodeOperation, input: Flow | readonly Flow[], scope: RequestScope): Promise<unknown> {
    const payload = operation === 'aggregate' ? (input as readonly Flow[]).map(f => f.message) : (input as Flow).message
    const headers = scope.restHeaders()
    headers['content-type'] = 'application/json'
    const reply = await this.request('POST', OPERATION_PATHS[operation], headers, stringifyJson(payload))
    const answer = this.answer(reply, OPERATION_PATHS[operation])
    return convertForm(answer, 'rest', scope.transport as Transport)
  }

  async metadata (scope: RequestScope): Promise<unknown> {
    return this.answer(await this.request('GET', '/metadata', scope.restHeaders()), '/metadata')
  }

  async health (scope: RequestScope): Promise<unknown> {
    return this.answer(await this.request('GET', '/health/status', scope.restHeaders()), '/health/status')
  }

  async readiness (timeoutMs: number): Promise<string | undefined> {
    try {
      const reply = await this.request('GET', '/health/status', {}, undefined, timeoutMs)
      return reply.statusCode === 200 ? undefined : `${this.location}/health/status answered ${reply.statusCode}`
    } catch (err) {
      return (err as Error).message
    }
  }

  async load (): Promise<void> {}

  /** A 200 answer's message; any other status is the node's error, passed on as it is. */
  private answer (reply: Reply, path: string): unknown {
    if (reply.statusCode !== 200) {
      throw new NodeError(this.node, { statusCode: reply.statusCode, body: reply.body, contentType: reply.contentType })
    }
    try {
      return parseJson(reply.body)
    } catch {
      throw new BadNodeAnswerError(`Node ${this.node} (${this.location}${path}) answered 200 with a body that is not JSON`)
    }
  }

  private async request (
    method: 'GET' | 'POST', path: string, headers: Record<string, string | string[]>, body?: string, timeout = this.timeout
  ): Promise<Reply> {
    const signal = timeout > 0 ? AbortSignal.timeout(timeout) : undefined
    try {
      const response = await this.pool.request({ method, path, headers, body, signal })
      const bytes = Buffer.from(await response.body.arrayBuffer())
      const type = response.headers['content-type']
      return { statusCode: response.statusCode, contentType: Array.isArray(type) ? type[0] : type, body: bytes }
    } catch (err) {
      if (signal?.aborted === true) {
        throw new NodeTimeoutError(`Node ${this.node} (${this.location}${path}) did not answer within ${timeout} ms`)
      }
      throw new NodeUnavailableError(`Node ${this.node} (${this.location}${path}) is unreachable: ${describeNetworkError(err)}`)
    }
  }
}

/** undici's error, with the socket error's code when it has one (`connect ECONNREFUSED ...`). */
function describeNetworkError (err: unknown): string {
  const e = err as { message?: string, code?: string, cause?: { message?: string } }
  const text = e?.cause?.message ?? e?.message ?? String(err)
  return e?.code !== undefined && !text.includes(e.code) ? `${text} (${e.code})` : text
}
