import t from 'tap'
import { fileURLToPath } from 'node:url'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

t.test('served by seldon-microservice: the custom metrics on the Prometheus port', async t => {
  const server = await serve(t, ['src/MonitoredModel.ts', '--service-type', 'MODEL'], {
    PREDICTIVE_UNIT_ID: 'monitored',
    PREDICTIVE_UNIT_IMAGE: 'example/monitored:0.1'
  })

  const res = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 4, 8]] } })
  t.equal(res.status, 200)
  const body = JSON.parse(res.body)
  t.same(body.data, { names: ['score'], ndarray: [[4]] })
  t.same(body.meta.tags, { batch_size: 1, model: 'monitored', version: 'v1' })
  t.same(body.meta.requestPath, { monitored: 'example/monitored:0.1' })
  t.match(body.meta.metrics, [{ key: 'monitored_calls' }, { key: 'monitored_last_batch_size' }, { key: 'monitored_predict_time', type: 'TIMER' }, { key: 'monitored_rows' }])

  const scrape = await fetch(server.metricsUrl, { signal: AbortSignal.timeout(5000) })
  t.equal(scrape.status, 200)
  t.match(scrape.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const text = await scrape.text()
  t.match(text, /\nmonitored_calls_total\{[^}]*method="predict",[^}]*model_image="example\/monitored",[^}]*model_name="monitored",[^}]*model_version="0\.1"[^}]*\} 1\n/)
  t.match(text, /\nmonitored_last_batch_size\{[^}]*method="predict"[^}]*\} 1\n/)
  t.match(text, /\nmonitored_predict_time_count\{[^}]*method="predict"[^}]*\} 1\n/)
  t.match(text, /\nmonitored_rows_total\{[^}]*method="predict"[^}]*\} 1\n/)
})
