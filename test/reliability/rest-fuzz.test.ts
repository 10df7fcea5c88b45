/**
 * REST fuzzing, in process (app.inject on the CLI's worker app, buildServer): generated and
 * mutated SeldonMessages, Feedback and message lists on every dispatching route (JSON body, `?json=`,
 * form field, multipart), their JSON text mutated (truncated, spliced, weird numbers, deep
 * nesting), random bytes under every content type, any method on any path; plus a catalogue of
 * hostile edge cases (huge numbers and shapes, deep nesting, huge lists).
 *
 * Every answer must be a success (200, JSON, newline-terminated) or the Seldon error envelope
 * (4xx/5xx, `application/json`, exact bytes, no internals); with a well-behaved component no input
 * may cause a 5xx (a 5xx would be the server's bug); no unhandled rejection, no warning or error log.
 *
 * Size: FUZZ_RUNS inputs (default 5000; nightly `FUZZ_RUNS=100000`) for FuzzModel, a quarter more
 * for RawModel; FUZZ_SEED replays a run.
 */
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { anyRouteRequest, DISPATCH_ROUTES, structuredRequest, textRequest, WEIRD_NUMBERS, type RestRequest } from './arbitraries.js'
import { describeRest, restProblem, serverSideLogs } from './checks.js'
import { FuzzModel, RawModel } from './fixtures/models.mjs'
import { envelopeOf, envelopeProblem, FUZZ_RUNS, FUZZ_SEED, startInProcess, watchProcess, type InProcessServer, type RestAnswer } from './helpers.js'

t.setTimeout(Math.max(120_000, FUZZ_RUNS * 5))
t.comment(`FUZZ_RUNS=${FUZZ_RUNS} FUZZ_SEED=${FUZZ_SEED}`)

interface Tally { answers: number, byStatus: Map<string, number> }

async function send (server: InProcessServer, req: RestRequest, tally: Tally): Promise<void> {
  const res = await server.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers,
    ...(req.payload !== undefined ? { payload: req.payload } : {})
  })
  const answer: RestAnswer = { status: res.statusCode, headers: res.headers, body: res.body }
  tally.answers++
  const key = `${req.method === 'HEAD' ? 'HEAD ' : ''}${res.statusCode}${res.statusCode >= 400 && req.method !== 'HEAD' ? ` ${envelopeOf(res.body)?.reason ?? '?'}` : ''}`
  tally.byStatus.set(key, (tally.byStatus.get(key) ?? 0) + 1)
  const bad = restProblem(req, answer)
  if (bad !== undefined) throw new Error(`${bad}\n  request: ${describeRest(req)}\n  answer: ${res.statusCode} ${JSON.stringify(res.body.slice(0, 400))}`)
}

async function fuzz (t: Test, component: object, runs: { structured: number, text: number, any: number }): Promise<Tally> {
  const seen = watchProcess(t)
  const server = await startInProcess(t, component, { grpcEnabled: false }, { listen: false })
  const tally: Tally = { answers: 0, byStatus: new Map() }
  const options = { seed: FUZZ_SEED, endOnFailure: false }
  await fc.assert(fc.asyncProperty(structuredRequest, async req => { await send(server, req, tally) }), { ...options, numRuns: runs.structured })
  await fc.assert(fc.asyncProperty(textRequest, async req => { await send(server, req, tally) }), { ...options, numRuns: runs.text })
  await fc.assert(fc.asyncProperty(anyRouteRequest, async req => { await send(server, req, tally) }), { ...options, numRuns: runs.any })
  t.equal(tally.answers, runs.structured + runs.text + runs.any, `${tally.answers} inputs answered, every one a success or the envelope`)
  t.comment(`answers by status: ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort()))}`)
  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(seen.warnings.map(w => `${w.name}: ${w.message}`), [], 'no process warning')
  t.same(serverSideLogs(server.logs), [], 'no error log, no warning but the client-data ones (a 4xx is logged at info)')
  t.ok(Object.hasOwn(Object.prototype, 'polluted') === false && Object.keys(Object.prototype).length === 0, 'Object.prototype untouched')
  return tally
}

t.test('FuzzModel (every high-level method): FUZZ_RUNS generated inputs on every route', async t => {
  const structured = Math.round(FUZZ_RUNS * 0.45)
  const text = Math.round(FUZZ_RUNS * 0.4)
  await fuzz(t, new FuzzModel(), { structured, text, any: FUZZ_RUNS - structured - text })
})

t.test('RawModel (every raw method echoing the parsed request): generated inputs', async t => {
  const n = Math.max(200, Math.round(FUZZ_RUNS / 4))
  await fuzz(t, new RawModel(), { structured: Math.round(n / 2), text: Math.round(n / 3), any: n - Math.round(n / 2) - Math.round(n / 3) })
})

// ── the catalogue of hostile inputs ────────────────────────────────────────────────────────────

const deep = (open: string, close: string, n: number, inner = ''): string => open.repeat(n) + inner + close.repeat(n)

/** [route, body, what the answer must be: 200, or the status and a pattern of the info]. */
const CATALOGUE: Array<[string, string, 200 | [number, RegExp]]> = [
  // huge and odd numbers
  ['/api/v1.0/predictions', '{"data":{"ndarray":[[1e400,-1e400,1e-400,-0]]}}', 200],
  ['/api/v1.0/predictions', '{"data":{"ndarray":[[123456789012345678901234567890,1]]}}', 200],
  ['/api/v1.0/predictions', '{"data":{"ndarray":[[NaN,Infinity,-Infinity]]}}', 200],
  ['/api/v1.0/predictions', `{"data":{"ndarray":[1${'0'.repeat(5000)}]}}`, 200],
  ['/api/v1.0/predictions', `{"data":{"ndarray":[0.${'0'.repeat(5000)}1]}}`, 200],
  ['/api/v1.0/predictions', '{"jsonData":{"n":123456789012345678901234567890123456789}}', 200],
  ['/api/v1.0/feedback', '{"reward":1e400}', [400, /^Invalid JSON: Failed to parse reward field: Couldn't parse Infinity/]],
  ['/api/v1.0/feedback', '{"reward":123456789012345678901234567890}', 200],
  ['/api/v1.0/feedback', '{"reward":"NaN"}', 200],
  ['/api/v1.0/predictions', '{"data":{"ndarray":[1]},"meta":{"metrics":[{"key":"k","type":"GAUGE","value":1e400}]}}', 200],
  ['/api/v1.0/predictions', '{"data":{"ndarray":[1]},"meta":{"routing":{"a":1e400}}}', 200],
  // shapes that ask for more than they carry (the empty-array and fill-rule bounds)
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[1e9,1e9],"values":[1]}}}', [400, /cannot reshape array of size 1/]],
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[4294967296],"values":[1]}}}', [400, /cannot reshape/]],
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[-1,-1],"values":[1]}}}', [400, /^can only specify one unknown dimension$/]],
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[99999999999999999999999],"values":[1]}}}', [400, /shape must be an array of integers/]],
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[0,1e300],"values":[]}}}', [400, /declares more than 1048576 elements for an empty array/]],
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[0,100000000],"values":[]}}}', [400, /declares more than 1048576 elements for an empty array/]],
  ['/api/v1.0/predictions', '{"data":{"tensor":{"shape":[0,1000],"values":[]}}}', 200],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"1000000000"}]},"floatVal":[1]}}}', [400, /filling it would make more than 1048576 elements/]],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"1e400"}]},"floatVal":[1]}}}', [400, /size must be a non-negative integer/]],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_STRING","tensorShape":{"dim":[{"size":"300000000"}]},"stringVal":["YQ=="]}}}', [400, /filling it would make more than/]],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"0"},{"size":"100000000"}]}}}}', [400, /declares more than 1048576 elements for an empty array/]],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"300"},{"size":"300"}]},"floatVal":[0]}}}', 200],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"100000000000"}]},"tensorContent":"AAAA"}}}', [400, /tensorContent holds 3 bytes/]],
  ['/api/v1.0/predictions', '{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"abc"}]},"floatVal":[1]}}}', [400, /size must be a non-negative integer/]],
  ['/api/v1.0/feedback', '{"request":{"data":{"tensor":{"shape":[0,100000000],"values":[]}}}}', [400, /declares more than/]],
  ['/api/v1.0/feedback', '{"request":{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"1000000000"}]},"floatVal":[1]}}}}', [400, /filling it would make more than/]],
  ['/aggregate', '{"seldonMessages":[{"data":{"tensor":{"shape":[0,100000000],"values":[]}}}]}', [400, /declares more than/]],
  ['/transform-input', '{"data":{"tensor":{"shape":[0,100000000],"values":[]}}}', [400, /declares more than/]],
  // deep nesting (body: Can't find JSON in data; inside a valid body at 512 levels)
  ['/api/v1.0/predictions', deep('[', ']', 100_000), [400, /^Can't find JSON in data$/]],
  ['/api/v1.0/predictions', deep('{"a":', '}', 100_000, '1'), [400, /^Can't find JSON in data$/]],
  ['/api/v1.0/predictions', `{"data":{"ndarray":${deep('[', ']', 600)}}}`, [400, /^Can't find JSON in data$/]],
  ['/api/v1.0/predictions', `{"data":{"ndarray":${deep('[', ']', 400, '1')}}}`, 200],
  ['/api/v1.0/predictions', `{"jsonData":${deep('{"a":', '}', 500, '1')}}`, 200],
  ['/api/v1.0/predictions', `{"data":{"ndarray":[1]},"meta":{"tags":${deep('{"a":', '}', 505, '1')}}}`, 200],
  ['/api/v1.0/feedback', `{"request":${deep('{"jsonData":', '}', 400, '1')}}`, [400, /too deep|Invalid JSON/]],
  ['/api/v1.0/feedback', `{"request":{"jsonData":${deep('[', ']', 505)}}}`, [400, /too deep|Invalid JSON/]],
  ['/aggregate', `[${deep('[', ']', 50_000)}]`, [400, /^Can't find JSON in data$/]],
  // big but legal
  ['/aggregate', `[${Array(20_000).fill('{"data":{"ndarray":[1]}}').join(',')}]`, 200],
  ['/api/v1.0/predictions', `{"data":{"ndarray":[[1,2]],"names":${JSON.stringify(Array(100_000).fill('n'))}}}`, 200],
  ['/api/v1.0/predictions', `{"data":{"ndarray":[${Array(200_000).fill('1').join(',')}]}}`, 200],
  ['/api/v1.0/predictions', `{"strData":"${'x'.repeat(5_000_000)}"}`, 200],
  // text oddities
  ['/api/v1.0/predictions', '{"strData":"\\ud800"}', 200],
  ['/api/v1.0/predictions', '{"jsonData":{"\\ud800":"\\udc00x"}}', 200],
  ['/api/v1.0/predictions', '\ufeff{"jsonData":{}}', [400, /^Can't find JSON in data$/]],
  ['/api/v1.0/predictions', '{"jsonData":{}}garbage', [400, /^Can't find JSON in data$/]],
  ['/api/v1.0/predictions', '{"jsonData":{"a":1},"jsonData":{"b":2}}', 200],
  ['/api/v1.0/predictions', '{"binData":"!!!"}', [400, /binData is not valid base64/]],
  ...WEIRD_NUMBERS.map((n): [string, string, 200 | [number, RegExp]] => ['/api/v1.0/predictions', `{"data":{"ndarray":[${n}]}}`, 200])
]

t.test('the catalogue of hostile inputs: each one answered as documented', async t => {
  const seen = watchProcess(t)
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: false }, { listen: false })
  for (const [url, body, expected] of CATALOGUE) {
    const started = Date.now()
    const res = await server.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json' } })
    const label = `${url} ${body.length > 100 ? `${body.slice(0, 100)}…(${body.length} bytes)` : body}`
    const answer = { status: res.statusCode, headers: res.headers, body: res.body }
    if (res.statusCode < 400) {
      // a malformed number token is a 400 like any unreadable body; all others are read
      t.equal(restProblem({ method: 'POST', url, headers: {}, payload: undefined, sent: body }, answer), undefined, `${label}: success`)
    } else {
      t.equal(envelopeProblem(answer, body), undefined, `${label}: the envelope`)
    }
    if (expected === 200) {
      if (res.statusCode !== 200) t.match(envelopeOf(res.body)?.info ?? '', /^Can't find JSON in data$|^data\./, `${label}: a client error at most (${res.body.trim()})`)
    } else {
      t.equal(res.statusCode, expected[0], `${label}: ${expected[0]}`)
      t.match(envelopeOf(res.body)?.info ?? res.body, expected[1], `${label}: info`)
    }
    t.ok(Date.now() - started < 5000, `${label}: answered in ${Date.now() - started} ms`)
  }
  t.same(seen.rejections, [], 'no unhandled rejection')
  t.same(serverSideLogs(server.logs), [], 'no error log, no warning but the client-data ones')
})

t.test('every dispatching route of the wrapper\'s route table is reached by the fuzzers', async t => {
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: false }, { listen: false })
  for (const route of DISPATCH_ROUTES) {
    for (const method of route.methods) {
      const res = await server.app.inject({ method, url: method === 'GET' ? `${route.url}?json=%7B%7D` : route.url, payload: method === 'POST' ? '{}' : undefined, headers: { 'content-type': 'application/json' } })
      t.not(res.statusCode, 404, `${method} ${route.url} is served`)
      t.not(res.statusCode, 405, `${method} ${route.url} is allowed`)
    }
  }
})
