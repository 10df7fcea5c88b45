/**
 * The CLI as a real child process: flags and environment honoured, REST, gRPC and the metrics
 * port answering, a TypeScript component, and the start-up failures that must exit non-zero.
 */
import * as grpc from '@grpc/grpc-js'
import { seldonServices } from '@fastify-seldon/grpc'
import t from 'tap'
import { freePorts, predict, refused, request, startCli, waitForHttp } from './helpers.js'

t.test('--help, --version and unknown args', async t => {
  const help = startCli(t, ['--help'])
  const version = startCli(t, ['--version'])
  const unknown = startCli(t, ['EchoModel', 'REST', '--bogus'])
  const badPort = startCli(t, ['EchoModel'], { env: { PREDICTIVE_UNIT_HTTP_SERVICE_PORT: 'http' } })

  t.same(await help.exited(), { code: 0, signal: null })
  t.match(help.stdout(), /^Usage: seldon-microservice <module> \[options\]/)
  t.match(help.stdout(), /--grpc-port <value>\s+gRPC port \(default 5000\) \[PREDICTIVE_UNIT_GRPC_SERVICE_PORT\]/)

  t.same(await version.exited(), { code: 0, signal: null })
  t.match(version.stdout(), /^\d+\.\d+\.\d+\n$/)

  t.same(await unknown.exited(), { code: 255, signal: null }, 'exit -1 (255), as the wrapper')
  t.match(unknown.stderr(), 'seldon-microservice: Unknown args ["--bogus","REST"]')

  t.same(await badPort.exited(), { code: 2, signal: null })
  t.match(badPort.stderr(), 'PREDICTIVE_UNIT_HTTP_SERVICE_PORT must be an integer from 0 to 65535, got "http"')
})

t.test('start-up failures exit non-zero with a clear message, never loop', async t => {
  const free = await freePorts(12)
  const ports = (): string[] => ['--http-port', String(free.pop()), '--grpc-port', String(free.pop()), '--metrics-port', String(free.pop())]
  const cases: Array<{ args: string[], env?: NodeJS.ProcessEnv, message: string | RegExp }> = [
    {
      args: ['EchoModel', '--parameters', '[{"name":"threshold","value":"1.5","type":"INT"}]'],
      message: "seldon-microservice: Bad model parameter: threshold with value 1.5 can't be parsed as a INT\n"
    },
    {
      args: ['EchoModel'],
      env: { PREDICTIVE_UNIT_PARAMETERS: '[{"name":"x","value":"1","type":"LONG"}]' },
      message: 'seldon-microservice: Bad model parameter type: LONG valid are INT, FLOAT, DOUBLE, STRING, BOOL, JSON\n'
    },
    {
      args: ['EchoModel', '--service-type', 'ROUTER', ...ports()],
      message: 'seldon-microservice: service type ROUTER needs a route() method on EchoModel (or one of routeRaw, route_raw)\n'
    },
    { args: ['FailingLoad', '--workers', '2', ...ports()], message: /seldon-microservice: component load\(\) failed: Error: weights not found: \/models\/missing\.bin/ },
    { args: ['FailingConstructor', ...ports()], message: /seldon-microservice: the constructor of FailingConstructor failed: Error: bad configuration/ },
    { args: ['NoSuchModel', ...ports()], message: /seldon-microservice: cannot find the component module "NoSuchModel"/ }
  ]
  // All at once (each has its own ports): only the wall time of the slowest.
  await Promise.all(cases.map(async c => {
    const cli = startCli(t, c.args, { env: c.env })
    const exit = await cli.exited(30_000)
    t.equal(exit.code, 1, `${c.args[0]}: exit code 1`)
    t.match(cli.stderr(), c.message, `${c.args.join(' ')}: the message`)
    t.equal(cli.stderr().match(/seldon-microservice: /g)?.length, 1, `${c.args[0]}: reported once, no restart loop`)
  }))
})

t.test('the environment contract: ports, ids, parameters, metrics endpoint; REST, gRPC and metrics answer', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, ['EchoModel'], {
    env: {
      PREDICTIVE_UNIT_HTTP_SERVICE_PORT: String(http),
      PREDICTIVE_UNIT_GRPC_SERVICE_PORT: String(grpcPort),
      PREDICTIVE_UNIT_METRICS_SERVICE_PORT: String(metrics),
      PREDICTIVE_UNIT_METRICS_ENDPOINT: '/prometheus',
      PREDICTIVE_UNIT_ID: 'echo-unit',
      PREDICTIVE_UNIT_IMAGE: 'registry:5000/echo:1.2',
      SELDON_DEPLOYMENT_ID: 'echo-deployment',
      PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([
        { name: 'label', value: 'hello', type: 'STRING' },
        { name: 'n', value: '007', type: 'INT' },
        { name: 'on', value: 'yes', type: 'BOOL' },
        { name: 'config', value: '{"layers":[1,2]}', type: 'JSON' }
      ])
    }
  })
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli)

  const res = await predict(http, { data: { ndarray: [[1, 2.5]] }, meta: { puid: 'abc' } })
  t.equal(res.status, 200, res.body)
  const body = JSON.parse(res.body) as { data: unknown, meta: { puid: string, requestPath: unknown, tags: Record<string, unknown> } }
  t.same(body.data, { names: ['t:0', 't:1'], ndarray: [[1, 2.5]] })
  t.equal(body.meta.puid, 'abc')
  t.same(body.meta.requestPath, { 'echo-unit': 'registry:5000/echo:1.2' }, 'PREDICTIVE_UNIT_ID / _IMAGE reach the runtime')
  t.same(body.meta.tags.params, { label: 'hello', n: 7, on: true, config: { layers: [1, 2] } }, 'parameters reach the constructor')
  t.equal(body.meta.tags.loaded, true, 'load() ran before serving')
  t.equal(body.meta.tags.worker, '0', 'SELDON_WORKER_INDEX is set')
  t.equal(res.headers['access-control-allow-origin'], '*', 'CORS on')

  const health = await request(`http://127.0.0.1:${http}/health/status`)
  t.equal(health.status, 200, health.body)

  // gRPC: the Model service on the gRPC port.
  const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')
  const client = new Model(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure())
  t.teardown(() => client.close())
  const reply = await new Promise<Record<string, any>>((resolve, reject) => {
    const deadline = new Date(Date.now() + 10_000)
    ;(client as any).Predict({ data: { tensor: { shape: [1, 2], values: [3, 4] } } }, { deadline }, (err: Error | null, value: Record<string, any>) => {
      if (err !== null) reject(err); else resolve(value)
    })
  })
  t.same([...reply.data.tensor.values], [3, 4], 'gRPC Predict answers')
  t.same([...reply.data.tensor.shape].map(Number), [1, 2])
  t.same(reply.data.names, ['t:0', 't:1'])

  // Metrics: the primary's port, at PREDICTIVE_UNIT_METRICS_ENDPOINT, summing the worker.
  const scrape = await request(`http://127.0.0.1:${metrics}/prometheus`)
  t.equal(scrape.status, 200)
  t.match(scrape.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.match(scrape.body, /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\.0\/predictions",status_code="200"\} 1\n/)
  t.match(scrape.body, /seldon_grpc_server_handled_total\{[^}]*grpc_method="Predict"[^}]*\} 1\n/)
  t.equal((await request(`http://127.0.0.1:${metrics}/metrics`)).status, 404, 'only the configured endpoint')

  cli.child.kill('SIGTERM')
  t.same(await cli.exited(), { code: 0, signal: null }, 'SIGTERM: clean exit')
})

t.test('flags, a TypeScript component by its bare name, gRPC off', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, [
    'TsModel', '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics),
    '--grpc-workers', '0', '--host', '127.0.0.1', '--log-level', 'ERROR',
    '--parameters', '[{"name":"scale","value":"3","type":"FLOAT"}]'
  ], { env: { PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '1' } })
  await waitForHttp(`http://127.0.0.1:${http}/health/ping`, cli)
  const res = await predict(http, { data: { ndarray: [[1, 2]] } })
  t.equal(res.status, 200, res.body)
  t.same(JSON.parse(res.body).data, { names: ['a', 'b'], ndarray: [[3, 6]] }, 'the .ts class ran, with its parameter')
  t.ok(await refused(grpcPort), '--grpc-workers 0: nothing on the gRPC port')
  t.equal((await request(`http://127.0.0.1:${metrics}/metrics`)).status, 200)
  t.equal(cli.stdout(), '', '--log-level ERROR: no info logs')
  cli.child.kill('SIGINT')
  t.same(await cli.exited(), { code: 0, signal: null }, 'SIGINT: clean exit')
})
