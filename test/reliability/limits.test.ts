/**
 * Body and message limits. REST: a body over `--body-limit` is answered 413 with the Seldon
 * envelope on every dispatching route, whatever its framing (Content-Length, chunked, form,
 * multipart), the limit is configurable and defaults to 10 MiB, and the server keeps serving.
 * gRPC: a request over the receive limit (4 MiB by default; `maxReceiveMessageLength` of the
 * plugin, `--grpc-max-message-size` of the CLI) is RESOURCE_EXHAUSTED, a response over the send
 * limit too, and the server keeps serving.
 * A client that goes away in the middle of its body costs nothing: no error log, no 5xx.
 * More than 100 header fields: 431 with the envelope (Node used to drop the fields past its count).
 */
import net from 'node:net'
import { encodeSeldonMessage } from '@fastify-seldon/protocol'
import { seldonGrpc } from '@fastify-seldon/grpc'
import Fastify from 'fastify'
import t from 'tap'
import { DISPATCH_ROUTES } from './arbitraries.js'
import { FuzzModel } from './fixtures/models.mjs'
import {
  ENVELOPE, envelopeOf, envelopeProblem, freePorts, grpc, grpcCall, httpRequest, postJson, rawExchange, rawGrpcClient, sleep,
  startCli, startInProcess, waitForHttp
} from './helpers.js'

t.setTimeout(120_000)

const LIMIT = 4096
const big = (bytes: number): string => `{"strData":"${'x'.repeat(bytes - 14)}"}`

t.test('REST --body-limit 4096 (CLI): 413 with the envelope on every route and framing; keeps serving', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'FuzzModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--body-limit', String(LIMIT)])
  await waitForHttp(http, cli)
  const expected = `{"status":{"code":-1,"info":"Request body is larger than ${LIMIT} bytes","reason":"MICROSERVICE_BAD_DATA","status":1}}\n`

  for (const route of DISPATCH_ROUTES) {
    const over = await httpRequest(http, { path: route.url, body: big(LIMIT + 1), headers: { 'content-type': 'application/json' } })
    t.equal(over.status, 413, `${route.url}: ${LIMIT + 1} bytes → 413`)
    t.equal(envelopeProblem(over), undefined, `${route.url}: the envelope`)
    t.equal(over.body, expected, `${route.url}: the info names the limit`)
  }
  const at = await httpRequest(http, { path: '/api/v1.0/predictions', body: big(LIMIT), headers: { 'content-type': 'application/json' } })
  t.equal(at.status, 200, `exactly ${LIMIT} bytes is served`)

  // no Content-Length: chunked, counted as it arrives
  const chunked = await rawExchange(http, 'POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
    `${(LIMIT * 2).toString(16)}\r\n${'x'.repeat(LIMIT * 2)}\r\n0\r\n\r\n`, 3000)
  t.match(chunked, /^HTTP\/1\.1 413 /, 'chunked over the limit → 413')
  t.ok(chunked.endsWith(expected), 'chunked: the envelope')
  // a Content-Length that announces too much is refused before the body is read
  const announced = await rawExchange(http, 'POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{', 3000)
  t.match(announced, /^HTTP\/1\.1 413 /, 'Content-Length: 1e9 → 413 at once')
  const form = await httpRequest(http, { path: '/api/v1.0/predictions', body: `json=${encodeURIComponent(big(LIMIT))}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(form.status, 413, 'a form over the limit → 413')
  t.equal(envelopeProblem(form), undefined, 'form: the envelope')
  const boundary = 'lim'
  const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="strData"\r\n\r\n${'x'.repeat(LIMIT + 10)}\r\n--${boundary}--\r\n`
  const mp = await httpRequest(http, { path: '/api/v1.0/predictions', body: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
  t.equal(mp.status, 413, 'a multipart field over the limit → 413')
  t.equal(envelopeProblem(mp), undefined, 'multipart: the envelope')
  const file = `--${boundary}\r\nContent-Disposition: form-data; name="binData"; filename="b"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(LIMIT + 10)}\r\n--${boundary}--\r\n`
  const mpFile = await httpRequest(http, { path: '/api/v1.0/predictions', body: file, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
  t.equal(mpFile.status, 413, 'a multipart file over the limit → 413')
  t.equal(envelopeProblem(mpFile), undefined, 'multipart file: the envelope')

  // over and over, then the server still serves everyone
  const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => i % 2 === 0
    ? await httpRequest(http, { path: '/api/v1.0/predictions', body: big(LIMIT * 4), headers: { 'content-type': 'application/json' } })
    : await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[i]] } })))
  t.same(answers.map(a => a.status), Array.from({ length: 50 }, (_, i) => i % 2 === 0 ? 413 : 200), 'oversized and normal requests interleaved: each gets its own answer')
  t.ok(cli.alive(), 'the server is alive')
  t.notMatch(cli.stdout(), /"level":(?:50|60)/, 'no error log')
})

t.test('REST default body limit: 10 MiB', async t => {
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: false }, { listen: false })
  const limit = 10 * 1024 * 1024
  const over = await server.app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: big(limit + 1), headers: { 'content-type': 'application/json' } })
  t.equal(over.statusCode, 413)
  t.equal(envelopeOf(over.body)?.info, `Request body is larger than ${limit} bytes`)
  const at = await server.app.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: big(limit), headers: { 'content-type': 'application/json' } })
  t.equal(at.statusCode, 200, '10 MiB exactly is served')
})

t.test('requests refused before any route runs still get the envelope: malformed HTTP, huge headers, bad URLs', async t => {
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: false })
  const first = (raw: string): { status: number, body: string } => {
    const end = raw.indexOf('\r\n\r\n')
    return { status: Number(raw.slice(9, 12)), body: raw.slice(end + 4) }
  }
  for (const [what, bytes, status] of [
    ['a garbage request line', 'GARBAGE\r\n\r\n', 400],
    ['a TLS hello on the plain port', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 400],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400],
    ['two Content-Lengths', 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}', 400],
    ['a bad chunk size', 'POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n', 400],
    ['20 KiB of headers', `GET /health/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['an undecodable URL', 'GET /% HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['an undecodable URL under a route', 'GET /predict/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', 400]
  ] as const) {
    const answer = first(await rawExchange(server.httpPort, Buffer.from(bytes, 'latin1'), 1500))
    t.equal(answer.status, status, `${what}: ${status}`)
    t.match(answer.body, ENVELOPE, `${what}: the envelope`)
  }
  const noHost = first(await rawExchange(server.httpPort, 'GET /health/ping HTTP/1.1\r\n\r\n', 500))
  t.same(noHost, { status: 200, body: 'pong' }, 'an HTTP/1.1 request without Host is served (as gunicorn serves it)')
  t.equal((await postJson(server.httpPort, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })).status, 200, 'still serving')
})

t.test('a client that goes away in the middle of its body: no error log, no 5xx, keeps serving', async t => {
  const server = await startInProcess(t, new FuzzModel(), { grpcEnabled: false })
  for (let i = 0; i < 20; i++) {
    await new Promise<void>(resolve => {
      const socket = net.connect(server.httpPort, '127.0.0.1', () => {
        socket.write('POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"data":', () => {
          setTimeout(() => { socket.destroy(); resolve() }, 20)
        })
      })
      socket.on('error', () => resolve())
    })
  }
  await sleep(100)
  t.same(server.logs.filter(l => l.level >= 50).map(l => l.msg), [], 'no error log (an abort is the client\'s doing)')
  const res = await postJson(server.httpPort, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })
  t.equal(res.status, 200, 'still serving')
  const text = await server.app.seldonMetrics.metrics()
  t.notMatch(text, /status_code="5\d\d"/, 'no 5xx in the request metrics')
})

t.test('gRPC over the receive limit (default 4 MiB, CLI): RESOURCE_EXHAUSTED; keeps serving', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'FuzzModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics)])
  await waitForHttp(http, cli)
  const client = rawGrpcClient(grpcPort, { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 })
  t.teardown(() => client.close())
  const huge = encodeSeldonMessage({ strData: 'x'.repeat(4 * 1024 * 1024 + 1) })
  for (const path of ['/seldon.protos.Model/Predict', '/seldon.protos.Generic/TransformInput', '/seldon.protos.Combiner/Aggregate', '/seldon.protos.Seldon/SendFeedback']) {
    const answer = await grpcCall(client, path, huge)
    t.equal(grpc.status[answer.code], 'RESOURCE_EXHAUSTED', `${path}: ${huge.length} bytes → RESOURCE_EXHAUSTED (${answer.details})`)
  }
  const ok = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ strData: 'x'.repeat(4 * 1024 * 1024 - 100) }))
  t.equal(ok.code, grpc.status.OK, 'just under 4 MiB is served on the same connection')
  const again = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await grpcCall(client, '/seldon.protos.Model/Predict', i % 2 === 0 ? huge : encodeSeldonMessage({ data: { ndarray: [[i]] } }))).code))
  t.same(again.map(c => grpc.status[c]), Array.from({ length: 20 }, (_, i) => i % 2 === 0 ? 'RESOURCE_EXHAUSTED' : 'OK'), 'oversized and normal calls interleaved: each gets its own status')
  t.ok(cli.alive(), 'the server is alive')
})

t.test('gRPC limits are configurable (plugin options): receive and send', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonGrpc, { component: new FuzzModel(), port: 0, host: '127.0.0.1', maxReceiveMessageLength: 1024, maxSendMessageLength: 2048 })
  await app.ready()
  const client = rawGrpcClient(app.seldonGrpc.port as number)
  t.teardown(() => client.close())
  const over = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ strData: 'x'.repeat(1100) }))
  t.equal(grpc.status[over.code], 'RESOURCE_EXHAUSTED', `1 KiB receive limit: ${over.details}`)
  const under = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ strData: 'x'.repeat(900) }))
  t.equal(grpc.status[under.code], 'OK', 'under both limits: OK')
  // a small request whose answer is large: a 1×400 tftensor filled from one value (+ 400 names)
  const request = encodeSeldonMessage({ data: { tftensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }, { size: '400' }] }, floatVal: [1] } } })
  t.ok(request.length < 1024, `the request is ${request.length} bytes`)
  const grown = await grpcCall(client, '/seldon.protos.Model/Predict', request)
  t.equal(grpc.status[grown.code], 'RESOURCE_EXHAUSTED', `an answer over the 2 KiB send limit: ${grown.details}`)
  t.match(grown.details, /Response message larger than max/)
  const fine = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
  t.equal(fine.code, grpc.status.OK, 'keeps serving')
})

t.test('more than 100 header fields (CLI): 431 with the envelope, not a late Content-Type silently dropped', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'FuzzModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics)])
  await waitForHttp(http, cli)
  const body = '{"data":{"ndarray":[[1]]}}'
  const request = (fields: number): string => 'POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\n' +
    Array.from({ length: fields }, (_, i) => `X-Field-${i}: ${i}\r\n`).join('') +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  const status = (raw: string): number => Number(raw.slice(9, 12))
  const bodyOf = (raw: string): string => raw.slice(raw.indexOf('\r\n\r\n') + 4)

  // 1,000 fields, Content-Type last: the field Node used to drop past its count limit
  const many = await rawExchange(http, request(1000), 3000)
  t.equal(status(many), 431, '1,000 header fields → 431')
  t.match(bodyOf(many), ENVELOPE, '431: the envelope')
  t.equal(envelopeOf(bodyOf(many))?.info, 'Request Header Fields Too Large: more than 100 header fields', '431: the info names the limit')
  t.match(many, /\r\nconnection: close\r\n/i, '431: the connection is closed')
  t.equal(status(await rawExchange(http, request(101), 3000)), 431, '101 + Host + Content-Type + Content-Length fields → 431')
  // 97 + Host, Content-Type, Content-Length = 100 fields: the limit, served
  const at = await rawExchange(http, request(97).replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nConnection: close\r\n').replace('X-Field-0: 0\r\n', ''), 3000)
  t.equal(status(at), 200, 'exactly 100 header fields: served')
  t.match(bodyOf(at), /"ndarray":\[\[1\]\]/, 'exactly 100 header fields: the late Content-Type is read')
  t.equal(status(await rawExchange(http, request(1000).replace('/api/v1.0/predictions', '/health/ping'), 3000)), 431, 'every route, the probes too')
  t.equal((await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })).status, 200, 'still serving')
  t.ok(cli.alive(), 'the server is alive')
  t.notMatch(cli.stdout(), /"level":(?:50|60)/, 'no error log')
})
t.test('--grpc-max-message-size / SELDON_GRPC_MAX_MESSAGE_SIZE (CLI): RESOURCE_EXHAUSTED past it both ways, OK under it', async t => {
  const LIMIT = 64 * 1024
  for (const [how, args, env] of [
    ['the flag', ['--grpc-max-message-size', String(LIMIT)], {}],
    ['the environment', [], { SELDON_GRPC_MAX_MESSAGE_SIZE: String(LIMIT) }]
  ] as const) {
    const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
    const cli = startCli(t, 'HostileModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), ...args], env)
    await waitForHttp(http, cli)
    const client = rawGrpcClient(grpcPort, { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 })
    const over = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ strData: 'x'.repeat(LIMIT) }))
    t.equal(grpc.status[over.code], 'RESOURCE_EXHAUSTED', `${how}: a ${LIMIT + 4}-byte request → RESOURCE_EXHAUSTED (${over.details})`)
    const under = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ strData: 'x'.repeat(LIMIT - 100) }))
    t.equal(under.code, grpc.status.OK, `${how}: a request under the limit → OK`)
    const grow = async (bytes: number): Promise<string> =>
      grpc.status[(await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ jsonData: { do: 'grow', bytes } }))).code] ?? ''
    t.equal(await grow(LIMIT + 1), 'RESOURCE_EXHAUSTED', `${how}: an answer over the limit → RESOURCE_EXHAUSTED`)
    t.equal(await grow(LIMIT - 100), 'OK', `${how}: an answer under the limit → OK`)
    const small = await grpcCall(client, '/seldon.protos.Model/Predict', encodeSeldonMessage({ data: { ndarray: [[1]] } }))
    t.equal(small.code, grpc.status.OK, `${how}: still serving on the same connection`)
    client.close()
    t.ok(cli.alive(), `${how}: the server is alive`)
  }
})
