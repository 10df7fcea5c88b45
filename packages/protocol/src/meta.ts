/**
 * The response `meta`, merged as the Python wrapper does (seldon-core v1.18.2
 * `python/seldon_core/utils.py`; docs/wire-format.md, "Meta"): tags from the request, then
 * the component's tags(), then per-call tags; metrics from the request (echoed verbatim), then the
 * component's metrics() and per-call metrics when they are to be shown; puid kept; requestPath with
 * this unit's entry; routing never emitted.
 */
import { isMarkedFloat, markFloat } from './marks.js'
import { setOwnKey } from './own-key.js'
import type { JsonValue, Meta, Metric } from './types.js'

export interface MetaMergeInput {
  /** The request messages' meta, in order (one for most endpoints, several for aggregate). */
  requestMetas: ReadonlyArray<Meta | undefined>
  /** Take tags, metrics and requestPath from the request metas (false for route and feedback). */
  mergeRequest: boolean
  /** Where puid comes from (the first request message for aggregate). */
  puid?: string | undefined
  userTags?: Record<string, JsonValue> | undefined
  runtimeTags?: Record<string, JsonValue> | undefined
  /** The component's metrics() and per-call metrics, already filtered by INCLUDE_METRICS_IN_CLIENT_RESPONSE. */
  customMetrics?: readonly Metric[] | undefined
  /** `{ [PREDICTIVE_UNIT_ID]: PREDICTIVE_UNIT_IMAGE }`, or undefined when the unit id is not set. */
  unitRequestPath?: Record<string, string> | undefined
}

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Copy own enumerable keys without ever touching a prototype (`__proto__` stays a plain key). */
function assignOwn (target: Record<string, unknown>, source: unknown): void {
  if (!isObject(source)) return
  for (const key of Object.keys(source)) setOwnKey(target, key, source[key])
}

/**
 * {@link assignOwn} for tags, carrying the JSON float marks along so a request tag `1.0` still
 * prints as `1.0`: returns the keys whose last writer was a marked float, a set made when the first
 * one is met (most requests carry none).
 */
function assignTags (target: Record<string, unknown>, source: unknown, floatKeys: Set<string> | undefined): Set<string> | undefined {
  if (!isObject(source)) return floatKeys
  for (const key of Object.keys(source)) {
    const value = source[key]
    setOwnKey(target, key, value)
    // The last writer of a key decides whether it prints as a float.
    if (typeof value === 'number' && isMarkedFloat(source, key)) (floatKeys ??= new Set()).add(key)
    else floatKeys?.delete(key)
  }
  return floatKeys
}

/** True when `obj` has an own enumerable key (without listing them all). */
function hasKeys (obj: object): boolean {
  for (const key in obj) if (Object.hasOwn(obj, key)) return true
  return false
}

export function mergeMeta (input: MetaMergeInput): Meta {
  const meta: Meta = {}
  if (typeof input.puid === 'string' && input.puid !== '') meta.puid = input.puid

  const tags: Record<string, JsonValue> = {}
  let floatTags: Set<string> | undefined
  const requestPath: Record<string, string> = {}
  const metrics: Metric[] = []
  assignOwn(requestPath, input.unitRequestPath)
  if (input.mergeRequest) {
    for (const m of input.requestMetas) {
      if (!isObject(m)) continue
      floatTags = assignTags(tags, m.tags, floatTags)
      assignOwn(requestPath, m.requestPath)
      if (Array.isArray(m.metrics)) metrics.push(...m.metrics)
    }
  }
  floatTags = assignTags(tags, input.userTags, floatTags)
  floatTags = assignTags(tags, input.runtimeTags, floatTags)
  if (floatTags !== undefined) for (const key of floatTags) markFloat(tags, key)
  if (input.customMetrics !== undefined) metrics.push(...input.customMetrics)

  if (hasKeys(tags)) meta.tags = tags
  if (metrics.length > 0) meta.metrics = metrics
  if (hasKeys(requestPath)) meta.requestPath = requestPath
  return meta
}
