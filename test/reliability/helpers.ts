/**
 * Shared by the reliability tests: fuzz sizes, the Seldon error envelope check, the "no internals"
 * check, in-process servers (buildServer with a captured log), child-process servers (the
 * fixture server with --expose-gc, and the real CLI) with guaranteed teardown, bounded waits,
 * HTTP over real sockets (keep-alive, raw TCP) and raw gRPC calls (identity serializers).
 */
import { bounded, freePorts, poll } from '@fastify-seldon/microservice/testing'
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import { buildServer, type ServerConfig } from '@fastify-seldon/microservice'
import { BASE_CONFIG } from './fixtures/base-config.mjs'
import type { FastifyInstance } from 'fastify'
import type {} from '@fastify-seldon/grpc'
import type {} from '@fastify-seldon/metrics'
import { pino } from 'pino'

export const here = path.dirname(fileURLToPath(import.meta.url))
export const fixtures = path.join(here, 'fixtures')
export const repoRoot = path.resolve(here, '..', '..')
export const cliBin = path.join(repoRoot, 'packages', 'microservice', 'bin', 'seldon-microservice.mjs')

// ── sizes ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Inputs per fuzz suite (REST in-process, gRPC): CI size (5000) by default; `FUZZ_RUNS=100000` for the
 * nightly size. The real-socket suite in a child process runs a tenth of it.
 */
export const FUZZ_RUNS = (() => {
  const n = Number(process.env.FUZZ_RUNS ?? '')
  return Number.isInteger(n) && n > 0 ? n : 5000
})()
/** A new seed each run unless FUZZ_SEED is given; every fuzz test prints it, fast-check too on failure. */
export const FUZZ_SEED = (() => {
  const n = Number(process.env.FUZZ_SEED ?? '')
  return process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' && Number.isInteger(n) ? n : Date.now() % 2 ** 31
})()

// ── the contract of an answer ──────────────────────────────────────────────────────────────────

/** The Seldon error envelope exactly as the wrapper writes it (sorted keys, compact, newline). */
export const ENVELOPE = /^\{"status":\{"code":-1,"info":"((?:[^"\\]|\\.)*)","reason":"([A-Z][A-Z_]*)","status":1\}\}\n$/

/** Signs of internals: stack frames, file paths or URLs of the server, module directories. */
const INTERNALS = [
  /\n\s+at\s/, /\bat (?:async )?[\w.<>]+ \(/, /file:\/\//, /node:internal/, /node_modules/,
  /\/work\//, /\/srv\/secret/, /\.(?:m?js|c?ts):\d+/
]

/**
 * The first sign of internals in `text`, or undefined. Text the client sent itself (`sent`) may
 * come back quoted in an error (`Invalid request data type: {...}`): a match inside it is not a leak.
 */
export function internalsIn (text: string, sent = ''): string | undefined {
  for (const re of INTERNALS) {
    const m = re.exec(text)
    if (m !== null && !sent.includes(m[0])) return `${re} matched ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 60))}`
  }
  return undefined
}

export interface RestAnswer { status: number, headers: Record<string, string | string[] | number | undefined>, body: string }

/**
 * Why an error answer is not the Seldon envelope (undefined when it is): 4xx/5xx status,
 * `Content-Type: application/json`, the exact envelope bytes, no internals in `info`.
 */
export function envelopeProblem (res: RestAnswer, sent = ''): string | undefined {
  if (res.status < 400 || res.status > 599) return `status ${res.status} is not an error status`
  const type = String(res.headers['content-type'] ?? '')
  if (!/^application\/json(?:;|$)/.test(type)) return `Content-Type ${JSON.stringify(type)}`
  const m = ENVELOPE.exec(res.body)
  if (m === null) return `not the Seldon envelope: ${JSON.stringify(res.body.slice(0, 300))}`
  const leak = internalsIn(JSON.parse(`"${m[1] ?? ''}"`) as string, sent)
  if (leak !== undefined) return `internals in info: ${leak}`
  return undefined
}

export function envelopeOf (body: string): { info: string, reason: string } | undefined {
  const m = ENVELOPE.exec(body)
  return m === null ? undefined : { info: JSON.parse(`"${m[1] ?? ''}"`) as string, reason: m[2] as string }
}

// ── waiting ────────────────────────────────────────────────────────────────────────────────────

export const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

export { bounded, freePorts, poll }

/** Run `task` over `items` with at most `concurrency` at a time, in order of start. */
export async function pool<T> (items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await task(items[i] as T, i)
    }
  })
  await Promise.all(lanes)
}

// ── in-process servers ─────────────────────────────────────────────────────────────────────────

/** The worker app's config, as the CLI passes it to buildServer. */
export type { ServerConfig }

/** The CLI's defaults (packages/microservice/src/options.ts), on loopback, gRPC on a free port. */
export { BASE_CONFIG }

export interface LogLine { level: number, msg?: string, err?: { message?: string, stack?: string }, [k: string]: unknown }

export interface InProcessServer {
  app: FastifyInstance
  /** Log lines at `config.logLevel` and above, parsed. */
  logs: LogLine[]
  grpcPort: number
  httpPort: number
}

interface TeardownHost { teardown: (fn: () => void | Promise<void>) => void }

/** The CLI's worker app (buildServer) in this process, listening on loopback; closed at teardown. */
export async function startInProcess (t: TeardownHost, component: object, config: Partial<ServerConfig> = {}, options: { listen?: boolean, pressureSampleInterval?: number } = {}): Promise<InProcessServer> {
  const logs: LogLine[] = []
  const cfg = { ...BASE_CONFIG, ...config }
  const destination = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine)
      }
      done()
    }
  })
  const logger = pino({ level: cfg.logLevel }, destination)
  const app = await buildServer(component, cfg, {
    env: {},
    logger,
    ...(options.pressureSampleInterval !== undefined ? { pressureSampleInterval: options.pressureSampleInterval } : {})
  })
  t.teardown(async () => { await app.close() })
  let httpPort = 0
  if (options.listen ?? true) {
    await app.listen({ host: '127.0.0.1', port: 0 })
    httpPort = (app.server.address() as net.AddressInfo).port
  } else {
    await app.ready()
  }
  return { app, logs, grpcPort: cfg.grpcEnabled ? (app.seldonGrpc.port ?? 0) : 0, httpPort }
}

/** Collects unhandled rejections and process warnings of this process while a test runs. */
export function watchProcess (t: TeardownHost): { rejections: unknown[], warnings: Error[] } {
  const seen = { rejections: [] as unknown[], warnings: [] as Error[] }
  const onRejection = (reason: unknown): void => { seen.rejections.push(reason) }
  const onWarning = (warning: Error): void => { seen.warnings.push(warning) }
  process.on('unhandledRejection', onRejection)
  process.on('warning', onWarning)
  t.teardown(() => {
    process.off('unhandledRejection', onRejection)
    process.off('warning', onWarning)
  })
  return seen
}

// ── child processes ────────────────────────────────────────────────────────────────────────────

/** The environment without the Seldon contract or tap's loader hooks (they are for this process). */
export function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PREDICTIVE_UNIT_|SELDON_|GUNICORN_|GRPC_|SERVICE_TYPE$|MODEL_NAME$|MODEL_METADATA$|PREDICTOR_|PAYLOAD_PASSTHROUGH$|INCLUDE_METRICS)/.test(k)) continue
    if (k === 'NODE_OPTIONS' || k.startsWith('_TAPJS') || k.startsWith('TAP_') || k === 'TAP') continue
    env[k] = v
  }
  return env
}

export interface Child {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  alive: () => boolean
  exited: (ms?: number) => Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** Resolves once `pattern` has been seen `count` times on stdout + stderr (bounded). */
  waitForOutput: (pattern: RegExp, count?: number, ms?: number) => Promise<void>
}

/**
 * Spawn a process leading its own process group, killed (SIGKILL, the whole group) at teardown so
 * nothing outlives a test.
 */
export function spawnChild (t: TeardownHost, args: string[], options: { env?: NodeJS.ProcessEnv, cwd?: string, ipc?: boolean } = {}): Child {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? fixtures,
    env: { ...cleanEnv(), ...options.env },
    detached: true,
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d })
  let exitState: { code: number | null, signal: NodeJS.Signals | null } | undefined
  const exit = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => {
    child.once('exit', (code, signal) => { exitState = { code, signal }; resolve(exitState) })
  })
  t.teardown(() => {
    if (child.pid !== undefined && exitState === undefined) {
      try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    alive: () => exitState === undefined,
    exited: async (ms = 15_000) => await bounded(exit, ms, () => `the process did not exit within ${ms} ms\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-3000)}`),
    waitForOutput: async (pattern, count = 1, ms = 15_000) => {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)
      await poll(() => {
        if (exitState !== undefined) throw new Error(`the process exited (${JSON.stringify(exitState)}) before ${pattern} was seen ${count} times\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-3000)}`)
        return ((out + err).match(global)?.length ?? 0) >= count
      }, ms, () => `${pattern} not seen ${count} times within ${ms} ms (seen ${(out + err).match(global)?.length ?? 0})\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-3000)}`)
    }
  }
}

/** The real `seldon-microservice` CLI serving `fixtures/models.mjs` (export `model`). */
export function startCli (t: TeardownHost, model: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return spawnChild(t, [cliBin, 'models.mjs', '--export', model, ...args], { env })
}

export interface FixtureServer extends Child {
  httpPort: number
  grpcPort: number
  /** heapUsed after two full GCs in the server process. */
  heapAfterGc: () => Promise<number>
}

/**
 * `fixtures/server.mjs`: buildServer in one process (no cluster) with --expose-gc, REST and gRPC
 * on free loopback ports, unhandled rejections written to stderr as `unhandledRejection: ...`.
 */
export async function startFixtureServer (t: TeardownHost, model: string, config: Partial<ServerConfig> = {}): Promise<FixtureServer> {
  const proc = spawnChild(t, ['--expose-gc', path.join(fixtures, 'server.mjs'), JSON.stringify({ model, config })], { ipc: true })
  const ready = await bounded(new Promise<{ http: number, grpc: number }>((resolve, reject) => {
    proc.child.on('message', (m: any) => { if (m?.ready === true) resolve(m) })
    proc.child.once('exit', code => reject(new Error(`fixture server exited ${code}: ${proc.stderr()}`)))
  }), 20_000, () => `fixture server not ready\nstderr: ${proc.stderr()}`)
  let asked = 0
  const heapAfterGc = async (): Promise<number> => {
    const id = ++asked
    return await bounded(new Promise<number>(resolve => {
      const onMessage = (m: any): void => {
        if (m?.heap !== undefined && m.id === id) { proc.child.off('message', onMessage); resolve(m.heap as number) }
      }
      proc.child.on('message', onMessage)
      proc.child.send({ cmd: 'heap', id })
    }), 20_000, () => 'no heap answer from the fixture server')
  }
  return { ...proc, httpPort: ready.http, grpcPort: ready.grpc, heapAfterGc }
}

// ── HTTP over real sockets ─────────────────────────────────────────────────────────────────────

export interface HttpOptions {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeout?: number
  agent?: http.Agent | false
}

/** One HTTP request to 127.0.0.1:`port`, bounded by `timeout` (rejects on a transport error). */
export async function httpRequest (port: number, options: HttpOptions = {}): Promise<RestAnswer> {
  return await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: options.path ?? '/',
      method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      agent: options.agent ?? false,
      // framed explicitly: Node's client sends the body of a HEAD/GET/DELETE without Content-Length
      headers: options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)), ...options.headers } : (options.headers ?? {}),
      timeout: options.timeout ?? 10_000
    }, res => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`request ${options.method ?? ''} ${options.path ?? '/'} timed out`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A JSON POST on a fresh connection. */
export async function postJson (port: number, url: string, payload: unknown, timeout = 10_000): Promise<RestAnswer> {
  return await httpRequest(port, { path: url, body: JSON.stringify(payload), headers: { 'content-type': 'application/json', connection: 'close' }, timeout })
}

/**
 * Raw bytes on a TCP connection; resolves with everything the server wrote once it closes the
 * connection, `ms` pass or `enough` says so of what it wrote (in the last two cases we close).
 * `closeAfterWrite` half-closes right after writing.
 */
export async function rawExchange (port: number, data: Buffer | string, ms = 2000, closeAfterWrite = false, enough?: (written: string) => boolean): Promise<string> {
  return await new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => socket.destroy(), ms)
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      if (enough?.(Buffer.concat(chunks).toString('latin1')) === true) socket.destroy()
    })
    socket.on('error', () => { /* a reset is an acceptable end */ })
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')) })
    socket.write(data, () => { if (closeAfterWrite) socket.end() })
  })
}

/** Wait until GET /health/ping answers 200 (bounded); fails early when the process exits. */
export async function waitForHttp (port: number, proc?: Child, ms = 20_000): Promise<void> {
  await poll(async () => {
    if (proc !== undefined && !proc.alive()) throw new Error(`the process exited before port ${port} answered\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`)
    try {
      return (await httpRequest(port, { path: '/health/ping', timeout: 1000 })).status === 200
    } catch {
      return false
    }
  }, ms, () => `port ${port} did not answer 200 within ${ms} ms\nstdout: ${proc?.stdout() ?? ''}\nstderr: ${proc?.stderr() ?? ''}`, 50)
}

/** True when nothing accepts TCP connections on the port. */
export async function refused (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', () => resolve(true))
  })
}

// ── gRPC ───────────────────────────────────────────────────────────────────────────────────────

/** Every RPC of the wrapper's table (docs/wrapper-behaviour.md, "gRPC services"): method path and request message type. */
export const RPCS: ReadonlyArray<{ path: string, request: 'SeldonMessage' | 'SeldonMessageList' | 'Feedback' | 'Empty' | 'SeldonModelMetadataRequest', response: 'SeldonMessage' | 'SeldonModelMetadata' | 'SeldonGraphMetadata' }> = [
  { path: '/seldon.protos.Generic/TransformInput', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Generic/TransformOutput', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Generic/Route', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Generic/Aggregate', request: 'SeldonMessageList', response: 'SeldonMessage' },
  { path: '/seldon.protos.Generic/SendFeedback', request: 'Feedback', response: 'SeldonMessage' },
  { path: '/seldon.protos.Model/Predict', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Model/SendFeedback', request: 'Feedback', response: 'SeldonMessage' },
  { path: '/seldon.protos.Model/Metadata', request: 'Empty', response: 'SeldonModelMetadata' },
  { path: '/seldon.protos.Router/Route', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Router/SendFeedback', request: 'Feedback', response: 'SeldonMessage' },
  { path: '/seldon.protos.Transformer/TransformInput', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.OutputTransformer/TransformOutput', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Combiner/Aggregate', request: 'SeldonMessageList', response: 'SeldonMessage' },
  { path: '/seldon.protos.Seldon/Predict', request: 'SeldonMessage', response: 'SeldonMessage' },
  { path: '/seldon.protos.Seldon/SendFeedback', request: 'Feedback', response: 'SeldonMessage' },
  { path: '/seldon.protos.Seldon/ModelMetadata', request: 'SeldonModelMetadataRequest', response: 'SeldonModelMetadata' },
  { path: '/seldon.protos.Seldon/GraphMetadata', request: 'Empty', response: 'SeldonGraphMetadata' }
]

export interface GrpcAnswer {
  code: grpc.status
  details: string
  /** Trailing metadata (errors) as plain strings. */
  trailers: Record<string, string>
  /** The response bytes (OK only). */
  bytes?: Buffer
}

const identity = (b: Buffer): Buffer => b

/** A grpc-js client sending and receiving raw bytes (identity serializers). */
export function rawGrpcClient (port: number, options: grpc.ChannelOptions = {}): grpc.Client {
  return new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options)
}

/** One unary call with raw bytes, bounded by a deadline; never rejects. */
export async function grpcCall (client: grpc.Client, method: string, bytes: Buffer, deadlineMs = 10_000): Promise<GrpcAnswer> {
  return await new Promise(resolve => {
    const metadata = new grpc.Metadata()
    client.makeUnaryRequest(method, identity, identity, bytes, metadata, { deadline: Date.now() + deadlineMs }, (err, value) => {
      if (err !== null && err !== undefined) {
        const trailers: Record<string, string> = {}
        for (const [k, v] of Object.entries(err.metadata?.getMap() ?? {})) trailers[k] = String(v)
        resolve({ code: err.code, details: err.details, trailers })
      } else {
        resolve({ code: grpc.status.OK, details: '', trailers: {}, ...(value !== undefined ? { bytes: value } : {}) })
      }
    })
  })
}

export { grpc }
