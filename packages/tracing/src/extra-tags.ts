/**
 * JAEGER_EXTRA_TAGS: the Python wrapper hands these names to Flask-OpenTracing as
 * `traced_attributes`, i.e. names of `flask.Request` attributes whose `str()` becomes a span tag
 * keyed by the name (seldon-core v1.18.2 python/seldon_core/wrapper.py; Flask-OpenTracing 1.1.0
 * flask_opentracing/tracing.py). They are not `key=value` pairs. Here each supported name is
 * compiled once into a getter over the Fastify request; names that would put a body on the span
 * are refused, unknown names skipped, each with one warning at start.
 */
import type { FastifyRequest } from 'fastify'

export type ExtraTagGetter = (request: FastifyRequest, operation: string) => string | undefined

function pathOf (request: FastifyRequest): string {
  const q = request.url.indexOf('?')
  return q === -1 ? request.url : request.url.slice(0, q)
}

function queryOf (request: FastifyRequest): string {
  const q = request.url.indexOf('?')
  return q === -1 ? '' : request.url.slice(q + 1)
}

function root (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}

function header (name: string): ExtraTagGetter {
  return request => {
    const value = request.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }
}

const GETTERS: Readonly<Record<string, ExtraTagGetter>> = {
  path: pathOf,
  full_path: request => `${pathOf(request)}?${queryOf(request)}`,
  url: request => `${root(request)}${request.url}`,
  base_url: request => `${root(request)}${pathOf(request)}`,
  url_root: request => `${root(request)}/`,
  host_url: request => `${root(request)}/`,
  host: request => request.host,
  scheme: request => request.protocol,
  method: request => request.method,
  remote_addr: request => request.ip,
  content_type: header('content-type'),
  mimetype: request => {
    const type = request.headers['content-type']
    return type === undefined ? undefined : (type.split(';')[0] ?? '').trim().toLowerCase()
  },
  content_length: header('content-length'),
  user_agent: header('user-agent'),
  query_string: queryOf,
  endpoint: (_request, operation) => operation,
  url_rule: request => request.routeOptions.url
}

/** Flask attributes that hold the request body: never copied onto a span. */
const BODY_BEARING = new Set(['data', 'json', 'form', 'values', 'files', 'stream', 'get_data', 'get_json', 'input_stream'])

export interface CompiledExtraTags {
  getters: Array<[string, ExtraTagGetter]>
  warnings: string[]
}

export function compileExtraTags (names: readonly string[]): CompiledExtraTags {
  const getters: Array<[string, ExtraTagGetter]> = []
  const warnings: string[] = []
  for (const name of new Set(names)) {
    if (BODY_BEARING.has(name)) {
      warnings.push(`JAEGER_EXTRA_TAGS: "${name}" would put the request body on the span: ignored`)
      continue
    }
    const getter = GETTERS[name]
    if (getter === undefined) {
      warnings.push(`JAEGER_EXTRA_TAGS: "${name}" is not a request attribute we know (${Object.keys(GETTERS).join(', ')}): ignored`)
      continue
    }
    getters.push([name, getter])
  }
  return { getters, warnings }
}
