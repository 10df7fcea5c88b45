/**
 * Test helpers for components served by the real `seldon-microservice` CLI (what the examples'
 * tests use): free ports, a bounded wait for the server, a teardown that kills the whole process
 * group (primary and workers) even when the test fails, and one-call REST and gRPC clients.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import type { CallOptions, ServiceDefinition, ServiceError } from '@grpc/grpc-js'

/** The built CLI (dist/cli.js beside this file, what the `seldon-microservice` bin runs). */
const CLI = fileURLToPath(new URL('./cli.js', import.meta.url))

export interface TeardownHost { teardown: (fn: () => void | Promise<void>) => void }

export interface Served {
  /** http://127.0.0.1:<http-port> */
  url: string
  /** http://127.0.0.1:<metrics-port>/metrics */
  metricsUrl: string
  /** 127.0.0.1:<grpc-port>, the target for a grpc-js client */
  grpcTarget: string
  output: () => string
}

/**
 * The low end of the kernel's ephemeral port range (Linux; 32768 elsewhere): the range outgoing
 * connections take their local ports from, and where `listen(0)` picks.
 */
function ephemeralLow (): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    if (Number.isInteger(low) && low > 2048) return low
  } catch { /* not Linux */ }
  return 32768
}

/** Listens on `port` of 127.0.0.1 (resolves with the server) or resolves undefined when it is taken. */
async function tryListen (port: number): Promise<net.Server | undefined> {
  return await new Promise(resolve => {
    const server = net.createServer()
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

/**
 * `n` distinct free loopback ports, chosen at random below the ephemeral range and checked by
 * listening on them (all at once), then closed. Below that range, no outgoing connection of a
 * concurrent test can take one between this check and the server's own bind; with `listen(0)`
 * one did (EADDRINUSE in a clean-clone CI run, a gRPC-heavy test running beside it).
 */
export async function freePorts (n: number): Promise<number[]> {
  const high = ephemeralLow() - 1
  const low = Math.max(1024, high - 16_000)
  for (let attempt = 0; ; attempt++) {
    const wanted = new Set<number>()
    while (wanted.size < n) wanted.add(low + Math.floor(Math.random() * (high - low + 1)))
    const servers = await Promise.all([...wanted].map(tryListen))
    await Promise.all(servers.map(async s => await new Promise(resolve => s === undefined ? resolve(undefined) : s.close(resolve))))
    if (servers.every(s => s !== undefined)) return [...wanted]
    if (attempt === 20) throw new Error(`no ${n} free ports found in ${low}-${high}`)
  }
}

/**
 * The test runner's environment minus its loader hooks and anything of the Seldon contract. tap
 * still wraps the child (its spawn hook adds its loader back), so coverage is switched off there:
 * the CLI compiles the component with tsx, whose source maps tap merges out of line with its own
 * compilation of the same file, and a served child that exits normally (one whose load() failed)
 * would otherwise mark comments and imports of the component as uncovered.
 */
function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k === 'TAP' || k.startsWith('TAP_') || k.startsWith('_TAPJS')) continue
    if (/^(PREDICTIVE_UNIT_|SELDON_|PREDICTOR_|MODEL_METADATA$|INCLUDE_METRICS|PAYLOAD_PASSTHROUGH$)/.test(k)) continue
    env[k] = v
  }
  return { ...env, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...extra }
}

/**
 * `seldon-microservice <args>` run in `cwd`; resolves once /health/ping answers (≤ `readyMs`, default
 * 20 s). A start that fails because a chosen port was taken meanwhile (another test's server) is
 * tried again on new ports, at most three times.
 */
export async function serveCli (t: TeardownHost, args: string[], options: { cwd: string, env?: Record<string, string>, readyMs?: number }): Promise<Served> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await serveCliOnce(t, args, options)
    } catch (err) {
      if (attempt === 3 || !(err instanceof PortTakenError)) throw err
    }
  }
}

class PortTakenError extends Error {}

async function serveCliOnce (t: TeardownHost, args: string[], options: { cwd: string, env?: Record<string, string>, readyMs?: number }): Promise<Served> {
  const { cwd, env = {} } = options
  const readyMs = options.readyMs ?? 20_000
  const [http, grpc, metrics] = await freePorts(3) as [number, number, number]
  const child = spawn(process.execPath, [
    CLI, ...args, '--host', '127.0.0.1', '--grace-period', '1',
    '--http-port', String(http), '--grpc-port', String(grpc), '--metrics-port', String(metrics)
  ], { cwd, env: childEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d })
  t.teardown(() => {
    if (child.pid !== undefined && child.exitCode === null) {
      try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  })
  const url = `http://127.0.0.1:${http}`
  const deadline = Date.now() + readyMs
  for (;;) {
    if (child.exitCode !== null) {
      const message = `seldon-microservice exited (${child.exitCode}) before serving:\n${output}`
      throw output.includes('EADDRINUSE') ? new PortTakenError(message) : new Error(message)
    }
    try {
      if ((await fetch(`${url}/health/ping`, { signal: AbortSignal.timeout(1000) })).ok) break
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`seldon-microservice did not answer within ${readyMs / 1000} s:\n${output}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { url, metricsUrl: `http://127.0.0.1:${metrics}/metrics`, grpcTarget: `127.0.0.1:${grpc}`, output: () => output }
}

/** POST a JSON body; the status and the raw body text. */
export async function postJson (url: string, body: unknown): Promise<{ status: number, body: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000)
  })
  return { status: res.status, body: await res.text() }
}

/** A gRPC answer: the status by its canonical name, and the response (OK) or the trailers (an error). */
export interface GrpcReply {
  /** `OK`, `INVALID_ARGUMENT`, `INTERNAL`... */
  status: string
  details: string
  /** Trailing metadata of a failed call (`seldon-reason`, `seldon-http-status`...). */
  trailers: Record<string, string>
  /** The response in the message form (decoded by the protocol's codec) when the call succeeded. */
  message?: Record<string, any>
}

/**
 * One unary call to a `seldon.protos` service, e.g. `callGrpc(server.grpcTarget, 'Model', 'Predict',
 * { data: { ndarray: [[1]] } })`, with a 10 s deadline; errors are answered, not thrown.
 */
export async function callGrpc (target: string, service: string, rpc: string, message: unknown): Promise<GrpcReply> {
  const grpc = await import('@grpc/grpc-js')
  const { seldonServices } = await import('@fastify-seldon/grpc')
  const { grpcCodeName } = await import('@fastify-seldon/protocol')
  const definition = (seldonServices as Record<string, ServiceDefinition>)[service]
  if (definition?.[rpc] === undefined) throw new Error(`no gRPC method seldon.protos.${service}/${rpc}`)
  const client = new (grpc.makeGenericClientConstructor(definition, service))(target, grpc.credentials.createInsecure())
  const unary = (client as unknown as Record<string, (m: unknown, o: CallOptions, cb: (e: ServiceError | null, v?: Record<string, any>) => void) => void>)[rpc]
  try {
    return await new Promise<GrpcReply>(resolve => {
      unary?.call(client, message, { deadline: Date.now() + 10_000 }, (err, value) => {
        if (err === null) { resolve({ status: 'OK', details: '', trailers: {}, message: value }); return }
        const trailers: Record<string, string> = {}
        for (const [k, v] of Object.entries(err.metadata?.getMap() ?? {})) trailers[k] = String(v)
        resolve({ status: grpcCodeName(err.code), details: err.details, trailers })
      })
    })
  } finally {
    client.close()
  }
}

/** `promise`, or an error saying `what()` after `ms`: every wait in a test is bounded. */
export async function bounded<T> (promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(what())), ms) })
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves once `check()` is true; throws `what()` after `ms`. */
export async function poll (check: () => boolean | Promise<boolean>, ms: number, what: () => string, every = 25): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(what())
    await new Promise(resolve => setTimeout(resolve, every))
  }
}
