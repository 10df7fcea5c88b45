/**
 * What a client that holds connections open may cost (RELIABILITY.md, guarantee 13), through the
 * real CLI: past `--max-connections` a new connection is answered 503 with the envelope and
 * `Retry-After` and closed, the connections already open keep being served, and a freed place is
 * taken again; a request body that trickles is cut at `--body-timeout` with 408 + the envelope
 * while the other requests are served at once.
 */
import net from 'node:net'
import t from 'tap'
import { ENVELOPE, envelopeOf, freePorts, httpRequest, poll, postJson, rawExchange, sleep, startCli, waitForHttp, type Child } from './helpers.js'

t.setTimeout(90_000)

async function startServer (t: Parameters<typeof startCli>[0], args: string[]): Promise<{ cli: Child, http: number }> {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'HostileModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), ...args])
  await waitForHttp(http, cli)
  return { cli, http }
}

/** A connection that sent one request, kept alive; `ask` sends another on it and reads the status. */
async function openConnection (port: number): Promise<{ socket: net.Socket, ask: (path: string) => Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  socket.on('error', () => { /* closed by the test */ })
  const ask = async (path: string): Promise<string> => await new Promise(resolve => {
    let text = ''
    const onData = (d: Buffer): void => {
      text += d.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN)
      if (end >= 0 && text.length >= end + 4 + length) { socket.off('data', onData); resolve(text) }
    }
    socket.on('data', onData)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
  })
  return { socket, ask }
}

t.test('--max-connections 5: the sixth connection gets 503 + envelope + Retry-After; the five are served; a freed place is taken', async t => {
  const { cli, http } = await startServer(t, ['--max-connections', '5'])
  await sleep(200) // the readiness probe's connection is closed
  const open = await Promise.all(Array.from({ length: 5 }, async () => await openConnection(http)))
  t.teardown(() => { for (const c of open) c.socket.destroy() })
  for (const [i, c] of open.entries()) t.match(await c.ask('/health/ping'), /^HTTP\/1\.1 200 /, `connection ${i + 1}: served`)

  const refused = await rawExchange(http, 'POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}', 3000)
  t.match(refused, /^HTTP\/1\.1 503 /, 'the sixth connection: 503')
  t.match(refused, /\r\nRetry-After: 1\r\n/, '503: Retry-After: 1')
  t.match(refused, /\r\nConnection: close\r\n/, '503: the connection is closed')
  const body = refused.slice(refused.indexOf('\r\n\r\n') + 4)
  t.match(body, ENVELOPE, '503: the envelope')
  t.equal(envelopeOf(body)?.reason, 'MICROSERVICE_OVERLOADED', '503: MICROSERVICE_OVERLOADED')
  t.match(await open[0]?.ask('/api/v1.0/health/status') ?? '', /^HTTP\/1\.1 200 /, 'the open connections are still served')

  open[4]?.socket.destroy()
  await poll(async () => (await httpRequest(http, { path: '/health/ping' }).catch(() => undefined))?.status === 200, 5000, () => 'the freed place is not taken again')
  t.ok(cli.alive(), 'the server is alive')
  await sleep(1100)
  t.match(cli.stdout(), /more than 5 connections \(--max-connections\): \d+ refused with 503/, 'the refusals are logged (warn)')
  t.notMatch(cli.stdout(), /"level":(?:50|60)/, 'no error log')
})

t.test('--body-timeout 1000: a trickling body is cut with 408 + envelope at the timeout; the others are served meanwhile', async t => {
  const { cli, http } = await startServer(t, ['--body-timeout', '1000'])
  const body = '{"data":{"ndarray":[[1,2,3,4,5,6,7,8,9,10]]}}'
  const socket = net.connect(http, '127.0.0.1')
  socket.on('error', () => { /* closed by the server */ })
  let answer = ''
  socket.on('data', (d: Buffer) => { answer += d.toString('latin1') })
  const closed = new Promise<number>(resolve => socket.once('close', () => { resolve(performance.now()) }))
  await new Promise<void>(resolve => socket.once('connect', resolve))
  const start = performance.now()
  socket.write(`POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`)
  // one byte every 100 ms: 4.5 s for the whole body, unless it is cut
  const trickle = setInterval(() => { if (!socket.destroyed && socket.writable) socket.write(body[Math.floor((performance.now() - start) / 100) % body.length] as string) }, 100)
  t.teardown(() => { clearInterval(trickle); socket.destroy() })

  const others: number[] = []
  const served = (async () => {
    for (let i = 0; i < 10; i++) {
      others.push((await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[i]] } })).status)
      await sleep(100)
    }
  })()
  const end = await Promise.race([closed, sleep(10_000).then(() => NaN)])
  clearInterval(trickle)
  await served
  const ms = end - start
  t.ok(ms >= 950 && ms < 4000, `cut after ${ms.toFixed(0)} ms (the timeout: 1000 ms; the whole body would take 4.5 s)`)
  t.match(answer, /^HTTP\/1\.1 408 /, '408')
  const text = answer.slice(answer.indexOf('\r\n\r\n') + 4)
  t.match(text, ENVELOPE, '408: the envelope')
  t.equal(envelopeOf(text)?.info, 'Request Timeout: the request body was not received within 1000 ms', '408: the info names the timeout')
  t.same(others, Array.from({ length: 10 }, () => 200), 'the other requests were served meanwhile')
  t.equal((await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })).status, 200, 'still serving')
  t.ok(cli.alive(), 'the server is alive')
  t.notMatch(cli.stdout(), /"level":(?:50|60)/, 'no error log')
})

t.test('a body that arrives in time is served, however slowly it starts', async t => {
  const { http } = await startServer(t, ['--body-timeout', '1000'])
  const body = '{"data":{"ndarray":[[1]]}}'
  const head = `POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
  const socket = net.connect(http, '127.0.0.1')
  let answer = ''
  socket.on('data', (d: Buffer) => { answer += d.toString('latin1') })
  const closed = new Promise<void>(resolve => socket.once('close', () => { resolve() }))
  socket.write(head + body.slice(0, 10))
  await sleep(500)
  socket.write(body.slice(10))
  await Promise.race([closed, sleep(5000)])
  socket.destroy()
  t.match(answer, /^HTTP\/1\.1 200 /, 'a body complete after 0.5 s: 200')
})
