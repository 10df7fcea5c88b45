/**
 * The tracing switch, read the way the Python wrapper reads it (seldon-core v1.18.2
 * python/seldon_core/microservice.py: `--tracing` with `type=int`, default `int(TRACING or 0)`):
 * any non-zero integer is on. `true` is on too, where the wrapper crashes at start on the int
 * parse (COMPATIBILITY.md). This module imports nothing, so the CLI can read the switch without
 * loading OpenTelemetry.
 */

/**
 * `true`/`false` for a readable value, `undefined` for one that is neither an integer nor a
 * boolean word (the caller says so: the wrapper would not start). Unset or empty is off.
 */
export function parseTracingSwitch (value: string | undefined): boolean | undefined {
  if (value === undefined) return false
  const text = value.trim()
  if (text === '') return false
  // Python's int() accepts surrounding blanks, a sign and digit-group underscores.
  if (/^[+-]?\d+(?:_\d+)*$/.test(text)) return Number(text.replace(/_/g, '')) !== 0
  const word = text.toLowerCase()
  if (word === 'true') return true
  if (word === 'false') return false
  return undefined
}

/** `OTEL_SDK_DISABLED=true` (OpenTelemetry's own switch, case-insensitive) keeps tracing off. */
export function sdkDisabled (env: NodeJS.ProcessEnv): boolean {
  return (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true'
}
