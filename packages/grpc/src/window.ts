/**
 * The server's HTTP/2 receive window. grpc-js 1.14 has a client option for it
 * (`grpc-node.flow_control_window`) but none on the server, which keeps HTTP/2's 64 KiB: a request
 * of 800 kB (a 100,000-value tensor) then waits for a dozen WINDOW_UPDATE round trips
 * (BENCHMARKS.md, "What bounds what", C gRPC tensor). This module sets it through two private
 * fields of grpc-js's Server — `commonServerOptions` (the options of every http2 server it
 * creates: `settings.initialWindowSize`, each stream's window) and `http2Servers` (the http2
 * servers of the bound ports: each new session's connection window) — and only when both are
 * there: the grpc-js version is pinned exactly in package.json, and test/window.test.ts fails
 * loudly if a new version drops them.
 */
import type { Http2Server, Http2Session, Settings } from 'node:http2'
import type { Server } from '@grpc/grpc-js'

/** The grpc-js 1.14 Server internals used here (private: see the module comment). */
interface GrpcJsServerInternals {
  commonServerOptions?: { settings?: Settings }
  http2Servers?: Map<Http2Server, { sessions?: Set<Http2Session> }>
}

const internals = (server: Server): GrpcJsServerInternals => server as unknown as GrpcJsServerInternals

/** Whether this grpc-js still has the private fields the window hook needs. */
export function canSetReceiveWindow (server: Server): boolean {
  const s = internals(server)
  return typeof s.commonServerOptions === 'object' && s.commonServerOptions !== null && s.http2Servers instanceof Map
}

/** Before bind: each stream's initial window (sent in the server's SETTINGS). */
export function setStreamWindow (server: Server, bytes: number): boolean {
  if (!canSetReceiveWindow(server)) return false
  const common = internals(server).commonServerOptions as { settings?: Settings }
  common.settings = { ...common.settings, initialWindowSize: bytes }
  return true
}

function widen (session: Http2Session, bytes: number): void {
  try { session.setLocalWindowSize(bytes) } catch {}
}

/**
 * After bind: the connection window of every session of every bound port, those already open
 * (none in practice: this runs before the event loop can accept) and those to come.
 */
export function setConnectionWindow (server: Server, bytes: number): boolean {
  if (!canSetReceiveWindow(server)) return false
  for (const [http2Server, info] of internals(server).http2Servers as Map<Http2Server, { sessions?: Set<Http2Session> }>) {
    for (const session of info.sessions ?? []) widen(session, bytes)
    // As grpc-js's client does for its own option: once the peer's SETTINGS arrived.
    http2Server.on('session', (session: Http2Session) => { session.once('remoteSettings', () => widen(session, bytes)) })
  }
  return true
}
