/**
 * The example graph served by seldon-microservice, as the README runs it: first every node in one
 * process, then the same graph file with iris-b served by a separate seldon-microservice. In both,
 * a feedback round trip moves the router's choice: rewards for iris-b make it the best branch.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { postJson as post, serveCli, type Served, type TeardownHost } from '@fastify-seldon/microservice/testing'

// several CLI processes per test: generous on a loaded machine
t.setTimeout(300_000)

const dir = fileURLToPath(new URL('..', import.meta.url))
const SRC = 'src/components.ts'
const COMPONENTS = ['out=Labeler', 'in=Centimetres', 'router=EpsilonGreedy', 'iris-a=IrisModel'].flatMap(c => ['--component', `${c.split('=')[0] as string}=${SRC}:${c.split('=')[1] as string}`])
/** A setosa in millimetres. */
const SETOSA = { data: { ndarray: [[51, 35, 14, 2]] } }
const CALM = ['--max-event-loop-delay', '0']

interface Answer { data: { names: string[], ndarray: number[][] }, meta: { routing: Record<string, number>, tags: Record<string, unknown>, requestPath: Record<string, string> } }

async function predict (served: Served): Promise<Answer> {
  const res = await post(`${served.url}/api/v1.0/predictions`, SETOSA)
  if (res.status !== 200) throw new Error(`prediction failed: ${res.status} ${res.body}`)
  return JSON.parse(res.body) as Answer
}

/** Predict until the router picks `branch`; that answer. */
async function answerFrom (served: Served, branch: number): Promise<Answer> {
  for (let i = 0; i < 50; i++) {
    const answer = await predict(served)
    if (answer.meta.routing.router === branch) return answer
  }
  throw new Error(`the router never chose branch ${branch} in 50 requests`)
}

/** The round trip: reward iris-b's answers, punish iris-a's; then iris-b is the router's choice. */
async function feedbackMovesTheRouter (t: Test, served: Served): Promise<void> {
  const first = await answerFrom(served, 0)
  t.same(first.data.names, ['setosa', 'versicolor', 'virginica'])
  t.equal(first.meta.tags.label, 'setosa', 'the output transformer labels the answer')
  t.equal(first.meta.tags.model, 'iris-all')
  t.same(Object.keys(first.meta.routing).sort(), ['in', 'iris-a', 'out', 'router'], 'meta.routing: the route every node took')

  const fromB = await answerFrom(served, 1)
  t.equal(fromB.meta.tags.model, 'iris-petals', 'exploring: iris-b answered')
  for (const [answer, reward] of [[fromB, 1], [first, 0]] as const) {
    const res = await post(`${served.url}/api/v1.0/feedback`, { request: SETOSA, response: answer, reward })
    t.equal(res.status, 200, `feedback ${reward} for branch ${answer.meta.routing.router as number}`)
  }
  let toB = 0
  let last: Answer | undefined // the last answer
  for (let i = 0; i < 20; i++) {
    last = await predict(served)
    if (last.meta.routing.router === 1) toB++
  }
  t.ok(toB >= 10, `after the feedback the router prefers iris-b: ${toB} of 20`)
  t.equal(last?.meta.tags.model, toB === 20 || last?.meta.routing.router === 1 ? 'iris-petals' : 'iris-all', "each answer is the chosen model's")
}

const serve = async (t: TeardownHost, args: string[], env: Record<string, string> = {}): Promise<Served> => await serveCli(t, [...args, ...CALM], { cwd: dir, env })

t.test('all in one process: seldon-microservice --graph graph.yaml --component ... (every node)', async t => {
  const served = await serve(t, ['--graph', 'graph.yaml', ...COMPONENTS, '--component', `iris-b=${SRC}:IrisModel`])
  await feedbackMovesTheRouter(t, served)
})

t.test('the same graph file, iris-b served by its own seldon-microservice', async t => {
  const model = await serve(t, [SRC, '--export', 'IrisModel', '--parameters', '[{"name":"features","value":"petals","type":"STRING"}]'], { PREDICTIVE_UNIT_ID: 'iris-b' })
  // graph.yaml names port 9001; a test takes a free port, so it serves a copy naming that one
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'example-graph-'))
  t.teardown(() => { rmSync(tmp, { recursive: true, force: true }) })
  const port = new URL(model.url).port
  const file = path.join(tmp, 'graph.yaml')
  writeFileSync(file, readFileSync(path.join(dir, 'graph.yaml'), 'utf8').replace('httpPort: 9001', `httpPort: ${port}`))
  const served = await serve(t, ['--graph', file, ...COMPONENTS])
  await feedbackMovesTheRouter(t, served)
  const scrape = await (await fetch(served.metricsUrl, { signal: AbortSignal.timeout(10_000) })).text()
  t.match(scrape, /seldon_api_executor_client_requests_seconds_count\{[^}]*service="\/predict",model_name="iris-b",[^}]*method="post",code="200"\} [1-9]/, 'iris-b called over REST, per-node metrics')
  t.match(scrape, /seldon_api_executor_client_requests_seconds_count\{[^}]*service="\/route",model_name="router",[^}]*method="in-process",code="200"\} [1-9]/)
})
