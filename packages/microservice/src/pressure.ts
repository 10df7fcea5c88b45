/**
 * Load protection past the CLI's thresholds (--max-event-loop-delay, --max-rss-bytes,
 * --max-heap-used-bytes): 503 with the Seldon envelope and Retry-After (RELIABILITY.md,
 * guarantee 8). @fastify/under-pressure samples the process and says whether it is under pressure;
 * the heap is not its raw sample: HeapJudge collects before it concludes (heap.ts), run as
 * under-pressure's health check.
 *
 * The per-request check is ours, not under-pressure's `onRequest` hook (dropped with
 * rest's `withoutHooks`): that hook reads `request.routeOptions` on every request, a getter that
 * builds a dozen-field object each time, to find a per-route handler we never set. Ours is one
 * call of under-pressure's own `isUnderPressure()`, made by the worker's one `onRequest` hook with
 * its other checks (server.ts); dropping under-pressure's hook took ~1.9 µs off a worker's ~35 µs
 * per small predict (BENCHMARKS.md, "Issue 18, item 1: the per-request checks").
 * packages/microservice/test/pressure-hooks.test.ts fails if under-pressure's hooks change.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { withoutHooks } from '@fastify-seldon/rest/internal'
import { HeapJudge } from './heap.js'
import { OVERLOADED_BODY } from './limits.js'
import type { MicroserviceConfig } from './options.js'

/** The hooks of @fastify/under-pressure that are replaced by {@link PressureCheck}. */
export const UNDER_PRESSURE_REQUEST_HOOKS: ReadonlySet<string> = new Set(['onRequest'])

/** Routes never refused under pressure: liveness must not fail because the process is busy. */
const PRESSURE_EXEMPT = new Set(['/health/ping'])
/** Seconds a client is asked to wait when we are overloaded. */
const RETRY_AFTER_SECONDS = 10
/** How often the heap is judged (ms): often, so that the 503s end soon after the load does. */
const HEAP_CHECK_MS = 250

type Thresholds = Pick<MicroserviceConfig, 'maxEventLoopDelay' | 'maxHeapUsedBytes' | 'maxRssBytes'>

/** The refusal of requests while under-pressure says the process is under pressure. */
export class PressureCheck {
  constructor (
    private readonly app: FastifyInstance,
    private readonly thresholds: Thresholds,
    private readonly heapUsed: () => number
  ) {}

  /** True when `request` was answered 503 (the caller stops there). */
  refused (request: FastifyRequest, reply: FastifyReply): boolean {
    if (!this.app.isUnderPressure() || PRESSURE_EXEMPT.has(request.routeOptions.url ?? '')) return false
    const [type, value] = this.cause()
    request.log.warn({ type, value }, 'under pressure: 503')
    reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).header('content-type', 'application/json').send(OVERLOADED_BODY)
    return true
  }

  /** Which threshold is passed, in under-pressure's order of checks, and by how much. */
  private cause (): [string, number] {
    const { eventLoopDelay, rssBytes } = this.app.memoryUsage()
    const { maxEventLoopDelay, maxRssBytes } = this.thresholds
    if (maxEventLoopDelay > 0 && eventLoopDelay > maxEventLoopDelay) return ['eventLoopDelay', eventLoopDelay]
    if (maxRssBytes > 0 && rssBytes > maxRssBytes) return ['rssBytes', rssBytes]
    return ['heapUsedBytes', this.heapUsed()]
  }
}

/**
 * @fastify/under-pressure with the CLI's thresholds, without its per-request hook; undefined when
 * every threshold is 0 (no load protection at all).
 */
export async function registerPressure (app: FastifyInstance, thresholds: Thresholds, sampleInterval?: number): Promise<PressureCheck | undefined> {
  const { maxEventLoopDelay, maxRssBytes, maxHeapUsedBytes } = thresholds
  if (maxEventLoopDelay <= 0 && maxRssBytes <= 0 && maxHeapUsedBytes <= 0) return undefined
  const heapCheckMs = sampleInterval ?? HEAP_CHECK_MS
  const heap = maxHeapUsedBytes > 0 ? new HeapJudge(maxHeapUsedBytes, 2 * heapCheckMs) : undefined
  let heapUsed = 0
  let heapHealthy = true
  const { default: underPressure } = await import('@fastify/under-pressure')
  // Called directly (it is a fastify-plugin plugin: no context of its own) on the view.
  await underPressure(withoutHooks(app, UNDER_PRESSURE_REQUEST_HOOKS), {
    maxEventLoopDelay,
    maxRssBytes,
    sampleInterval: sampleInterval ?? 1000,
    ...(heap !== undefined
      ? {
          healthCheckInterval: heapCheckMs,
          healthCheck: async () => {
            const verdict = heap.check()
            heapUsed = verdict.heapUsed
            if (verdict.healthy !== heapHealthy) {
              heapHealthy = verdict.healthy
              app.log.warn({ heapUsed, maxHeapUsedBytes, collected: verdict.collected },
                heapHealthy ? 'heap back under --max-heap-used-bytes: serving' : 'heap over --max-heap-used-bytes: refusing with 503')
            }
            return heapHealthy
          }
        }
      : {}),
    retryAfter: RETRY_AFTER_SECONDS
  })
  return new PressureCheck(app, thresholds, () => heapUsed)
}
