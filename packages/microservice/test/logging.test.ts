/**
 * A worker's logging (src/logging.ts): below DEBUG Fastify is built without the logger (no
 * listeners on every response) and still hands out the same request loggers; at DEBUG it has
 * the logger and writes access logs.
 */
import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { buildServer } from '../src/server.js'
import { listenLocal, testConfig } from './helpers.js'
import { postJson } from '../src/testing.js'

/** A pino logger at `level` whose records are kept, parsed. */
function capturedLogger (level: string) {
  const records: Array<Record<string, any>> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') records.push(JSON.parse(line))
      done()
    }
  })
  return { logger: pino({ level }, stream), records }
}

const component = {
  predict: (X: unknown) => {
    if (JSON.stringify(X) === '[[13]]') throw new Error('unlucky input')
    return X
  }
}

/** Listens on a free port; a last onSend hook reports the 'finish' listeners each response has. */
async function serve (t: Test, level: 'debug' | 'info') {
  const { logger, records } = capturedLogger(level)
  const app = await buildServer(component, testConfig({ logLevel: level }), { env: {}, logger })
  const finishListeners: number[] = []
  app.post('/log-shapes', async (request, reply) => {
    request.log.info({ req: request, res: reply }, 'shapes')
    return {}
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    finishListeners.push(reply.raw.listenerCount('finish'))
    done(null, payload)
  })
  const port = await listenLocal(t, app)
  return { app, records, finishListeners, url: `http://127.0.0.1:${port}/api/v1.0/predictions` }
}

t.test('below DEBUG: no listeners added to each response, the same request loggers, no access log', async t => {
  const info = await serve(t, 'info')
  const debug = await serve(t, 'debug')
  for (const s of [info, debug]) t.equal((await postJson(s.url, { data: { ndarray: [[1]] } })).status, 200)
  t.ok((info.finishListeners[0] ?? 0) < (debug.finishListeners[0] ?? 0),
    `fewer 'finish' listeners below DEBUG (${info.finishListeners[0]} vs ${debug.finishListeners[0]} at DEBUG, where Fastify has the logger)`)
  t.same(info.records.filter(r => r.msg === 'request completed' || r.msg === 'incoming request'), [], 'no access log below DEBUG')
  t.equal(debug.records.filter(r => r.msg === 'request completed').length, 1, 'access log at DEBUG')

  info.app.log.info('said through app.log')
  t.ok(info.records.some(r => r.msg === 'said through app.log'), 'app.log is the worker logger')
})

t.test('below DEBUG: the records of an error and of a request and reply are those Fastify writes with the logger', async t => {
  const info = await serve(t, 'info')
  const debug = await serve(t, 'debug')
  for (const s of [info, debug]) {
    t.equal((await postJson(s.url, { data: { ndarray: [[13]] } })).status, 500)
    t.equal((await postJson(s.url.replace('/api/v1.0/predictions', '/log-shapes'), {})).status, 200)
  }
  const errorOf = (records: Array<Record<string, any>>) => records.find(r => r.level === 50)
  const [error, expectedError] = [errorOf(info.records), errorOf(debug.records)]
  t.match(error, { reqId: String, err: { message: 'unlucky input', stack: /unlucky input/ } })
  t.same(Object.keys(error ?? {}).sort(), Object.keys(expectedError ?? {}).sort(), 'the same fields')

  const shapesOf = (records: Array<Record<string, any>>) => records.find(r => r.msg === 'shapes')
  const [shapes, expectedShapes] = [shapesOf(info.records), shapesOf(debug.records)]
  t.match(shapes, { reqId: String, req: { method: 'POST', url: '/log-shapes', remoteAddress: '127.0.0.1', remotePort: Number }, res: { statusCode: 200 } })
  t.same(Object.keys(shapes?.req ?? {}).sort(), Object.keys(expectedShapes?.req ?? {}).sort(), 'the request as Fastify writes it')
  t.same(shapes?.res, expectedShapes?.res, 'the reply as Fastify writes it')
})
