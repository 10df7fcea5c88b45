/**
 * The environment contract of a Seldon Core microservice (docs/dispatch.md, "The environment
 * contract"), mapped onto plugin options. The plugins never read `process.env` themselves: the
 * seldon-microservice CLI calls {@link optionsFromEnv} once, and a host app that wants the same
 * contract does too:
 *
 *   app.register(seldonModel, { component, ...optionsFromEnv(process.env) })
 */
import type { RuntimeOptions } from '../runtime.js'
import type { RuntimeSettings } from './runtime-settings.js'

/** The plugin options the environment sets; each plugin takes the ones it knows. */
export interface SeldonEnvOptions extends Omit<RuntimeSettings, 'metrics'> {
  /** PAYLOAD_PASSTHROUGH: the REST predict routes hand the raw body text to `predictRaw`. */
  payloadPassthrough?: boolean
  /** SELDON_OPENAPI: serve `/seldon.json` (REST). */
  openapi?: boolean
  /** SELDON_DOCS: serve Swagger UI at `/docs` (REST). */
  docs?: boolean
}

/** Python's `getenv_as_bool` (seldon-core v1.18.2 python/seldon_core/utils.py): true iff `1`, `true` or `t`, any case. */
export function envBool (value: string | undefined): boolean {
  if (value === undefined) return false
  const v = value.toLowerCase()
  return v === '1' || v === 'true' || v === 't'
}

const isSet = (value: string | undefined): value is string => value !== undefined && value !== ''

/**
 * The options `env` sets. A variable that is absent (or empty, where the wrapper treats empty as
 * absent) sets nothing, so the plugin's own default applies; explicit options spread after these
 * win.
 */
export function optionsFromEnv (env: Readonly<Record<string, string | undefined>>): SeldonEnvOptions {
  const options: SeldonEnvOptions = {}
  if (isSet(env.PREDICTIVE_UNIT_ID)) options.unitId = env.PREDICTIVE_UNIT_ID
  if (isSet(env.PREDICTIVE_UNIT_IMAGE)) options.unitImage = env.PREDICTIVE_UNIT_IMAGE
  // The wrapper's own rules: metrics shown only when the value lower-cased is "true"; the executor
  // counted as enabled unless the value lower-cased is "false".
  if (env.INCLUDE_METRICS_IN_CLIENT_RESPONSE !== undefined) {
    options.includeMetricsInResponse = env.INCLUDE_METRICS_IN_CLIENT_RESPONSE.toLowerCase() === 'true'
  }
  if (env.SELDON_EXECUTOR_ENABLED !== undefined) {
    options.executorEnabled = env.SELDON_EXECUTOR_ENABLED.toLowerCase() !== 'false'
  }
  if (env.MODEL_METADATA !== undefined) options.modelMetadata = env.MODEL_METADATA
  if (env.PAYLOAD_PASSTHROUGH !== undefined) options.payloadPassthrough = envBool(env.PAYLOAD_PASSTHROUGH)
  if (isSet(env.SELDON_OPENAPI)) options.openapi = envBool(env.SELDON_OPENAPI)
  if (isSet(env.SELDON_DOCS)) options.docs = envBool(env.SELDON_DOCS)
  return options
}

/** The runtime's part of the contract, every default filled in (for a SeldonRuntime built by hand). */
export function runtimeOptionsFromEnv (env: Readonly<Record<string, string | undefined>>): RuntimeOptions {
  const options = optionsFromEnv(env)
  return {
    unitId: options.unitId,
    unitImage: options.unitImage,
    includeMetricsInResponse: options.includeMetricsInResponse ?? true,
    executorEnabled: options.executorEnabled ?? true,
    modelMetadata: options.modelMetadata
  }
}
