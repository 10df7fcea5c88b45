/**
 * What the replay tests share: the extracted transcripts, the exchanges replayed elsewhere
 * (OUT_OF_SCOPE), the exchanges where we answer differently on purpose (DEVIATIONS, each pointing
 * at its row of COMPATIBILITY.md), and request/response helpers.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import type { RestCase, RestFixture } from './fixtures/extract.mjs'

export type { RestCase, RestFixture }

export const fixture = JSON.parse(readFileSync(new URL('./fixtures/rest-transcripts.json', import.meta.url), 'utf8')) as RestFixture
export const compatibility = readFileSync(new URL('../COMPATIBILITY.md', import.meta.url), 'utf8')

/** Replayed by other packages' tests; each entry says where and why. */
export const OUT_OF_SCOPE: Record<string, string> = {
  'identity.38': 'GET /seldon.json: the transcript elides the body (size + hash only); checked as a valid OpenAPI 3 document served inline',
  'identity.39': 'metrics port: replayed by @fastify-seldon/metrics (worker_id labels are PIDs, bodies trimmed to 3 buckets)',
  'rich.7': 'metrics port: replayed by @fastify-seldon/metrics (worker_id labels are PIDs, bodies trimmed to 3 buckets)',
  'feedback.8': 'metrics port: replayed by @fastify-seldon/metrics (two processes\' series in one body; worker_id labels are PIDs)'
}

export interface EnvelopeDeviation {
  /** The row of COMPATIBILITY.md that documents it. */
  compat: string
  status: number
  reason: string
  info: string
  /** Further response headers we send, checked exactly. */
  headers?: Record<string, string>
}

export interface PreflightDeviation {
  compat: string
  preflight: true
}

/** Where we answer differently from the wrapper on purpose: OUR answer, exactly. */
export const DEVIATIONS: Record<string, EnvelopeDeviation | PreflightDeviation> = {
  'identity.32': {
    compat: 'C-04',
    status: 400,
    reason: 'MICROSERVICE_BAD_DATA',
    info: 'cannot reshape array of size 3 into shape (2,2)'
  },
  'identity.33': {
    compat: 'C-05',
    status: 400,
    reason: 'MICROSERVICE_BAD_DATA',
    info: 'ragged ndarray: the requested array has an inhomogeneous shape after 1 dimensions (detected shape (2,) + inhomogeneous part)'
  },
  'identity.34': {
    compat: 'C-01',
    status: 404,
    reason: 'MICROSERVICE_BAD_DATA',
    info: 'Not Found: GET /nope'
  },
  'identity.35': {
    compat: 'C-02',
    status: 405,
    reason: 'MICROSERVICE_BAD_DATA',
    info: 'Method Not Allowed: GET /api/v1.0/predictions',
    headers: { allow: 'POST, OPTIONS' }
  },
  'identity.36': {
    compat: 'C-02',
    status: 405,
    reason: 'MICROSERVICE_BAD_DATA',
    info: 'Method Not Allowed: PUT /predict',
    headers: { allow: 'GET, HEAD, POST, OPTIONS' }
  },
  'identity.37': { compat: 'C-03', preflight: true },
  'identity.40': {
    compat: 'C-01',
    status: 404,
    reason: 'MICROSERVICE_BAD_DATA',
    info: 'Not Found: GET /metrics'
  }
}

/** The envelope as the wrapper writes it (sorted keys, compact, trailing newline). */
export function envelope (reason: string, info: string): string {
  return JSON.stringify({ status: { code: -1, info, reason, status: 1 } }) + '\n'
}

export function header (c: RestCase, name: string): string | undefined {
  return c.response.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]
}

export function injectOptions (c: RestCase, prefix = ''): InjectOptions {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(c.request.headers)) headers[k.toLowerCase()] = v
  const options: InjectOptions = { method: c.request.method as InjectOptions['method'], url: prefix + c.request.url, headers }
  if (c.request.body !== null) {
    options.payload = c.request.bodyEncoding === 'base64' ? Buffer.from(c.request.body, 'base64') : Buffer.from(c.request.body, 'utf8')
  }
  return options
}

export function expectedBody (c: RestCase): Buffer {
  return Buffer.from(c.response.body, c.response.bodyEncoding === 'base64' ? 'base64' : 'utf8')
}

/** Mismatches collected for a machine-readable report (see writeMismatchReport). */
export const mismatches: Array<{ id: string, what: string, expected: unknown, actual: unknown }> = []

/** `Not Found: GET /nope` → `Not Found: GET /svc/nope` when served under `/svc`. */
export function withPrefix (info: string, prefix: string): string {
  return prefix === '' ? info : info.replace(/^(Not Found|Method Not Allowed): ([A-Z]+) \//, `$1: $2 ${prefix}/`)
}

export function check (t: Test, id: string, what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) mismatches.push({ id, what, expected, actual })
  t.equal(actual, expected, what)
}

/** Assert the recorded answer exactly (the app may serve the routes under `prefix`). */
export async function replayExact (t: Test, app: FastifyInstance, c: RestCase, prefix = ''): Promise<void> {
  const res = await app.inject(injectOptions(c, prefix))
  const want = expectedBody(c)
  check(t, c.id, 'status', res.statusCode, c.response.status)
  check(t, c.id, 'Content-Type', res.headers['content-type'], header(c, 'Content-Type'))
  const acao = header(c, 'Access-Control-Allow-Origin')
  if (acao !== undefined) check(t, c.id, 'Access-Control-Allow-Origin', res.headers['access-control-allow-origin'], acao)
  // flask-cors sends `Vary: Origin` only when it echoes an Origin: no exchange replayed here has it.
  if (acao !== undefined) check(t, c.id, 'Vary', res.headers.vary, header(c, 'Vary'))
  // The body as text first (a readable diff), then as bytes (binary-safe, trailing newline included).
  check(t, c.id, 'body', res.body, want.toString('utf8'))
  t.ok(res.rawPayload.equals(want), 'body bytes identical')
  const length = header(c, 'Content-Length')
  if (length !== undefined && res.headers['content-length'] !== undefined) {
    check(t, c.id, 'Content-Length', String(res.headers['content-length']), length)
  }
}

/** Assert OUR documented answer for a deviation (paths in 404/405 texts carry the prefix). */
export async function replayDeviation (t: Test, app: FastifyInstance, c: RestCase, d: EnvelopeDeviation | PreflightDeviation, prefix = ''): Promise<void> {
  t.ok(compatibility.includes(`| ${d.compat} |`), `documented in COMPATIBILITY.md row ${d.compat}`)
  const res = await app.inject(injectOptions(c, prefix))
  if ('preflight' in d) {
    // identity.37: flask-cors answers 200 with `Allow`, `Content-Type: text/html` and `Vary: Origin`;
    // @fastify/cors (configured like flask-cors) answers 200 with the same origin and methods, no
    // `Allow` and no Content-Type, and varies on the requested headers too.
    check(t, c.id, 'status', res.statusCode, 200)
    check(t, c.id, 'Access-Control-Allow-Origin', res.headers['access-control-allow-origin'], header(c, 'Access-Control-Allow-Origin'))
    check(t, c.id, 'Access-Control-Allow-Methods', res.headers['access-control-allow-methods'], header(c, 'Access-Control-Allow-Methods'))
    check(t, c.id, 'Vary', res.headers.vary, 'Origin, Access-Control-Request-Headers')
    check(t, c.id, 'Allow', res.headers.allow, undefined)
    check(t, c.id, 'Content-Type', res.headers['content-type'], undefined)
    check(t, c.id, 'body', res.body, '')
    return
  }
  check(t, c.id, 'status', res.statusCode, d.status)
  check(t, c.id, 'Content-Type', res.headers['content-type'], 'application/json')
  check(t, c.id, 'Access-Control-Allow-Origin', res.headers['access-control-allow-origin'], '*')
  check(t, c.id, 'body', res.body, envelope(d.reason, withPrefix(d.info, prefix)))
  for (const [name, value] of Object.entries(d.headers ?? {})) check(t, c.id, name, res.headers[name], value)
}

/** With REPLAY_REPORT=<path prefix>, write the mismatches of one test file to `<prefix>-<name>.json`. */
export function writeMismatchReport (name: string): void {
  const prefix = process.env.REPLAY_REPORT
  if (prefix !== undefined && prefix !== '') writeFileSync(`${prefix}-${name}.json`, JSON.stringify(mismatches, null, 2) + '\n')
}

/** identity.38: the wrapper serves its OpenAPI document inline as JSON; ours is generated. */
export async function checkOpenApi (t: Test, app: FastifyInstance, prefix = ''): Promise<void> {
  const res = await app.inject({ method: 'GET', url: `${prefix}/seldon.json` })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['content-disposition'], 'inline; filename=seldon.json')
  const doc = JSON.parse(res.body) as { openapi?: string, paths?: Record<string, unknown> }
  t.match(doc.openapi, /^3\./, 'an OpenAPI 3 document')
  t.ok(doc.paths?.[`${prefix}/api/v1.0/predictions`] ?? doc.paths?.['/api/v1.0/predictions'], 'documents the predictions route')
}

/** One request to a component served in-process, and the exact answer expected. */
export interface InjectCase {
  name: string
  component: () => object
  options?: Record<string, unknown>
  request: InjectOptions
  status: number
  body: string
  /** A known bug of another package: reported, not failing CI (tap `todo`). */
  todo?: string
}
