import t from 'tap'
import { fileURLToPath } from 'node:url'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

const UNIT = 'bandit'
const REQUEST = { data: { ndarray: [[5.1, 3.5, 1.4, 0.2]] } }

t.test('served by seldon-microservice --service-type ROUTER, parameters from the environment', async t => {
  const server = await serve(t, ['src/EpsilonGreedy.ts', '--service-type', 'ROUTER'], {
    PREDICTIVE_UNIT_ID: UNIT,
    PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([
      { name: 'n_branches', value: '3', type: 'INT' },
      { name: 'epsilon', value: '0.1', type: 'FLOAT' },
      { name: 'seed', value: '42', type: 'INT' }
    ])
  })

  const first = await post(`${server.url}/route`, REQUEST)
  t.equal(first.status, 200)
  t.match(JSON.parse(first.body), { meta: { tags: { branch_counts: [0, 0, 0] } } }, 'three branches from PREDICTIVE_UNIT_PARAMETERS')

  for (let i = 0; i < 10; i++) {
    for (const [branch, reward] of [[0, 0], [1, 0.2], [2, 1]] as const) {
      const res = await post(`${server.url}/send-feedback`, { request: REQUEST, response: { meta: { routing: { [UNIT]: branch } } }, reward })
      t.equal(res.status, 200, `feedback for branch ${branch}`)
    }
  }
  const counts = [0, 0, 0]
  for (let i = 0; i < 100; i++) {
    const res = await post(`${server.url}/route`, REQUEST)
    const branch = (JSON.parse(res.body).data.ndarray as number[][])[0]?.[0] as number
    counts[branch] = (counts[branch] ?? 0) + 1
  }
  t.ok((counts[2] ?? 0) >= 80, `the best branch (2) gets most routes: ${JSON.stringify(counts)}`)

  // The gauges reach Prometheus on the metrics port, one series per branch.
  const scrape = await fetch(server.metricsUrl, { signal: AbortSignal.timeout(5000) })
  t.equal(scrape.status, 200)
  const text = await scrape.text()
  t.match(text, /\nbandit_branch_value\{branch="2",[^}]*method="router",[^}]*model_name="bandit",[^}]*\} 1\n/)
  // 0.2 arrives as float32 (0.20000000298023224): the Feedback proto's reward is a float, as in Seldon
  t.match(text, /\nbandit_branch_value\{branch="1",[^}]*method="router",[^}]*\} 0\.2000000029\d*\n/)
  t.match(text, /\nseldon_api_model_feedback_total\{[^}]*\} 20\n/, 'the wrapper counts the non-zero rewards')
})
