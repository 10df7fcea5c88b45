import t from 'tap'
import { fileURLToPath } from 'node:url'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

t.test('served by seldon-microservice: raw answers, the status override, raw metrics recorded', async t => {
  const server = await serve(t, ['src/SummaryModel.ts', '--service-type', 'MODEL'])

  const ok = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2], [3, 4]] } })
  t.equal(ok.status, 200)
  t.equal(ok.body, '{"jsonData":{"count":4,"max":4,"mean":2.5,"min":1},"meta":{"metrics":[{"key":"summary_values","type":"COUNTER","value":4}],"tags":{"summarised_by":"SummaryModel"}}}\n')

  const bad = await post(`${server.url}/api/v1.0/predictions`, { strData: 'no numbers here' })
  t.equal(bad.status, 400)
  t.equal(bad.body, '{"status":{"code":400,"info":"send numbers in data.ndarray, data.tensor or jsonData.values","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}\n')

  const feedback = await post(`${server.url}/send-feedback`, { request: { data: { ndarray: [[1]] } }, reward: 0.5 })
  t.equal(feedback.status, 200)
  t.same(JSON.parse(feedback.body).jsonData, { feedbacks: 1, had_truth: false, mean_reward: 0.5 })

  const health = await fetch(`${server.url}/health/status`, { signal: AbortSignal.timeout(5000) })
  t.equal(await health.text(), '{"jsonData":{"feedbacks":1,"ready":true,"summaries":1}}\n')

  // The runtime records the metrics found in a raw result's meta.metrics.
  const text = await (await fetch(server.metricsUrl, { signal: AbortSignal.timeout(5000) })).text()
  t.match(text, /\nsummary_values_total\{[^}]*method="predict"[^}]*\} 4\n/)
  t.match(text, /\nsummary_mean_reward\{[^}]*method="feedback"[^}]*\} 0\.5\n/)
})
