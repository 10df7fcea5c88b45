/**
 * `/seldon.json`: an OpenAPI 3.0 document of the routes served (the reference ships a static file
 * titled "Seldon External API"). A small hand-built document from protocol's JSON Schemas for now.
 */
import {
  feedbackSchema, seldonErrorEnvelopeSchema, seldonMessageListSchema, seldonMessageSchema
} from '@fastify-seldon/protocol'

export interface OpenApiRoute {
  url: string
  methods: readonly string[]
  /** What the body is: a SeldonMessage, a Feedback, an aggregate list, or nothing. */
  body: 'SeldonMessage' | 'Feedback' | 'SeldonMessageList' | 'none'
  summary: string
  /** What a 200 is: a SeldonMessage (default), the metadata object, or ping's text. */
  response?: 'SeldonMessage' | 'object' | 'text'
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * A draft-07 node → an OpenAPI 3.0 Schema Object: `$id`/`$schema`/`definitions` dropped, local
 * `#/definitions/X` refs pointed at `#/components/schemas/<name>.X`, `items` added to arrays
 * without one, and `if/then/else` (not in OpenAPI 3.0) spelled with anyOf/allOf/not.
 */
function convertNode (node: unknown, name: string): unknown {
  if (Array.isArray(node)) return node.map(n => convertNode(n, name))
  if (!isObject(node)) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id' || key === '$schema' || key === 'definitions' || key === 'if' || key === 'then' || key === 'else') continue
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
      out.$ref = `#/components/schemas/${name}.${value.slice('#/definitions/'.length)}`
    } else {
      out[key] = convertNode(value, name)
    }
  }
  // OpenAPI 3.0 requires `items` beside `type: array`
  if (out.type === 'array' && !('items' in out)) out.items = {}
  if ('if' in node) {
    const cond = convertNode(node.if, name)
    const branches = { anyOf: [{ allOf: [cond, convertNode(node.then ?? {}, name)] }, { allOf: [{ not: cond }, convertNode(node.else ?? {}, name)] }] }
    if ('anyOf' in out) return { allOf: [out, branches] }
    Object.assign(out, branches)
  }
  return out
}

/** A schema and its definitions as components (`Name`, `Name.Definition`...). */
function addComponents (schemas: Record<string, unknown>, name: string, schema: object): void {
  const definitions = (schema as { definitions?: Record<string, unknown> }).definitions ?? {}
  schemas[name] = convertNode(schema, name)
  for (const [def, value] of Object.entries(definitions)) schemas[`${name}.${def}`] = convertNode(value, name)
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` })

function ok (response: NonNullable<OpenApiRoute['response']>): Record<string, unknown> {
  if (response === 'text') return { description: 'pong', content: { 'text/html': { schema: { type: 'string' } } } }
  if (response === 'object') return { description: 'The model metadata', content: { 'application/json': { schema: { type: 'object' } } } }
  return { description: 'The response message', content: { 'application/json': { schema: ref('SeldonMessage') } } }
}

function operation (route: OpenApiRoute, method: string): Record<string, unknown> {
  const op: Record<string, unknown> = {
    summary: route.summary,
    responses: {
      200: ok(route.response ?? 'SeldonMessage'),
      default: { description: 'A failure, in the Seldon envelope', content: { 'application/json': { schema: ref('SeldonErrorEnvelope') } } }
    }
  }
  if (route.body === 'none') return op
  const bodySchema = ref(route.body)
  if (method === 'get') {
    op.parameters = [{ name: 'json', in: 'query', required: true, description: `The ${route.body} as JSON text`, schema: { type: 'string' } }]
  } else {
    op.requestBody = {
      required: true,
      content: {
        'application/json': { schema: bodySchema },
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', properties: { json: { type: 'string', description: `The ${route.body} as JSON text` } }, required: ['json'] }
        }
      }
    }
  }
  return op
}

/** The document for a set of routes, with `prefix` in front of every path. */
export function buildOpenApi (routes: readonly OpenApiRoute[], prefix: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const item: Record<string, unknown> = {}
    for (const method of route.methods) item[method.toLowerCase()] = operation(route, method.toLowerCase())
    paths[prefix + route.url] = item
  }
  const schemas: Record<string, unknown> = {}
  addComponents(schemas, 'SeldonMessage', seldonMessageSchema)
  addComponents(schemas, 'SeldonMessageList', seldonMessageListSchema)
  addComponents(schemas, 'Feedback', feedbackSchema)
  addComponents(schemas, 'SeldonErrorEnvelope', seldonErrorEnvelopeSchema)
  return { openapi: '3.0.0', info: { title: 'Seldon External API', version: '0.1' }, paths, components: { schemas } }
}
