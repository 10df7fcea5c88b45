/**
 * The server watched from outside: `fixtures/server.mjs` (the CLI's worker app in one process,
 * `--expose-gc`) fuzzed over real sockets — REST on keep-alive connections, raw TCP (malformed
 * HTTP, random bytes, truncated and aborted bodies, pipelining), gRPC on several connections —
 * in two equal batches after a warm-up. Proves: the process never crashes, never reports an
 * unhandled rejection, logs no error, answers every input properly, and its heap after GC does
 * not grow with the number of requests served (bounded memory).
 *
 * Size: FUZZ_RUNS / 10 inputs per batch (at least 400); `FUZZ_RUNS=100000` → 2 × 10000.
 */
import http from 'node:http'
import fc from 'fast-check'
import { encodeSeldonMessage } from '@fastify-seldon/protocol'
import t from 'tap'
import { anyRouteRequest, grpcInput, structuredRequest, textRequest, type RestRequest } from './arbitraries.js'
import { describeGrpc, describeRest, grpcProblem, restProblem } from './checks.js'
import {
  ENVELOPE, FUZZ_RUNS, FUZZ_SEED, grpc, grpcCall, httpRequest, pool, rawExchange, rawGrpcClient, startFixtureServer,
  type FixtureServer
} from './helpers.js'

const BATCH = Math.max(400, Math.round(FUZZ_RUNS / 10))
t.setTimeout(Math.max(120_000, BATCH * 60))
t.comment(`batch of ${BATCH} inputs, FUZZ_SEED=${FUZZ_SEED}`)

/** Raw TCP inputs: what a broken or hostile client writes on the socket. */
type RawInput =
  | { kind: 'bytes', bytes: Uint8Array }
  | { kind: 'truncated', body: string, missing: number }
  | { kind: 'aborted', body: string, keep: number }
  | { kind: 'headersOnly', lines: string[] }
  | { kind: 'pipelined', count: number }

const rawInput: fc.Arbitrary<RawInput> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }) }),
  fc.record({ kind: fc.constant('truncated' as const), body: fc.constant('{"data":{"ndarray":[[1,2]]}}'), missing: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({ kind: fc.constant('aborted' as const), body: fc.constant('{"data":{"ndarray":[[1,2]]}}'), keep: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('headersOnly' as const), lines: fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('pipelined' as const), count: fc.integer({ min: 2, max: 5 }) })
)

/** Every HTTP response in what the server wrote: status and body (Content-Length framed). */
function responsesIn (text: string): Array<{ status: number, body: string, head: string }> {
  const out: Array<{ status: number, body: string, head: string }> = []
  let rest = text
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) break
    const head = rest.slice(0, end)
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? '0')
    out.push({ status: Number(head.slice(9, 12)), body: rest.slice(end + 4, end + 4 + length), head })
    rest = rest.slice(end + 4 + length)
  }
  return out
}

/** Why a raw exchange broke the contract, or undefined. */
async function rawProblem (port: number, input: RawInput): Promise<string | undefined> {
  const head = (len: number): string => `POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n`
  let written: string
  let expectAnswers: number | undefined
  switch (input.kind) {
    case 'bytes': written = Buffer.from(input.bytes).toString('latin1'); break
    case 'truncated': written = head(input.body.length + input.missing) + input.body; break
    case 'aborted': written = head(input.body.length + 10) + input.body.slice(0, input.keep); break
    case 'headersOnly': written = `GET /health/ping HTTP/1.1\r\n${input.lines.map(l => l.replace(/[\r\n]/g, ' ')).join('\r\n')}`; break
    case 'pipelined': {
      const body = '{"data":{"ndarray":[[1]]}}'
      written = Array.from({ length: input.count }, () => head(body.length) + body).join('')
      expectAnswers = input.count
      break
    }
  }
  // Pipelined requests are read until every answer is in, without a FIN after them: the server
  // takes a FIN as the client leaving and drops what it has not answered yet (COMPATIBILITY.md C-64).
  const wanted = expectAnswers
  const answered = wanted === undefined ? undefined : (text: string) => responsesIn(text).length >= wanted
  const out = await rawExchange(port, Buffer.from(written, 'latin1'), input.kind === 'aborted' ? 50 : 1500, input.kind === 'truncated', answered)
  const answers = responsesIn(out)
  if (out !== '' && answers.length === 0) return `the server wrote something that is not an HTTP response: ${JSON.stringify(out.slice(0, 200))}`
  for (const a of answers) {
    if (a.status >= 400) {
      if (!ENVELOPE.test(a.body)) return `${a.status} without the envelope: ${JSON.stringify(a.body.slice(0, 200))}`
      if (a.status >= 500) return `a ${a.status}: ${a.body.trim()}`
    } else if (a.status !== 200) {
      return `status ${a.status}`
    }
  }
  if (expectAnswers !== undefined && answers.filter(a => a.status === 200).length !== expectAnswers) return `${answers.length} answers to ${expectAnswers} pipelined requests`
  return undefined
}

async function batch (server: FixtureServer, seed: number, size: number, failures: string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
  const clients = Array.from({ length: 3 }, () => rawGrpcClient(server.grpcPort))
  let sent = 0
  try {
    const rest = fc.sample(fc.oneof(structuredRequest, structuredRequest, textRequest, textRequest, anyRouteRequest), { seed, numRuns: Math.round(size * 0.45) })
    await pool(rest, 16, async (req: RestRequest) => {
      let res
      try {
        res = await httpRequest(server.httpPort, { method: req.method, path: req.url, headers: req.headers, agent, ...(req.payload !== undefined ? { body: req.payload } : {}) })
      } catch (err) {
        const message = (err as Error).message
        // Node's client refuses some generated URLs before sending anything: not an input
        if (/unescaped characters|Invalid character/i.test(message)) return
        failures.push(`transport error ${message}\n  request: ${describeRest(req)}`)
        return
      }
      sent++
      const bad = restProblem(req, res)
      if (bad !== undefined) failures.push(`${bad}\n  request: ${describeRest(req)}`)
    })
    const raw = fc.sample(rawInput, { seed: seed + 1, numRuns: Math.round(size * 0.1) })
    await pool(raw, 16, async input => {
      sent++
      const bad = await rawProblem(server.httpPort, input)
      if (bad !== undefined) failures.push(`${bad}\n  raw input: ${JSON.stringify(input).slice(0, 300)}`)
    })
    const calls = fc.sample(grpcInput, { seed: seed + 2, numRuns: size - Math.round(size * 0.45) - Math.round(size * 0.1) })
    await pool(calls, 16, async (input, i) => {
      sent++
      const answer = await grpcCall(clients[i % clients.length] as grpc.Client, input.rpc.path, input.bytes)
      const bad = grpcProblem(input, answer)
      if (bad !== undefined) failures.push(`${bad}\n  input: ${describeGrpc(input)}`)
    })
  } finally {
    agent.destroy()
    for (const c of clients) c.close()
  }
  return sent
}

t.test('a child-process server fuzzed over real sockets: alive, no unhandled rejection, bounded heap', async t => {
  const server = await startFixtureServer(t, 'FuzzModel')
  const failures: string[] = []

  await batch(server, FUZZ_SEED + 100, Math.max(300, Math.round(BATCH / 3)), failures) // warm-up: JIT, caches, pools
  const before = await server.heapAfterGc()
  const first = await batch(server, FUZZ_SEED, BATCH, failures)
  const middle = await server.heapAfterGc()
  const second = await batch(server, FUZZ_SEED + 10, BATCH, failures)
  const after = await server.heapAfterGc()

  t.same(failures.slice(0, 5), [], `every one of ${first + second} inputs answered properly (${failures.length} failures)`)
  t.ok(server.alive(), 'the server process is alive')
  t.notMatch(server.stderr(), /unhandledRejection/, 'no unhandled rejection reported')
  t.notMatch(server.stderr(), /uncaughtException|FATAL|Fatal error/i, 'nothing fatal on stderr')
  t.notMatch(server.stdout(), /"level":(?:50|60)/, 'no error log')

  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`
  t.comment(`heapUsed after GC: ${mb(before)} → ${mb(middle)} (+${first}) → ${mb(after)} (+${second})`)
  // Generous bound: a leak of even 1 KB per input would pass 2 × 10 MB at the nightly size.
  const bound = 24 * 2 ** 20
  t.ok(middle - before < bound, `heap after the first batch within ${mb(bound)} of the start (${mb(middle - before)})`)
  t.ok(after - before < bound, `heap after the second batch within ${mb(bound)} of the start (${mb(after - before)})`)
  t.ok(after - middle < bound / 2, `the second batch adds no more than ${mb(bound / 2)} (${mb(after - middle)})`)

  // still serving, both transports
  const res = await httpRequest(server.httpPort, { path: '/api/v1.0/predictions', body: '{"data":{"ndarray":[[1,2]]}}', headers: { 'content-type': 'application/json' } })
  t.equal(res.status, 200, 'REST still answers 200')
  const client = rawGrpcClient(server.grpcPort)
  t.teardown(() => client.close())
  const answer = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ data: { ndarray: [[1, 2]] } }))
  t.equal(answer.code, grpc.status.OK, 'gRPC still answers OK')
})
