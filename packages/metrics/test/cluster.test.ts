import t from 'tap'
import cluster, { type Worker } from 'node:cluster'
import { fileURLToPath } from 'node:url'
import { request } from 'node:http'
import promClient from 'prom-client'
import { createClusterAggregator, registerWorkerRegistry, createSeldonMetrics, startMetricsServer } from '../src/index.js'
import { find, parseSamples, value, withTimeout } from './fixtures/helper.js'

const WAIT = 20_000 // each wait is bounded; worker start-up includes the TypeScript loader

cluster.setupPrimary({
  exec: fileURLToPath(new URL('./fixtures/cluster-worker.ts', import.meta.url)),
  silent: false
})

const workers = new Map<number, Worker>()
let nextId = 0

async function fork (index: number): Promise<Worker> {
  const worker = cluster.fork({ SELDON_WORKER_INDEX: String(index) })
  workers.set(index, worker)
  await withTimeout(new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { cmd?: string }) => { if (m.cmd === 'ready') resolve() })
    worker.once('exit', code => { reject(new Error(`worker ${index} exited early (${String(code)})`)) })
  }), WAIT, `worker ${index} ready`)
  return worker
}

async function send (worker: Worker, message: Record<string, unknown>): Promise<void> {
  const id = nextId++
  await withTimeout(new Promise<void>(resolve => {
    const onMessage = (m: { cmd?: string, id?: number }): void => {
      if (m.cmd === 'done' && m.id === id) { worker.off('message', onMessage); resolve() }
    }
    worker.on('message', onMessage)
    worker.send({ ...message, id })
  }), WAIT, `worker answer to ${String(message.cmd)}`)
}

async function httpGet (port: number, path: string): Promise<{ status: number, body: string }> {
  return await withTimeout(new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    req.on('error', reject)
    req.end()
  }), WAIT, `GET ${path}`)
}

/** Series (sample lines) excluding the error counter. */
function seriesCount (text: string): number {
  return parseSamples(text).length
}

t.teardown(async () => {
  for (const worker of workers.values()) {
    if (!worker.isDead()) {
      const exited = new Promise<void>(resolve => { worker.once('exit', () => { resolve() }) })
      worker.kill('SIGKILL')
      await withTimeout(exited, 5000, 'worker exit').catch(() => {})
    }
  }
})

t.test('the primary sums all workers; a restarted worker does not add series', async t => {
  const aggregator = createClusterAggregator()
  t.equal(await aggregator.metrics(), '', 'no workers yet: empty')
  const [w0, w1] = await Promise.all([fork(0), fork(1)])
  if (w0 === undefined || w1 === undefined) throw new Error('fork failed')

  await send(w0, { cmd: 'record', method: 'predict', metrics: [{ key: 'calls', value: 2 }, { key: 'level', type: 'GAUGE', value: 3 }, { key: 'lat', type: 'TIMER', value: 5 }] })
  await send(w1, { cmd: 'record', method: 'predict', metrics: [{ key: 'calls', value: 3 }, { key: 'level', type: 'GAUGE', value: 7 }, { key: 'lat', type: 'TIMER', value: 50 }] })
  await send(w0, { cmd: 'feedback', reward: 1 })
  await send(w1, { cmd: 'feedback', reward: 0.5 })

  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', aggregator })
  t.teardown(server.close)
  const res = await httpGet(server.port, '/metrics')
  t.equal(res.status, 200)
  const s = parseSamples(res.body)
  t.equal(value(s, 'calls_total', { method: 'predict', deployment_name: 'cluster-test' }), 5, 'counter: 2 + 3')
  t.equal(value(s, 'level', { method: 'predict' }), 7, 'gauge: max(3, 7)')
  t.equal(value(s, 'lat_count'), 2, 'histogram counts summed')
  t.equal(value(s, 'lat_sum'), 0.055)
  t.equal(value(s, 'lat_bucket', { le: '0.005382184388525997' }), 1, 'buckets summed')
  t.equal(value(s, 'lat_bucket', { le: '+Inf' }), 2)
  t.equal(value(s, 'seldon_api_model_feedback_total', { method: 'feedback' }), 2)
  t.equal(value(s, 'seldon_api_model_feedback_reward_total', { method: 'feedback' }), 1.5)
  t.equal(value(s, 'seldon_grpc_server_handled_total', { grpc_code: 'OK' }), 2)
  t.equal(find(s, 'calls_total').length, 1, 'one series, not one per worker')
  t.ok(s.every(x => x.labels.worker_id === undefined && x.labels.pid === undefined), 'no worker/pid label')
  t.ok(find(s, 'lat_bucket').every(b => b.labelOrder.join() === [...b.labelOrder].sort().join()), 'label order survives aggregation')
  const before = seriesCount(res.body)

  // kill worker 1, restart it with the same index, record again
  const exited = new Promise<void>(resolve => { w1.once('exit', () => { resolve() }) })
  w1.kill('SIGKILL')
  await withTimeout(exited, WAIT, 'worker 1 exit')
  const w1b = await fork(1)
  await send(w1b, { cmd: 'record', method: 'predict', metrics: [{ key: 'calls', value: 10 }, { key: 'level', type: 'GAUGE', value: 1 }, { key: 'lat', type: 'TIMER', value: 5 }] })
  await send(w1b, { cmd: 'feedback', reward: 2 })
  const after = (await httpGet(server.port, '/metrics')).body
  const s2 = parseSamples(after)
  t.equal(seriesCount(after), before, 'same number of series after the restart')
  t.equal(value(s2, 'calls_total'), 12, 'worker 0 (2) + restarted worker 1 (10): the old worker\'s counts are gone, as in the wrapper')
  t.equal(value(s2, 'level'), 3, 'max(3, 1)')
  t.equal(value(s2, 'lat_count'), 2)
})

t.test('registerWorkerRegistry is harmless outside a worker and can be undone', async t => {
  const m = createSeldonMetrics()
  const unregister = registerWorkerRegistry(m.registry)
  t.type(unregister, 'function')
  t.doesNotThrow(unregister)
  t.equal(promClient.register.getMetricsAsArray().length, 0, 'the global registry stays untouched')
})
