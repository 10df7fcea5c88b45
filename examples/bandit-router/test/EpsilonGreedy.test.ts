import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import EpsilonGreedy, { type EpsilonGreedyParameters } from '../src/EpsilonGreedy.js'

const UNIT = 'bandit'
const REQUEST = { data: { ndarray: [[5.1, 3.5, 1.4, 0.2]] } }

/** The router served by the all-in-one plugin, as the CLI serves it (PREDICTIVE_UNIT_ID = bandit). */
async function app (t: Test, params: EpsilonGreedyParameters) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component: new EpsilonGreedy(params), unitId: UNIT })
  t.teardown(() => instance.close())
  return instance
}

type App = Awaited<ReturnType<typeof app>>

async function route (a: App): Promise<number> {
  const res = await a.inject({ method: 'POST', url: '/route', payload: REQUEST })
  if (res.statusCode !== 200) throw new Error(`route answered ${res.statusCode}: ${res.body}`)
  return (res.json().data.ndarray as number[][])[0]?.[0] as number
}

/** What the executor sends after a request this router sent to `branch`. */
function feedback (branch: number, reward: number) {
  return { request: REQUEST, response: { meta: { routing: { [UNIT]: branch } } }, reward }
}

t.test('feedback favouring branch 1 makes the router send most traffic there', async t => {
  const a = await app(t, { n_branches: 2, epsilon: 0.1, seed: 42 })

  // Before any feedback every branch is worth 0: branch 0 is the best (ties go low).
  const first = await a.inject({ method: 'POST', url: '/route', payload: REQUEST })
  t.equal(first.statusCode, 200)
  t.same(first.json().data, { names: ['t:0'], ndarray: [[0]] }, 'a route is the child index as [[n]]')

  for (let i = 0; i < 10; i++) {
    for (const [branch, reward] of [[1, 1], [0, 0]] as const) {
      const res = await a.inject({ method: 'POST', url: '/send-feedback', payload: feedback(branch, reward) })
      t.equal(res.statusCode, 200, `feedback ${i} for branch ${branch}`)
    }
  }

  const counts = [0, 0]
  for (let i = 0; i < 200; i++) {
    const b = await route(a)
    counts[b] = (counts[b] ?? 0) + 1
  }
  t.ok((counts[1] ?? 0) >= 170, `branch 1 gets about 90% of 200 routes (got ${counts[1]})`)
  t.ok((counts[0] ?? 0) > 0, `epsilon still explores branch 0 (got ${counts[0]})`)

  // The seed makes it reproducible: a second router with the same seed and feedback routes the same.
  const b = await app(t, { n_branches: 2, epsilon: 0.1, seed: 42 })
  await route(b)
  for (let i = 0; i < 10; i++) {
    await b.inject({ method: 'POST', url: '/send-feedback', payload: feedback(1, 1) })
    await b.inject({ method: 'POST', url: '/send-feedback', payload: feedback(0, 0) })
  }
  const again = [0, 0]
  for (let i = 0; i < 200; i++) { const n = await route(b); again[n] = (again[n] ?? 0) + 1 }
  t.same(again, counts, 'same seed, same feedback, same routes')
})

t.test('tags and a gauge per branch show what the router has learnt', async t => {
  const a = await app(t, { n_branches: 3, epsilon: 0, seed: 1 })
  await a.inject({ method: 'POST', url: '/send-feedback', payload: feedback(2, 1) })
  await a.inject({ method: 'POST', url: '/send-feedback', payload: feedback(2, 0) })
  await a.inject({ method: 'POST', url: '/send-feedback', payload: feedback(1, 0.25) })

  const res = await a.inject({ method: 'POST', url: '/route', payload: REQUEST })
  t.equal(res.statusCode, 200)
  t.equal(res.body,
    '{"data":{"names":["t:0"],"ndarray":[[2]]},"meta":{"metrics":[' +
    '{"key":"bandit_branch_value","tags":{"branch":"0","method":"router"},"type":"GAUGE","value":0.0},' +
    '{"key":"bandit_branch_value","tags":{"branch":"1","method":"router"},"type":"GAUGE","value":0.25},' +
    '{"key":"bandit_branch_value","tags":{"branch":"2","method":"router"},"type":"GAUGE","value":0.5}],' +
    '"requestPath":{"bandit":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"},' +
    '"tags":{"best_branch":2,"branch_counts":[0,1,2],"branch_values":[0.0,0.25,0.5]}}}\n',
    'epsilon 0 always exploits: branch 2 (mean 0.5) beats branch 1 (0.25)')

  // /send-feedback answers through the proto-JSON path (numbers as doubles), like the wrapper.
  const fb = await a.inject({ method: 'POST', url: '/send-feedback', payload: feedback(0, 1) })
  t.equal(fb.statusCode, 200)
  t.same(fb.json().data, { ndarray: [] })
  t.same(fb.json().meta.tags, { best_branch: 0, branch_counts: [1, 1, 2], branch_values: [1, 0.25, 0.5] }, 'branch 0 now leads with 1.0')
})

t.test('feedback the router cannot attribute is the client\'s 400', async t => {
  const a = await app(t, { seed: 3 })
  const none = await a.inject({ method: 'POST', url: '/send-feedback', payload: { request: REQUEST, reward: 1 } })
  t.equal(none.statusCode, 400)
  t.equal(none.body, '{"status":{"code":-1,"info":"feedback without a routing for this router: send the response with meta.routing[<PREDICTIVE_UNIT_ID>] = the branch it chose","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')

  const other = await a.inject({ method: 'POST', url: '/send-feedback', payload: { request: REQUEST, response: { meta: { routing: { 'some-other-unit': 1 } } }, reward: 1 } })
  t.equal(other.statusCode, 400, 'a routing for another unit is not ours')

  const outOfRange = await a.inject({ method: 'POST', url: '/send-feedback', payload: feedback(5, 1) })
  t.equal(outOfRange.statusCode, 400)
  t.match(outOfRange.json(), { status: { info: 'routing 5 is not a branch of this router (0 to 1)', reason: 'MICROSERVICE_BAD_DATA' } })
})

t.test('the class on its own: exploration, parameters', async t => {
  const always = new EpsilonGreedy({ n_branches: 4, epsilon: 1, seed: 7 })
  const seen = new Set<number>()
  for (let i = 0; i < 200; i++) seen.add(always.route())
  t.same([...seen].sort(), [1, 2, 3], 'epsilon 1 only explores, never the best branch (0)')

  const never = new EpsilonGreedy({ n_branches: 3, epsilon: 0 })
  never.sendFeedback(null, [], 1, null, 1)
  t.equal(never.bestBranch, 1)
  t.equal(never.route(), 1, 'epsilon 0 always exploits')

  const single = new EpsilonGreedy({ n_branches: 1, epsilon: 1 })
  t.equal(single.route(), 0, 'one branch: nothing to explore')

  const unseeded = new EpsilonGreedy()
  t.equal(unseeded.nBranches, 2)
  t.equal(unseeded.epsilon, 0.1)
  t.ok([0, 1].includes(unseeded.route()))

  t.throws(() => new EpsilonGreedy({ n_branches: 0 }), /n_branches must be an integer >= 1/)
  t.throws(() => new EpsilonGreedy({ n_branches: 1.5 }), /n_branches must be an integer >= 1/)
  t.throws(() => new EpsilonGreedy({ epsilon: 1.5 }), /epsilon must be a number from 0 to 1/)
  t.throws(() => new EpsilonGreedy({ epsilon: Number.NaN }), /epsilon must be a number from 0 to 1/)
  t.throws(() => new EpsilonGreedy({ seed: 0.5 }), /seed must be an integer/)
})
