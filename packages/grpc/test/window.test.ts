/**
 * The `receiveWindow` option sets the server's HTTP/2 receive window through private fields of
 * grpc-js's Server (src/window.ts). If a grpc-js upgrade drops them, the first test fails here
 * instead of the option silently doing nothing.
 */
import t from 'tap'
import * as grpc from '@grpc/grpc-js'
import type { Http2Server, Http2Session } from 'node:http2'
import { DEFAULT_RECEIVE_WINDOW, HTTP2_DEFAULT_WINDOW, canSetReceiveWindow, createGrpcServer } from '../src/index.js'
import { SeldonRuntime } from '@fastify-seldon/core'
import { IdentityModel, call, plain, serve } from './fixtures/helpers.js'

const WINDOW = 16 * 1024 * 1024

/** The server-side HTTP/2 sessions of a grpc-js Server (private field, as src/window.ts reads it). */
function sessionsOf (server: grpc.Server): Http2Session[] {
  const servers = (server as unknown as { http2Servers: Map<Http2Server, { sessions: Set<Http2Session> }> }).http2Servers
  return [...servers.values()].flatMap(info => [...info.sessions])
}

t.test('grpc-js still has the private fields the window hook needs', async t => {
  const server = new grpc.Server()
  t.ok(canSetReceiveWindow(server), 'grpc-js Server has commonServerOptions and http2Servers: update src/window.ts for this grpc-js version')
  const fields = server as unknown as Record<string, unknown>
  t.type(fields.commonServerOptions, 'object')
  t.ok(fields.http2Servers instanceof Map)
})

t.test('with receiveWindow, a session\'s connection and streams get the window', async t => {
  const server = await serve(new IdentityModel(), { receiveWindow: WINDOW, maxReceiveMessageLength: 64 * 1024 * 1024, maxSendMessageLength: 64 * 1024 * 1024 })
  t.teardown(server.close)
  const values = Array.from({ length: 100_000 }, (_, i) => i / 8)
  const answer = await call(server.client, 'Model', 'Predict', { data: { tensor: { shape: [100_000], values } } }, 30_000)
  t.error(answer.error)
  t.same(plain(answer.message?.data?.tensor?.values), values, 'an 800 kB tensor goes through whole')
  const sessions = sessionsOf(server.core.server)
  t.ok(sessions.length > 0)
  for (const session of sessions) {
    t.ok((session.state.localWindowSize ?? 0) > WINDOW / 2, `connection window ${session.state.localWindowSize}`)
    t.equal(session.localSettings.initialWindowSize, WINDOW, 'stream window in the server\'s SETTINGS')
  }
})

t.test('by default, DEFAULT_RECEIVE_WINDOW (1 MiB); HTTP2_DEFAULT_WINDOW keeps HTTP/2\'s', async t => {
  t.equal(DEFAULT_RECEIVE_WINDOW, 1024 * 1024)
  for (const [options, window] of [[{}, DEFAULT_RECEIVE_WINDOW], [{ receiveWindow: HTTP2_DEFAULT_WINDOW }, HTTP2_DEFAULT_WINDOW]] as const) {
    const server = await serve(new IdentityModel(), options)
    t.teardown(server.close)
    t.error((await call(server.client, 'Model', 'Predict', { data: { ndarray: [[1]] } })).error)
    const sessions = sessionsOf(server.core.server)
    t.ok(sessions.length > 0)
    for (const session of sessions) {
      t.equal(session.localSettings.initialWindowSize, window, `stream window ${window}`)
      if (window === HTTP2_DEFAULT_WINDOW) t.ok((session.state.localWindowSize ?? 0) <= HTTP2_DEFAULT_WINDOW)
      else t.ok((session.state.localWindowSize ?? 0) > window / 2, `connection window ${session.state.localWindowSize}`)
    }
  }
})

t.test('a window outside HTTP/2\'s range is refused at construction', async t => {
  const runtime = new SeldonRuntime(new IdentityModel())
  for (const bad of [1000, 2 ** 31, 1.5, Number.NaN]) {
    t.throws(() => createGrpcServer(runtime, { receiveWindow: bad }), RangeError, String(bad))
  }
})
