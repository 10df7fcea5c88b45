/**
 * examples/deploy: the SeldonDeployment manifest says what we mean, and the container's entrypoint,
 * run with the environment the Seldon operator sets, serves the iris model.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { freePorts, predict, repoRoot, request, startCli, waitForHttp } from './helpers.js'

const deployDir = path.join(repoRoot, 'examples', 'deploy')

t.test('seldondeployment.yaml: a v1 SeldonDeployment serving the iris image as a REST MODEL', async t => {
  const doc = parse(readFileSync(path.join(deployDir, 'seldondeployment.yaml'), 'utf8')) as Record<string, any>
  t.equal(doc.apiVersion, 'machinelearning.seldon.io/v1')
  t.equal(doc.kind, 'SeldonDeployment')
  t.equal(doc.metadata.name, 'iris')
  t.equal(doc.spec.predictors.length, 1)
  const predictor = doc.spec.predictors[0]
  const { graph } = predictor
  t.equal(graph.type, 'MODEL')
  t.same(graph.endpoint, { type: 'REST' })
  t.same(graph.children, [])
  const container = predictor.componentSpecs[0].spec.containers[0]
  t.equal(container.name, graph.name, 'the graph node names its container')
  t.match(container.image, /^fastify-seldon\/iris:/)
  const env = Object.fromEntries((container.env as Array<{ name: string, value: string }>).map(e => [e.name, e.value]))
  t.match(env, { MODEL_NAME: 'model', SERVICE_TYPE: 'MODEL' })
  for (const e of container.env) t.type(e.value, 'string', `${e.name}: env values are strings`)
  t.ok(predictor.componentSpecs[0].spec.terminationGracePeriodSeconds > Number(env.SELDON_GRACE_PERIOD_SECONDS),
    'the pod grace period outlasts the server\'s drain')
  for (const p of graph.parameters) {
    t.ok(['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL'].includes(p.type), `${p.name}: a type the CRD accepts`)
    t.type(p.value, 'string')
  }
})

t.test('Dockerfile: node:20-slim, frozen install and build, the entrypoint', async t => {
  const dockerfile = readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8')
  t.match(dockerfile, /^FROM node:20-slim$/m)
  t.match(dockerfile, /pnpm install --frozen-lockfile --filter '@fastify-seldon\/example-iris\.\.\.' && \\\n\s+pnpm --filter '@fastify-seldon\/example-iris\.\.\.' run build/, 'the iris example and its dependencies only')
  t.match(dockerfile, /ENTRYPOINT \["\/app\/examples\/deploy\/entrypoint\.sh"\]/)
  t.match(dockerfile, /ENV MODEL_NAME=model/)
})

t.test('entrypoint.sh with the operator\'s environment serves the iris model', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, [], {
    command: [path.join(deployDir, 'entrypoint.sh')],
    cwd: path.join(repoRoot, 'examples', 'iris', 'src'),
    env: {
      PATH: `${path.join(repoRoot, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      MODEL_NAME: 'model',
      SERVICE_TYPE: 'MODEL',
      PREDICTIVE_UNIT_HTTP_SERVICE_PORT: String(http),
      PREDICTIVE_UNIT_GRPC_SERVICE_PORT: String(grpcPort),
      PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(metrics),
      PREDICTIVE_UNIT_METRICS_ENDPOINT: '/prometheus',
      PREDICTIVE_UNIT_SERVICE_PORT: String(http),
      PREDICTIVE_UNIT_ID: 'classifier',
      PREDICTIVE_UNIT_IMAGE: 'fastify-seldon/iris:0.1.0',
      PREDICTOR_ID: 'default',
      PREDICTOR_LABELS: '{"version":"v1"}',
      SELDON_DEPLOYMENT_ID: 'iris',
      SELDON_EXECUTOR_ENABLED: 'true',
      PREDICTIVE_UNIT_PARAMETERS: '[{"name":"nEstimators","type":"INT","value":"25"},{"name":"seed","type":"INT","value":"42"}]',
      PERSISTENCE: '0'
    }
  })
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli, 30_000)
  const res = await predict(http, { data: { ndarray: [[5.1, 3.5, 1.4, 0.2]] } })
  t.equal(res.status, 200, res.body)
  const body = JSON.parse(res.body)
  t.same(body.data.names, ['setosa', 'versicolor', 'virginica'])
  const [probabilities] = body.data.ndarray as number[][]
  t.equal(probabilities?.indexOf(Math.max(...(probabilities ?? []))), 0, 'setosa')
  t.same(body.meta.requestPath, { classifier: 'fastify-seldon/iris:0.1.0' })
  t.equal((await request(`http://127.0.0.1:${metrics}/prometheus`)).status, 200)
  t.match(cli.stdout(), /--persistence is accepted for compatibility/, 'PERSISTENCE is passed on and ignored')

  cli.child.kill('SIGTERM')
  t.same(await cli.exited(), { code: 0, signal: null }, 'the kubelet\'s SIGTERM: clean exit')
})

t.test('entrypoint.sh without MODEL_NAME: a clear error', async t => {
  const cli = startCli(t, [], { command: [path.join(deployDir, 'entrypoint.sh')] })
  t.same(await cli.exited(), { code: 1, signal: null })
  t.match(cli.stderr(), /entrypoint: MODEL_NAME must name the component module/)
})
