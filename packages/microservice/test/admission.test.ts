/**
 * Admission's slots over real connections: a slot held by a request whose answer never comes is
 * given back when its connection closes (RELIABILITY.md, guarantee 12), and the requests answered
 * before it on the same kept-alive connection hold nothing.
 */
import t, { type Test } from 'tap'
import net from 'node:net'
import { buildServer } from '../src/server.js'
import { listenLocal, testConfig } from './helpers.js'
import { postJson } from '../src/testing.js'

const config = testConfig({ maxConcurrentRequests: 1, maxQueuedRequests: 0 })

/** Answers at once, except [[13]], which it never answers. */
const component = {
  predict: async (X: unknown) => {
    if (JSON.stringify(X) === '[[13]]') await new Promise(() => {})
    return X
  }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function serve (t: Test) {
  const port = await listenLocal(t, await buildServer(component, config, { env: {} }))
  return { port, url: `http://127.0.0.1:${port}/api/v1.0/predictions` }
}

/** A kept-alive connection sending `bodies` one after another (each answer awaited but the last). */
async function connection (port: number, bodies: string[]): Promise<{ socket: net.Socket, answers: () => string }> {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  let text = ''
  socket.on('data', (d: Buffer) => { text += d.toString('latin1') })
  await new Promise<void>(resolve => socket.once('connect', resolve))
  for (const [i, body] of bodies.entries()) {
    socket.write(`POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    if (i < bodies.length - 1) for (let n = 0; n < 100 && (text.match(/HTTP\/1\.1 /g) ?? []).length <= i; n++) await sleep(10)
  }
  return { socket, answers: () => text }
}

t.test('a request never answered holds its slot until its connection closes', async t => {
  const { port, url } = await serve(t)
  const ok = JSON.stringify({ data: { ndarray: [[1]] } })
  const hung = JSON.stringify({ data: { ndarray: [[13]] } })
  const { socket, answers } = await connection(port, [ok, ok, ok, hung])
  await sleep(100)
  t.equal((answers().match(/HTTP\/1\.1 200 /g) ?? []).length, 3, 'three answers on the kept-alive connection')
  t.equal((await postJson(url, { data: { ndarray: [[2]] } })).status, 503, 'the one slot is held by the unanswered request')
  socket.destroy()
  let status = 0
  for (let n = 0; n < 50 && status !== 200; n++) {
    await sleep(20)
    status = (await postJson(url, { data: { ndarray: [[2]] } })).status
  }
  t.equal(status, 200, 'its slot is given back once the connection closed')
})
