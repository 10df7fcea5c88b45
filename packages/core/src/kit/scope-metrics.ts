/**
 * Metrics that wire themselves: `seldonMetrics` (@fastify-seldon/metrics) decorates the scope it is
 * registered in, and the component plugins of that scope and below (the REST kind plugins,
 * seldonComponent, seldonGrpc) look the decoration up themselves, so custom metrics, feedback
 * counters and gRPC call metrics land in the scope's registry without a `metrics` option.
 *
 * Registration order: metrics first is the documented way, and the plugins connect at once. A
 * plugin registered before the metrics looks again when the app gets ready (an `onReady` hook): a
 * decorator added to an ancestor later is visible then, so either order works. The explicit
 * `metrics` option (and gRPC's `onCall`) still wins over the scope's.
 */
import type { MetricsRecorder } from '../custom-metrics.js'

/**
 * The decorator `seldonMetrics` puts on its scope. A string, not a symbol: Fastify decorators are
 * named, and every installed copy of the packages agrees on a name.
 */
export const METRICS_DECORATOR = 'seldonMetrics'

/** What the component plugins use of the scope's metrics (a SeldonMetrics object of @fastify-seldon/metrics). */
export interface ScopeMetrics {
  /** Where custom metrics and feedback rewards go. */
  readonly recorder: MetricsRecorder
  /** One finished gRPC call (the gRPC plugin's `onCall`). */
  observeGrpc?: (service: string, method: string, grpcCode: string, seconds: number) => void
}

/** A Fastify instance, as far as this file needs one (core does not import Fastify). */
export interface MetricsScope {
  addHook (name: 'onReady', hook: () => Promise<void>): unknown
}

/** The metrics decorating `scope` (or one of its ancestors), if any. */
export function scopeMetrics (scope: object): ScopeMetrics | undefined {
  const metrics = (scope as Record<string, unknown>)[METRICS_DECORATOR] as Partial<ScopeMetrics> | null | undefined
  const recorder = metrics?.recorder
  if (recorder === null || typeof recorder !== 'object' || typeof recorder.record !== 'function' || typeof recorder.feedback !== 'function') {
    return undefined
  }
  return metrics as ScopeMetrics
}

/**
 * Call `connect` with the scope's metrics: now when the scope has them, else once the app is ready
 * if they were registered after the calling plugin (nothing happens when there are none).
 */
export function connectScopeMetrics (scope: MetricsScope, connect: (metrics: ScopeMetrics) => void): void {
  const now = scopeMetrics(scope)
  if (now !== undefined) {
    connect(now)
    return
  }
  scope.addHook('onReady', async function connectSeldonMetrics () {
    const later = scopeMetrics(scope)
    if (later !== undefined) connect(later)
  })
}
