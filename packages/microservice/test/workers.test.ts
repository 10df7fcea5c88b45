/**
 * The process model: graceful drain on SIGTERM with requests in flight, several workers sharing
 * the ports (and one metrics scrape summing them), a killed worker restarted.
 */
import * as grpc from '@grpc/grpc-js'
import { seldonServices } from '@fastify-seldon/grpc'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { WORKER_INITIAL_OLD_SPACE_MB, workerExecArgv } from '../src/primary.js'
import { freePorts, poll, predict, request, startCli, waitForHttp, type Response } from './helpers.js'

const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')

t.test('workers get the initial old-space size, unless the node flags set one', async t => {
  t.same(workerExecArgv(['--enable-source-maps']), ['--enable-source-maps', `--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`])
  t.same(workerExecArgv(['--initial-old-space-size=32']), ['--initial-old-space-size=32'])
  t.same(workerExecArgv(['--initial_old_space_size=300', '--inspect']), ['--initial_old_space_size=300', '--inspect'])
  t.same(workerExecArgv(['--initial-old-space-size-x=1']), ['--initial-old-space-size-x=1', `--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`])
})

/** One gRPC Predict on a new connection (a new client), bounded; the answering worker's pid. */
async function grpcPid (port: number): Promise<number> {
  const client = new Model(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  try {
    return await new Promise((resolve, reject) => {
      ;(client as any).Predict({ data: { ndarray: [[1]] } }, { deadline: new Date(Date.now() + 10_000) }, (err: Error | null, reply: any) => {
        if (err !== null) reject(err); else resolve(Number(reply.meta.tags.pid))
      })
    })
  } finally {
    client.close()
  }
}

function tagsOf (res: Response): Record<string, unknown> {
  return (JSON.parse(res.body) as { meta: { tags: Record<string, unknown> } }).meta.tags
}

t.test('SIGTERM with 50 slow REST requests and 5 gRPC calls in flight: every one answered, exit 0', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, [
    'EchoModel', '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics),
    '--grace-period', '10',
    '--parameters', JSON.stringify([{ name: 'delayMs', value: '300', type: 'INT' }, { name: 'announce', value: 'true', type: 'BOOL' }])
  ])
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli)

  const inFlight = Array.from({ length: 50 }, async (_, i) => await predict(http, { data: { ndarray: [[i]] } }))
  const grpcInFlight = Array.from({ length: 5 }, async () => await grpcPid(grpcPort))
  // Every request has reached predict() (each announces itself) before the signal.
  await cli.waitForOutput(/PREDICT_START/, 55, 10_000)
  const signalled = Date.now()
  cli.child.kill('SIGTERM')

  const answers = await Promise.allSettled(inFlight)
  const failed = answers.filter(a => a.status === 'rejected' || a.value.status !== 200)
  t.equal(failed.length, 0, `no request lost (${JSON.stringify(failed.slice(0, 3))})`)
  answers.forEach((a, i) => {
    if (a.status === 'fulfilled') t.same(JSON.parse(a.value.body).data.ndarray, [[i]], `request ${i} got its own answer`)
  })
  const grpcAnswers = await Promise.allSettled(grpcInFlight)
  t.same(grpcAnswers.map(a => a.status), Array(5).fill('fulfilled'), `the 5 gRPC calls in flight answered too (${JSON.stringify(grpcAnswers.filter(a => a.status === 'rejected'))})`)
  const exit = await cli.exited(12_000)
  t.same(exit, { code: 0, signal: null }, 'exit 0')
  t.ok(Date.now() - signalled < 10_000, 'within the grace period')
  t.match(cli.stdout(), /SIGTERM: draining the workers \(grace period 10 s\)/)
  t.match(cli.stdout(), /"msg":"drained"/)
})

t.test('past the grace period: forced, non-zero exit', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, [
    'EchoModel', '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics),
    '--grace-period', '0.5',
    '--parameters', JSON.stringify([{ name: 'delayMs', value: '5000', type: 'INT' }, { name: 'announce', value: 'true', type: 'BOOL' }])
  ])
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli)
  const slow = predict(http, { data: { ndarray: [[1]] } }).catch((err: Error) => err)
  await cli.waitForOutput(/PREDICT_START/, 1, 10_000)
  const signalled = Date.now()
  cli.child.kill('SIGTERM')
  const exit = await cli.exited(10_000)
  t.equal(exit.code, 1, 'non-zero exit')
  t.ok(Date.now() - signalled < 4000, `stopped soon after the grace period (${Date.now() - signalled} ms)`)
  t.type(await slow, Error, 'the request still in flight was cut')
})

t.test('--workers 2: both serve, one scrape sums them, a killed worker is restarted', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, ['EchoModel', '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics)], {
    env: { GUNICORN_WORKERS: '2' }
  })
  await cli.waitForOutput(/"msg":"serving EchoModel as MODEL: .*; 2 workers"/, 1, 20_000)

  const pids = new Set<number>()
  const workers = new Set<unknown>()
  let sent = 0
  await poll(async () => {
    const res = await predict(http, { data: { ndarray: [[sent++]] } })
    t.equal(res.status, 200)
    pids.add(tagsOf(res).pid as number)
    workers.add(tagsOf(res).worker)
    return pids.size === 2 && sent >= 20
  }, 20_000, () => `only saw pids ${[...pids].join(', ')} after ${sent} requests`, 0)
  t.same([...workers].sort(), ['0', '1'], 'both worker indexes served (fresh connections, round robin)')
  // every worker runs with the initial old-space size (the primary's own flags kept)
  for (const pid of pids) {
    const flags = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    t.ok(flags.includes(`--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`), `worker ${pid} started with ${flags.join(' ')}`)
  }

  // gRPC: the workers share the gRPC port too (grpc-js listens through the cluster primary).
  const grpcPids = new Set<number>()
  let calls = 0
  await poll(async () => {
    grpcPids.add(await grpcPid(grpcPort))
    return ++calls >= 4 && grpcPids.size === 2
  }, 20_000, () => `gRPC: only saw pids ${[...grpcPids].join(', ')} after ${calls} connections`, 0)
  t.same([...grpcPids].sort(), [...pids].sort(), 'both workers answer gRPC on the one port')

  const scrape = await request(`http://127.0.0.1:${metrics}/metrics`)
  t.match(scrape.body, new RegExp(`http_request_duration_seconds_count\\{method="POST",route="/api/v1\\.0/predictions",status_code="200"\\} ${sent}\\n`),
    `one scrape shows both workers' total (${sent})`)
  t.match(scrape.body, new RegExp(`seldon_grpc_server_handled_total\\{[^}]*grpc_method="Predict"[^}]*\\} ${calls}\\n`), `and the gRPC calls of both (${calls})`)

  const [victim, survivor] = [...pids] as [number, number]
  process.kill(victim, 'SIGKILL')
  await cli.waitForOutput(new RegExp(`worker \\d \\(pid ${victim}\\) exited with signal SIGKILL; restarting it in \\d+ ms`), 1, 10_000)
  const after = new Set<number>()
  let failures = 0
  let count = 0
  await poll(async () => {
    const res = await predict(http, { data: { ndarray: [[count++]] } }).catch(() => undefined)
    if (res?.status !== 200) failures++
    else after.add(tagsOf(res).pid as number)
    return after.size === 2 && count >= 10
  }, 20_000, () => `after the kill only saw pids ${[...after].join(', ')}`, 0)
  t.equal(failures, 0, 'requests kept succeeding while the worker was down')
  t.ok(after.has(survivor), 'the survivor kept serving')
  t.notOk(after.has(victim), 'the killed worker is gone')
  t.equal(after.size, 2, 'a new worker took its place')

  cli.child.kill('SIGTERM')
  t.same(await cli.exited(), { code: 0, signal: null })
})
