/**
 * Reading a request body into a message. The executor forwards bodies unread and lets the root
 * component decode them; the graph needs the message itself (to route, to run in-process nodes,
 * to call gRPC nodes), so it reads what a Seldon component reads: a JSON body
 * (`application/json`, `application/*+json`) or the `json` field of an urlencoded form, with the
 * number-faithful parser. Anything else is a 400 (COMPATIBILITY.md E-9).
 */
import { BadDataError, NoJsonError, parseJson } from '@fastify-seldon/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** A body as received, not parsed yet. */
export class KeptBody {
  constructor (readonly kind: 'json' | 'form' | 'other', readonly bytes: Buffer, readonly contentType: string) {}
}

const JSON_SUFFIX = /^application\/[^\s/;]+\+json(?:;|$)/

/** This context's parsers (the host's are untouched): every body kept as bytes within bodyLimit. */
export function registerBodyParsers (instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers()
  const keep = (kind: KeptBody['kind']) => function keepBody (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
    done(null, new KeptBody(kind, body as Buffer, request.headers['content-type'] ?? ''))
  }
  instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, keep('json'))
  instance.addContentTypeParser(JSON_SUFFIX, { parseAs: 'buffer' }, keep('json'))
  instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, keep('form'))
  instance.addContentTypeParser('*', { parseAs: 'buffer' }, keep('other'))
}

/** The request's message, and the JSON text it came from (the feedback echo sends it back). */
export interface ReadBody {
  message: unknown
  text: Buffer
}

export function readBody (request: FastifyRequest): ReadBody {
  const body = request.body
  if (!(body instanceof KeptBody) || body.bytes.length === 0) throw new NoJsonError()
  if (body.kind === 'form') {
    const json = new URLSearchParams(body.bytes.toString('utf8')).get('json')
    if (json === null || json === '') throw new NoJsonError()
    return { message: parse(json, 'form field json: '), text: Buffer.from(json, 'utf8') }
  }
  if (body.kind === 'other') {
    if (body.contentType.toLowerCase().startsWith('multipart/form-data')) {
      throw new BadDataError("Can't find JSON in data: multipart/form-data is not read by the graph, send application/json")
    }
    throw new NoJsonError()
  }
  return { message: parse(body.bytes, ''), text: body.bytes }
}

function parse (text: string | Buffer, where: string): unknown {
  let value: unknown
  try {
    value = parseJson(text)
  } catch (err) {
    throw new BadDataError(`${where}${(err as Error).message}`)
  }
  if (value === null) throw new NoJsonError()
  return value
}
