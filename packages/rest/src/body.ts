/**
 * Reading the request payload the way the wrapper's `get_request` does (docs/wrapper-behaviour.md, "Reading the payload"):
 *
 *   multipart/form-data  >  urlencoded form field `json`  >  query `json`  >  JSON body
 *
 * The content-type parsers registered here only keep the body's text (tagged with what kind of
 * body it was); the payload is parsed later, once, with the number-faithful `parseJson`, and only
 * the source that wins the precedence is parsed. The same kept text serves PAYLOAD_PASSTHROUGH,
 * which hands it to `predictRaw` undecoded.
 */
import multipart, { type FastifyMultipartOptions } from '@fastify/multipart'
import {
  BadDataError, NoDataError, NoJsonError, PayloadTooLargeError, isSeldonError, parseJson, stringifyJson
} from '@fastify-seldon/protocol'
import { parseNumericDataBytes, setOwnKey } from '@fastify-seldon/protocol/internal'
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify'
import { withoutHooks } from './without-hooks.js'

/**
 * A JSON body (`application/json`, `application/*+json`), not parsed yet: its bytes, and its text
 * decoded from them when first asked for (as Fastify decodes a `parseAs: 'string'` body: UTF-8,
 * invalid sequences replaced). Kept as bytes so that a numeric body is read straight into its
 * NDArray (parseNumericDataBytes) without ever becoming a string.
 */
export class JsonBody {
  #text: string | undefined
  constructor (readonly bytes: Buffer) {}

  get text (): string {
    this.#text ??= this.bytes.toString('utf8')
    return this.#text
  }
}

/** An `application/x-www-form-urlencoded` body; its `json` field is what the wrapper reads. */
export class FormBody {
  readonly fields: URLSearchParams
  constructor (readonly text: string) {
    this.fields = new URLSearchParams(text)
  }
}

/** Any other body: never JSON for the Python wrapper ("Can't find JSON in data", seldon-core v1.18.2 python/seldon_core/flask_utils.py), raw text for passthrough. */
export class OtherBody {
  constructor (readonly text: string) {}
}

export type KeptBody = JsonBody | FormBody | OtherBody

/** `application/<anything>+json`, with or without parameters (Fastify tests the normalised type). */
const JSON_SUFFIX = /^application\/[^\s/;]+\+json(?:;|$)/

/**
 * Replace the context's parsers with ours (scoped: the host's parsers are untouched). Every body is
 * read as text within the route's bodyLimit; multipart stays a stream for @fastify/multipart.
 */
export async function registerBodyParsers (instance: FastifyInstance): Promise<void> {
  const bodyLimit = instance.initialConfig.bodyLimit ?? 1048576
  instance.removeAllContentTypeParsers()
  const keepJson = (_request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    done(null, new JsonBody(body as Buffer))
  }
  instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepJson)
  instance.addContentTypeParser(JSON_SUFFIX, { parseAs: 'buffer' }, keepJson)
  instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, function keepForm (_request, body, done) {
    done(null, new FormBody(body as string))
  })
  registerMultipart(instance, { throwFileSizeLimit: true, limits: { fileSize: bodyLimit, fieldSize: bodyLimit } })
  instance.addContentTypeParser('*', { parseAs: 'string' }, function keepOther (_request, body, done) {
    done(null, new OtherBody(body as string))
  })
}

/** The per-request hooks @fastify/multipart adds, only there to delete files saved with `saveRequestFiles()`. */
export const MULTIPART_CLEANUP_HOOKS: ReadonlySet<string> = new Set(['onRequest', 'onResponse'])

/**
 * @fastify/multipart's parser and request decorators (`isMultipart()`, `parts()`) on this context,
 * without its `onRequest` and `onResponse` hooks (without-hooks.ts). Those two only clean up the
 * temporary files of `saveRequestFiles()`, which we never call (parts are read into memory), yet as
 * hooks of the context they ran on every request, JSON ones included: two extra async hooks and a
 * `close` listener per request, about 3.5 µs of CPU on a ~25 µs small predict. Written against
 * @fastify/multipart 10.1.9, pinned exactly in package.json; test/multipart-hooks.test.ts fails if
 * the plugin's hooks change.
 */
function registerMultipart (instance: FastifyInstance, options: FastifyMultipartOptions): void {
  let failure: unknown
  // The plugin is synchronous: it calls `done` before returning.
  ;(multipart as unknown as FastifyPluginCallback<FastifyMultipartOptions>)(withoutHooks(instance, MULTIPART_CLEANUP_HOOKS), options, (err?: Error) => { failure = err })
  if (failure !== undefined && failure !== null) throw failure
}

/** Where the payload comes from, by the wrapper's precedence; nothing is parsed yet. */
type PayloadSource =
  | { from: 'multipart' }
  | { from: 'form field json' | 'query parameter json', text: string }
  | { from: 'body', body: KeptBody | undefined }

function payloadSource (request: FastifyRequest): PayloadSource {
  if (request.isMultipart()) return { from: 'multipart' }
  const body = request.body as KeptBody | undefined
  const formJson = body instanceof FormBody ? body.fields.get('json') : null
  if (formJson) return { from: 'form field json', text: formJson }
  // `?json=` when present and non-empty (the first one, as Werkzeug's `args.get`)
  let query = (request.query as Record<string, unknown> | undefined)?.json
  if (Array.isArray(query)) query = query[0]
  if (typeof query === 'string' && query !== '') return { from: 'query parameter json', text: query }
  return { from: 'body', body }
}

/**
 * The request message for every route but passthrough predict: parsed JSON (or the multipart dict).
 * `decodedArrays`: the runtime takes `data.ndarray` / `data.tensor.values` as an NDArray, so a
 * JSON body of such numbers (with `names` and `meta` or without) is read from its bytes straight
 * into one (the general parser for any other body). On the 100k-value REST tensor of bench/ this took the server's CPU per
 * request from 0.94× to 0.56× the bare Fastify route's, in one paired run (BENCHMARKS.md, "Fixes made").
 */
export async function readPayload (request: FastifyRequest, decodedArrays = false): Promise<unknown> {
  const source = payloadSource(request)
  switch (source.from) {
    case 'multipart': return readMultipart(request)
    case 'body':
      if (source.body instanceof JsonBody) {
        if (decodedArrays) {
          const message = parseNumericDataBytes(source.body.bytes)
          if (message !== undefined) return message
        }
        return parseJsonBody(source.body.text)
      }
      throw new NoJsonError()
    default: return parseJsonParameter(source.text, source.from)
  }
}

/**
 * PAYLOAD_PASSTHROUGH: the same precedence, but the text is handed over undecoded (a multipart
 * request is turned into its dict's JSON text, so predictRaw always receives a string).
 */
export async function readRawPayload (request: FastifyRequest): Promise<string> {
  const source = payloadSource(request)
  switch (source.from) {
    case 'multipart': return stringifyJson(await readMultipart(request))
    case 'body':
      if (source.body === undefined || source.body.text === '') throw new NoDataError()
      return source.body.text
    default: return source.text
  }
}

/** The JSON body: empty, malformed or literally `null` is the wrapper's "Can't find JSON in data". */
function parseJsonBody (text: string): unknown {
  let value: unknown
  try {
    value = parseJson(text)
  } catch {
    throw new NoJsonError()
  }
  if (value === null) throw new NoJsonError()
  return value
}

/**
 * JSON from a form field, query parameter or multipart part. Deviation: the wrapper lets the
 * decoder's exception become a 500; a client's malformed JSON is a 400 here.
 */
function parseJsonParameter (text: string, where: string): unknown {
  try {
    return parseJson(text)
  } catch (err) {
    throw new BadDataError(`Invalid JSON in ${where}: ${(err as Error).message}`)
  }
}

/**
 * The wrapper's `get_multi_form_data_request`: text parts first (`strData` verbatim, others
 * JSON), then file parts over them (`binData` base64, others UTF-8 text). For a name sent twice
 * the first part wins, as Werkzeug's `MultiDict.get` does.
 */
async function readMultipart (request: FastifyRequest): Promise<Record<string, unknown>> {
  const fields = new Map<string, unknown>()
  const files = new Map<string, string>()
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer()
        if (!files.has(part.fieldname)) files.set(part.fieldname, part.fieldname === 'binData' ? bytes.toString('base64') : bytes.toString('utf8'))
        continue
      }
      if (part.valueTruncated) throw new PayloadTooLargeError(request.routeOptions.bodyLimit)
      if (fields.has(part.fieldname)) continue
      // @fastify/multipart has already JSON-parsed a part sent with `Content-Type: application/json`.
      const value = part.value
      if (part.fieldname === 'strData') fields.set('strData', typeof value === 'string' ? value : stringifyJson(value))
      else fields.set(part.fieldname, typeof value === 'string' ? parseJsonParameter(value, `multipart part ${part.fieldname}`) : value)
    }
  } catch (err) {
    if (isSeldonError(err) || (err as { code?: unknown }).code !== undefined) throw err
    throw new BadDataError(`Invalid multipart body: ${(err as Error).message}`)
  }
  const dict: Record<string, unknown> = {}
  for (const [name, value] of [...fields, ...files]) {
    setOwnKey(dict, name, value)
  }
  return dict
}
