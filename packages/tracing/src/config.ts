/**
 * Seldon's tracing environment (TRACING, the JAEGER_* variables jaeger-client read, the YAML of
 * JAEGER_CONFIG_PATH) mapped onto OpenTelemetry's, read once at start. An explicit `OTEL_*`
 * variable always wins over a Jaeger one. The mapping table, and what is not mapped and why, is
 * docs/tracing.md; this file is its code. Pure: the environment and file reader come in, a
 * {@link TracingConfig} and the warnings to print come out.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { sdkDisabled } from './switch.js'

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc'
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc']

export type SamplerName =
  | 'always_on' | 'always_off' | 'traceidratio'
  | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio'
const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'
]

export interface SamplerChoice {
  name: SamplerName
  /** The ratio of the traceidratio samplers. */
  ratio?: number
  /** Where it came from: `default`, `OTEL_TRACES_SAMPLER`, `JAEGER_SAMPLER_TYPE`, `JAEGER_CONFIG_PATH`. */
  source: string
}

export type PropagatorName = 'tracecontext' | 'baggage' | 'jaeger' | 'b3' | 'b3multi'
const PROPAGATOR_NAMES: readonly PropagatorName[] = ['tracecontext', 'baggage', 'jaeger', 'b3', 'b3multi']

export interface TracingConfig {
  /** False under `OTEL_SDK_DISABLED=true` or `enabled: false` in the Jaeger YAML. */
  enabled: boolean
  /** `service.name` unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  serviceName: string
  /** Resource attributes under OTEL_RESOURCE_ATTRIBUTES (JAEGER_TAGS, YAML tags, seldon.*). */
  resourceAttributes: Record<string, string>
  protocol: OtlpProtocol
  /** Where spans are sent: the full traces URL for HTTP, the collector address for gRPC. */
  endpoint: string
  sampler: SamplerChoice
  /** In extraction order: when two carry a context, the last one wins. */
  propagators: PropagatorName[]
  /** JAEGER_EXTRA_TAGS: request attribute names, as Flask's, added to the REST span. */
  extraTags: string[]
  /** A span around each user-method call (SELDON_TRACING_METHOD_SPAN=0 turns it off). */
  methodSpans: boolean
  /** Things to tell the user once, at start. */
  warnings: string[]
}

export interface ResolveOptions {
  /** The component's name (its class): the default `service.name`, as the wrapper's. */
  componentName: string
  /** Reads JAEGER_CONFIG_PATH (tests pass their own). */
  readFile?: (path: string) => string
}

const OTLP_HTTP_PORT = 4318
const OTLP_GRPC_PORT = 4317

/** `k=v,k=v`, blanks trimmed, entries without `=` or a key dropped. */
export function parseKeyValueList (text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of (text ?? '').split(',')) {
    const at = entry.indexOf('=')
    if (at <= 0) continue
    const key = entry.slice(0, at).trim()
    if (key !== '') out[key] = entry.slice(at + 1).trim()
  }
  return out
}

/** The jaeger-client YAML keys we map; the others are named in one warning. */
const YAML_MAPPED = new Set(['sampler', 'local_agent', 'tags', 'propagation', 'service_name', 'enabled', 'logging'])

interface JaegerYaml {
  sampler?: { type?: unknown, param?: unknown }
  local_agent?: { reporting_host?: unknown, reporting_port?: unknown }
  tags?: Record<string, unknown>
  propagation?: unknown
  service_name?: unknown
  enabled?: unknown
}

function readJaegerYaml (path: string, readFile: (path: string) => string, warnings: string[]): JaegerYaml | undefined {
  let parsed: unknown
  try {
    parsed = parseYaml(readFile(path))
  } catch (err) {
    warnings.push(`JAEGER_CONFIG_PATH=${path} could not be read (${(err as Error).message}): ignored`)
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    warnings.push(`JAEGER_CONFIG_PATH=${path} is not a YAML mapping: ignored`)
    return undefined
  }
  const unmapped = Object.keys(parsed).filter(k => !YAML_MAPPED.has(k))
  if (unmapped.length > 0) warnings.push(`JAEGER_CONFIG_PATH: ${unmapped.join(', ')} not mapped to OpenTelemetry: ignored`)
  return parsed as JaegerYaml
}

function ratioOf (text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined
  const ratio = Number(text)
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : undefined
}

const DEFAULT_SAMPLER: SamplerChoice = { name: 'parentbased_always_on', source: 'default' }

function otelSampler (env: NodeJS.ProcessEnv, warnings: string[]): SamplerChoice | undefined {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase()
  if (name === undefined || name === '') return undefined
  if (!(SAMPLER_NAMES as readonly string[]).includes(name)) {
    warnings.push(`OTEL_TRACES_SAMPLER=${name} is not supported here: using parentbased_always_on`)
    return DEFAULT_SAMPLER
  }
  const choice: SamplerChoice = { name: name as SamplerName, source: 'OTEL_TRACES_SAMPLER' }
  if (name.endsWith('traceidratio')) {
    const arg = env.OTEL_TRACES_SAMPLER_ARG
    const ratio = ratioOf(arg)
    if (ratio === undefined && arg !== undefined && arg.trim() !== '') warnings.push(`OTEL_TRACES_SAMPLER_ARG=${arg} is not a ratio in [0, 1]: using 1`)
    choice.ratio = ratio ?? 1
  }
  return choice
}

/** A Jaeger sampler (`const`, `probabilistic`...) as the parent-based OpenTelemetry one. */
function jaegerSampler (type: string, param: string | undefined, source: string, warnings: string[]): SamplerChoice | undefined {
  switch (type.trim().toLowerCase()) {
    case 'const': {
      const off = param !== undefined && param.trim() !== '' && Number(param) === 0
      return { name: off ? 'parentbased_always_off' : 'parentbased_always_on', source }
    }
    case 'probabilistic': {
      const ratio = ratioOf(param)
      if (ratio === undefined) {
        warnings.push(`${source}: probabilistic sampler param ${String(param)} is not a ratio in [0, 1]: using parentbased_always_on`)
        return undefined
      }
      return { name: 'parentbased_traceidratio', ratio, source }
    }
    default:
      warnings.push(`${source}: Jaeger sampler type "${type}" has no OpenTelemetry equivalent: using parentbased_always_on`)
      return undefined
  }
}

function chooseSampler (env: NodeJS.ProcessEnv, yaml: JaegerYaml | undefined, warnings: string[]): SamplerChoice {
  const explicit = otelSampler(env, warnings)
  if (explicit !== undefined) return explicit
  const yamlType = yaml?.sampler?.type
  if (yamlType !== undefined && yamlType !== null) {
    const param = yaml?.sampler?.param
    return jaegerSampler(String(yamlType), param === undefined || param === null ? undefined : String(param), 'JAEGER_CONFIG_PATH', warnings) ?? DEFAULT_SAMPLER
  }
  const envType = env.JAEGER_SAMPLER_TYPE
  if (envType !== undefined && envType.trim() !== '') {
    return jaegerSampler(envType, env.JAEGER_SAMPLER_PARAM, 'JAEGER_SAMPLER_TYPE', warnings) ?? DEFAULT_SAMPLER
  }
  return DEFAULT_SAMPLER
}

function choosePropagators (env: NodeJS.ProcessEnv, yaml: JaegerYaml | undefined, warnings: string[]): PropagatorName[] {
  const explicit = env.OTEL_PROPAGATORS
  if (explicit !== undefined && explicit.trim() !== '') {
    const names: PropagatorName[] = []
    for (const raw of explicit.split(',')) {
      const name = raw.trim().toLowerCase()
      if (name === '' || name === 'none') continue
      if (!(PROPAGATOR_NAMES as readonly string[]).includes(name)) {
        warnings.push(`OTEL_PROPAGATORS: "${name}" is not supported here: ignored`)
        continue
      }
      if (!names.includes(name as PropagatorName)) names.push(name as PropagatorName)
    }
    return names
  }
  const b3 = String(yaml?.propagation ?? '').toLowerCase() === 'b3' || (env.JAEGER_TRACE_PROPAGATION_TYPE ?? '').trim().toLowerCase() === 'b3'
  // Jaeger last: the executor forwards a caller's traceparent next to its own uber-trace-id, and
  // the last propagator that finds a context wins.
  return b3 ? ['tracecontext', 'baggage', 'b3multi', 'jaeger'] : ['tracecontext', 'baggage', 'jaeger']
}

function chooseProtocol (env: NodeJS.ProcessEnv, warnings: string[]): OtlpProtocol {
  const raw = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim().toLowerCase()
  if (raw === '') return 'http/protobuf'
  if ((OTLP_PROTOCOLS as readonly string[]).includes(raw)) return raw as OtlpProtocol
  warnings.push(`OTLP protocol "${raw}" is not one of ${OTLP_PROTOCOLS.join(', ')}: using http/protobuf`)
  return 'http/protobuf'
}

function hostPort (host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

function chooseEndpoint (env: NodeJS.ProcessEnv, protocol: OtlpProtocol, yaml: JaegerYaml | undefined, warnings: string[]): string {
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (signal !== undefined && signal !== '') return signal
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (base !== undefined && base !== '') {
    return protocol === 'grpc' ? base : `${base}${base.endsWith('/') ? '' : '/'}v1/traces`
  }
  const yamlHost = yaml?.local_agent?.reporting_host
  const agentHost = (typeof yamlHost === 'string' && yamlHost.trim() !== '' ? yamlHost : env.JAEGER_AGENT_HOST)?.trim()
  const port = protocol === 'grpc' ? OTLP_GRPC_PORT : OTLP_HTTP_PORT
  if (agentHost !== undefined && agentHost !== '') {
    const agentPort = yaml?.local_agent?.reporting_port ?? env.JAEGER_AGENT_PORT
    warnings.push(`Jaeger agent host ${agentHost}: exporting OTLP to it on port ${port}` +
      (agentPort !== undefined && String(agentPort).trim() !== '' ? ` (agent port ${String(agentPort)} ignored: it speaks UDP Thrift, not OTLP)` : '') +
      '; set OTEL_EXPORTER_OTLP_ENDPOINT to choose the collector')
    const url = `http://${hostPort(agentHost, port)}`
    return protocol === 'grpc' ? url : `${url}/v1/traces`
  }
  return protocol === 'grpc' ? `http://localhost:${OTLP_GRPC_PORT}` : `http://localhost:${OTLP_HTTP_PORT}/v1/traces`
}

function switchedOff (value: string | undefined): boolean {
  const text = (value ?? '').trim().toLowerCase()
  return text === '0' || text === 'false'
}

/** Seldon's and Jaeger's tracing environment as OpenTelemetry settings. */
export function resolveTracingConfig (env: NodeJS.ProcessEnv, options: ResolveOptions): TracingConfig {
  const warnings: string[] = []
  const yamlPath = env.JAEGER_CONFIG_PATH?.trim()
  const yaml = yamlPath !== undefined && yamlPath !== ''
    ? readJaegerYaml(yamlPath, options.readFile ?? (p => readFileSync(p, 'utf8')), warnings)
    : undefined

  let enabled = !sdkDisabled(env)
  if (enabled && yaml?.enabled === false) {
    enabled = false
    warnings.push('JAEGER_CONFIG_PATH says enabled: false: tracing stays off')
  }

  const resourceAttributes: Record<string, string> = { ...parseKeyValueList(env.JAEGER_TAGS) }
  if (yaml?.tags !== undefined && yaml.tags !== null && typeof yaml.tags === 'object') {
    for (const [key, value] of Object.entries(yaml.tags)) resourceAttributes[key] = String(value)
  }
  const seldonIds: Array<[string, string | undefined]> = [
    ['seldon.deployment.id', env.SELDON_DEPLOYMENT_ID],
    ['seldon.predictor.id', env.PREDICTOR_ID],
    ['seldon.predictive_unit.id', env.PREDICTIVE_UNIT_ID]
  ]
  for (const [key, value] of seldonIds) if (value !== undefined && value !== '') resourceAttributes[key] = value

  const yamlService = typeof yaml?.service_name === 'string' && yaml.service_name.trim() !== '' ? yaml.service_name.trim() : undefined
  const protocol = chooseProtocol(env, warnings)
  return {
    enabled,
    serviceName: yamlService ?? options.componentName,
    resourceAttributes,
    protocol,
    endpoint: chooseEndpoint(env, protocol, yaml, warnings),
    sampler: chooseSampler(env, yaml, warnings),
    propagators: choosePropagators(env, yaml, warnings),
    extraTags: (env.JAEGER_EXTRA_TAGS ?? '').split(',').map(s => s.trim()).filter(s => s !== ''),
    methodSpans: !switchedOff(env.SELDON_TRACING_METHOD_SPAN),
    warnings
  }
}

/** The sampler as OTEL_TRACES_SAMPLER would name it, with its ratio. */
export function describeSampler (sampler: SamplerChoice): string {
  return sampler.ratio !== undefined ? `${sampler.name}(${sampler.ratio})` : sampler.name
}
