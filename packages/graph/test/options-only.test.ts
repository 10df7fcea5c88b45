/**
 * The graph takes options only: seldonGraph and GraphEngine never read the process's environment
 * (a host app's environment is the host's; the seldon-microservice CLI maps the executor's
 * variables onto these options). The variables are set here to values that would change the
 * answers, and must not.
 */
import { readFileSync, readdirSync } from 'node:fs'
import Fastify from 'fastify'
import t from 'tap'
import { parseJson, type SeldonMessage } from '@fastify-seldon/protocol'
import { GraphEngine, seldonGraph, type PredictiveUnit } from '../src/index.js'
import { Probe, Scale, feedback, graphApp, predict } from './fixtures.js'

const VARIABLES: Record<string, string> = {
  CORS_ALLOWED_ORIGINS: 'https://from-env.example',
  CORS_ALLOWED_HEADERS: 'X-From-Env',
  INCLUDE_METRICS_IN_CLIENT_RESPONSE: 'false',
  SELDON_EXECUTOR_ENABLED: 'false'
}
const saved = new Map(Object.keys(VARIABLES).map(name => [name, process.env[name]]))
Object.assign(process.env, VARIABLES)
t.teardown(() => {
  for (const [name, value] of saved) {
    if (value === undefined) Reflect.deleteProperty(process.env, name)
    else process.env[name] = value
  }
})

const model: PredictiveUnit = { name: 'm', type: 'MODEL' }
const DEFAULT_CORS_HEADERS = 'Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token'

t.test('CORS: the defaults without the options, whatever CORS_ALLOWED_* say; the options when given', async t => {
  const plain = await graphApp(t, { graph: model, components: { m: new Probe('m') }, cors: true })
  const preflight = await plain.inject({ method: 'OPTIONS', url: '/g/api/v1.0/predictions' })
  t.equal(preflight.headers['access-control-allow-origin'], '*', 'not CORS_ALLOWED_ORIGINS')
  t.equal(preflight.headers['access-control-allow-headers'], DEFAULT_CORS_HEADERS, 'not CORS_ALLOWED_HEADERS')
  t.equal((await predict(plain, '{"strData":"x"}')).headers['access-control-allow-origin'], '*')

  const configured = await graphApp(t, {
    graph: model, components: { m: new Probe('m') }, cors: true, corsAllowedOrigins: 'https://ui.example', corsAllowedHeaders: 'Content-Type, X-Custom'
  })
  const answer = await predict(configured, '{"strData":"x"}')
  t.equal(answer.headers['access-control-allow-origin'], 'https://ui.example')
  t.equal(answer.headers['access-control-allow-headers'], 'Content-Type, X-Custom')
})

function shownMetrics (body: string): string[] {
  return ((parseJson(body) as SeldonMessage).meta?.metrics ?? []).map(m => m.key)
}

t.test('metrics in answers: default true whatever INCLUDE_METRICS_IN_CLIENT_RESPONSE says; the option; the container env over it', async t => {
  const request = '{"data":{"ndarray":[1]}}'
  const byDefault = await graphApp(t, { graph: model, components: { m: new Scale(2, 'm') } })
  t.same(shownMetrics((await predict(byDefault, request)).body), ['m_factor'])

  const off = await graphApp(t, { graph: model, components: { m: new Scale(2, 'm') }, includeMetricsInResponse: false })
  t.same(shownMetrics((await predict(off, request)).body), [], 'includeMetricsInResponse: false hides them')

  const predictor = {
    name: 'p',
    graph: model,
    componentSpecs: [{ spec: { containers: [{ name: 'm', env: [{ name: 'INCLUDE_METRICS_IN_CLIENT_RESPONSE', value: 'true' }] }] } }]
  }
  const container = await graphApp(t, { graph: predictor, components: { m: new Scale(2, 'm') }, includeMetricsInResponse: false })
  t.same(shownMetrics((await predict(container, request)).body), ['m_factor'], "the node's container env wins over the option")
})

t.test('feedback rewards counted: default true whatever SELDON_EXECUTOR_ENABLED says; executorEnabled: false stops them', async t => {
  const rewardsWith = async (options: { executorEnabled?: boolean }): Promise<number[]> => {
    const engine = new GraphEngine(model, { components: { m: new Probe('m') }, ...options })
    t.teardown(async () => { await engine.close() })
    const rewards: number[] = []
    engine.runtimeOf('m')?.setMetricsRecorder({ record: () => {}, feedback: reward => { rewards.push(reward) } })
    const app = await graphApp(t, { engine })
    const res = await feedback(app, '{"request":{"strData":"x"},"response":{"strData":"y","meta":{"routing":{"m":-1}}},"reward":2}')
    t.equal(res.statusCode, 200)
    return rewards
  }
  t.same(await rewardsWith({}), [2])
  t.same(await rewardsWith({ executorEnabled: false }), [])
})

t.test('an env option is refused, not silently ignored; the new options are type-checked', async t => {
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m') }, env: {} } as never), /option env is not read/)
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m') }, includeMetricsInResponse: 'no' } as never), /option includeMetricsInResponse must be a boolean/)
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m') }, executorEnabled: 1 } as never), /option executorEnabled must be a boolean/)
  const attempts: Array<[Record<string, unknown>, RegExp]> = [
    [{ env: { CORS_ALLOWED_ORIGINS: '*' } }, /option env is not read/],
    [{ cors: true, corsAllowedOrigins: '' }, /option corsAllowedOrigins must be a non-empty string/],
    [{ cors: true, corsAllowedHeaders: ['Content-Type'] }, /option corsAllowedHeaders must be a non-empty string/]
  ]
  for (const [options, error] of attempts) {
    const app = Fastify({ logger: false })
    await t.rejects(async () => { await app.register(seldonGraph, { graph: model, components: { m: new Probe('m') }, ...options } as never) }, error)
    await app.close()
  }
})

t.test('no source file of the package reads process.env', async t => {
  const dir = new URL('../src/', import.meta.url)
  const files = readdirSync(dir).filter(f => f.endsWith('.ts'))
  t.ok(files.length > 10, `${files.length} files`)
  for (const file of files) t.notMatch(readFileSync(new URL(file, dir), 'utf8'), /process\s*\.\s*env|process\s*\[/, file)
})
