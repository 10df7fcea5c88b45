#!/usr/bin/env node
// EXPERIMENT, not the product: servers/ours-grpc.mjs with a 16 MiB HTTP/2 receive window on the
// server side (grpc-js 1.14 has no server option for it, so node:http2's createServer is wrapped
// before grpc-js loads). `node bench/grpc-window.mjs` compares the two on the 100k tensor: the gap
// is what HTTP/2 flow control (64 KiB default window, one WINDOW_UPDATE round trip per 64 KiB of
// request) costs large gRPC requests.
import http2 from 'node:http2'

const WINDOW = 16 * 1024 * 1024
const createServer = http2.createServer
http2.createServer = function createServerWithWindow (options, ...rest) {
  const server = createServer.call(this, { ...options, settings: { ...options?.settings, initialWindowSize: WINDOW } }, ...rest)
  server.on('session', (session) => {
    session.once('localSettings', () => { try { session.setLocalWindowSize(WINDOW) } catch {} })
  })
  return server
}
await import('./ours-grpc.mjs')
