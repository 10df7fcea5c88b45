/**
 * The contract every answer must meet, REST and gRPC, as functions returning why an answer breaks
 * it (undefined when it does not); shared by the in-process and the child-process fuzzers.
 */
import { decodeSeldonGraphMetadata, decodeSeldonMessage, decodeSeldonModelMetadata, parseJson } from '@fastify-seldon/protocol'
import type { GrpcInput, RestRequest } from './arbitraries.js'
import { envelopeProblem, grpc, internalsIn, type GrpcAnswer, type LogLine, type RestAnswer } from './helpers.js'

/** Why a REST answer breaks the contract, or undefined. */
export function restProblem (req: RestRequest, res: RestAnswer): string | undefined {
  if (req.method === 'HEAD') {
    // no body in an answer to HEAD, whatever the status; the headers still say JSON for an error
    if (res.body !== '') return `HEAD answered with a body ${JSON.stringify(res.body.slice(0, 80))}`
    if (res.status >= 500) return `a ${res.status} to HEAD from a well-behaved component`
    if (res.status >= 400 && !/^application\/json(?:;|$)/.test(String(res.headers['content-type']))) return `HEAD ${res.status} with Content-Type ${String(res.headers['content-type'])}`
    return res.status === 200 || res.status >= 400 ? undefined : `HEAD answered ${res.status}`
  }
  if (res.status >= 400) {
    const bad = envelopeProblem(res, req.sent)
    if (bad !== undefined) return bad
    if (res.status >= 500) return `a ${res.status} (${res.body.trim()}) from a well-behaved component: the server's fault`
    return undefined
  }
  if (req.method === 'OPTIONS') return res.status === 200 && res.body === '' ? undefined : `OPTIONS answered ${res.status} ${JSON.stringify(res.body.slice(0, 80))}`
  if (res.status !== 200) return `success status ${res.status}`
  if (req.url.split('?')[0] === '/health/ping') return res.body === 'pong' ? undefined : `ping answered ${JSON.stringify(res.body)}`
  if (!/^application\/json(?:;|$)/.test(String(res.headers['content-type']))) return `200 with Content-Type ${String(res.headers['content-type'])}`
  // jsonify's trailing newline; /seldon.json is a static document, not a jsonify answer
  if (!res.body.endsWith('\n') && req.url.split('?')[0] !== '/seldon.json') return '200 without the trailing newline'
  try {
    const value = parseAnswer(res.body)
    if (value === null || typeof value !== 'object') return `200 with a JSON ${typeof value}`
  } catch (err) {
    return `200 with a body that is not JSON (${(err as Error).message}): ${JSON.stringify(res.body.slice(0, 200))}`
  }
  return undefined
}

/**
 * An answer as JSON. The request parser's depth limit does not bind answers: the fuzz model wraps a
 * jsonData list in an object, one level deeper than a request that was just within the limit, and
 * Python's json.dumps writes that too. Such an answer is checked with JSON.parse (deep fuzz payloads
 * are brackets, never NaN tokens).
 */
function parseAnswer (body: string): unknown {
  try {
    return parseJson(body)
  } catch (err) {
    if (!/Nesting deeper than/.test((err as Error).message)) throw err
    return JSON.parse(body)
  }
}

export function describeRest (req: RestRequest): string {
  const body = req.payload === undefined ? '' : req.payload.toString('utf8')
  return `${req.method} ${req.url.slice(0, 300)} ${JSON.stringify(req.headers)} ${JSON.stringify(body.length > 600 ? `${body.slice(0, 600)}…(${body.length})` : body)}`
}

/**
 * Warnings a client's own data may cause, each about that request only: a NaN, infinite or
 * negative feedback reward is not counted (the metrics package says so at warn level).
 */
export const CLIENT_DATA_WARNINGS = [/^feedback reward must be a finite number/, /^metric seldon_api_model_feedback_reward: negative COUNTER value/]

/** The log lines that would mean a server-side problem: any error, any other warning. */
export function serverSideLogs (logs: readonly LogLine[]): string[] {
  return logs
    .filter(l => l.level >= 50 || !CLIENT_DATA_WARNINGS.some(re => re.test(l.msg ?? '')))
    .map(l => `${l.level} ${l.msg ?? ''}`)
}

const DECODE_RESPONSE = {
  SeldonMessage: decodeSeldonMessage,
  SeldonModelMetadata: decodeSeldonModelMetadata,
  SeldonGraphMetadata: decodeSeldonGraphMetadata
} as const

/** Why a gRPC answer breaks the contract, or undefined. */
export function grpcProblem (input: GrpcInput, answer: GrpcAnswer): string | undefined {
  if (answer.code === grpc.status.OK) {
    try {
      DECODE_RESPONSE[input.rpc.response](answer.bytes ?? Buffer.alloc(0))
    } catch (err) {
      return `OK with an undecodable ${input.rpc.response}: ${(err as Error).message}`
    }
    return undefined
  }
  const allowed: grpc.status[] = [grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED]
  if (input.rpc.path.endsWith('/GraphMetadata')) allowed.push(grpc.status.UNIMPLEMENTED)
  if (!allowed.includes(answer.code)) return `status ${grpc.status[answer.code]} (${answer.details})`
  if (answer.details === '') return 'an error without details'
  const leak = internalsIn(answer.details, input.bytes.toString('latin1'))
  if (leak !== undefined) return `internals in details: ${leak}`
  if (answer.code === grpc.status.INVALID_ARGUMENT && answer.trailers['seldon-reason'] === undefined) return 'INVALID_ARGUMENT without seldon-reason'
  return undefined
}

export function describeGrpc (input: GrpcInput): string {
  return `${input.rpc.path} (${input.origin}) ${input.bytes.length} bytes ${input.bytes.subarray(0, 200).toString('hex')}`
}
