/**
 * Helpers for tests that run the real CLI as a child process: free ports, spawning with a
 * guaranteed teardown (the whole process group is killed), bounded waits, plain HTTP requests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { bounded, freePorts, poll, type TeardownHost } from '../src/testing.js'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { ServerConfig } from '../src/server.js'

export const here = path.dirname(fileURLToPath(import.meta.url))
export const fixtures = path.join(here, 'fixtures')
export const packageDir = path.dirname(here)
export const repoRoot = path.resolve(packageDir, '..', '..')
/** The installed command's target (the committed shim running dist/cli.js). */
export const cliBin = path.join(packageDir, 'bin', 'seldon-microservice.mjs')

export { freePorts }

/** A worker's config for in-process tests: loopback, no gRPC, quiet, no load protection; `overrides` win. */
export function testConfig (overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    grpcEnabled: false,
    grpcPort: 0,
    logLevel: 'error',
    gracePeriodMs: 1000,
    bodyLimit: 1024 * 1024,
    requestTimeout: 0,
    maxEventLoopDelay: 0,
    maxHeapUsedBytes: 0,
    maxRssBytes: 0,
    ...overrides
  }
}

/** `app` listening on a free loopback port, closed at teardown; its port. */
export async function listenLocal (t: TeardownHost, app: FastifyInstance): Promise<number> {
  t.teardown(async () => { await app.close() })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}

export interface Cli {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves when the process exits (bounded: rejects after `ms`). */
  exited: (ms?: number) => Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** Resolves once `pattern` has been seen `count` times on stderr or stdout (bounded). */
  waitForOutput: (pattern: RegExp, count?: number, ms?: number) => Promise<void>
}

/**
 * Run the CLI. The child leads its own process group, killed with SIGKILL at teardown (primary and
 * workers alike), so nothing outlives a test, even a failed one.
 */
export function startCli (t: TeardownHost, args: string[], options: { env?: NodeJS.ProcessEnv, cwd?: string, command?: string[] } = {}): Cli {
  const command = options.command ?? [process.execPath, cliBin]
  const child = spawn(command[0] as string, [...command.slice(1), ...args], {
    cwd: options.cwd ?? fixtures,
    env: { ...cleanEnv(), ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d })
  const exit = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  t.teardown(() => {
    if (child.pid !== undefined) {
      try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: async (ms = 15_000) => await bounded(exit, ms, () => `the CLI did not exit within ${ms} ms\nstdout: ${out}\nstderr: ${err}`),
    waitForOutput: async (pattern, count = 1, ms = 15_000) => {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)
      await poll(() => ((out + err).match(global)?.length ?? 0) >= count, ms, () => `${pattern} not seen ${count} times within ${ms} ms\nstdout: ${out}\nstderr: ${err}`)
    }
  }
}

/** The environment without anything of the Seldon contract the test runner might carry. */
function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PREDICTIVE_UNIT_|SELDON_|GUNICORN_|GRPC_|SERVICE_TYPE$|MODEL_NAME$|MODEL_METADATA$|PREDICTOR_|PAYLOAD_PASSTHROUGH$|INCLUDE_METRICS|TRACING$|OTEL_|JAEGER_)/.test(k)) continue
    // tap's coverage and loader hooks are for the test process, not the server under test.
    if (k === 'NODE_OPTIONS' || k.startsWith('_TAPJS') || k.startsWith('TAP_') || k === 'TAP') continue
    env[k] = v
  }
  return env
}

export { bounded, poll }

export interface Response { status: number, headers: http.IncomingHttpHeaders, body: string }

/** One request on a fresh connection (no keep-alive), bounded by `timeout`. */
export async function request (url: string, options: { method?: string, body?: string | Buffer, headers?: Record<string, string>, timeout?: number } = {}): Promise<Response> {
  return await new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      agent: false,
      headers: { connection: 'close', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      timeout: options.timeout ?? 10_000
    }, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Wait until GET `url` answers 200 (the server is up), bounded; fails early if the CLI exits. */
export async function waitForHttp (url: string, cli?: Cli, ms = 20_000): Promise<void> {
  await poll(async () => {
    if (cli !== undefined && cli.child.exitCode !== null) {
      throw new Error(`the CLI exited (${cli.child.exitCode}) before ${url} answered\nstdout: ${cli.stdout()}\nstderr: ${cli.stderr()}`)
    }
    try {
      return (await request(url, { timeout: 1000 })).status === 200
    } catch {
      return false
    }
  }, ms, () => `${url} did not answer 200 within ${ms} ms\nstdout: ${cli?.stdout() ?? ''}\nstderr: ${cli?.stderr() ?? ''}`, 50)
}

/** A Seldon predict request. */
export async function predict (port: number, payload: unknown, path = '/api/v1.0/predictions'): Promise<Response> {
  return await request(`http://127.0.0.1:${port}${path}`, { body: JSON.stringify(payload) })
}

/** True when nothing accepts TCP connections on the port. */
export async function refused (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', () => resolve(true))
  })
}
