/** The model served by the real seldon-microservice CLI: REST, gRPC, parameters, a failing load. */
import t from 'tap'
import * as grpc from '@grpc/grpc-js'
import { seldonServices } from '@fastify-seldon/grpc'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'
import { accuracy, exampleDir, flowers, maxDifference, reference } from './helpers.js'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: exampleDir, env })

interface Tensor { shape: number[], values: number[] }
interface GrpcReply { data: { names: string[], tensor: Tensor } }

/** Model/Predict over gRPC; resolves with the reply or the ServiceError. */
function grpcPredict (t: TeardownHost, target: string, request: unknown): Promise<GrpcReply> {
  const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')
  const client = new Model(target, grpc.credentials.createInsecure())
  t.teardown(() => client.close())
  return new Promise((resolve, reject) => {
    const call = (client as unknown as Record<string, (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, value: GrpcReply) => void) => void>).Predict
    call?.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, value) => {
      if (err !== null) reject(err); else resolve(value)
    })
  })
}

t.test('served by seldon-microservice: REST and gRPC, one flower and 150', async t => {
  const server = await serve(t, ['src/model.ts'])
  const url = `${server.url}/api/v1.0/predictions`

  const one = await post(url, { data: { ndarray: [reference.features[0]] } })
  t.equal(one.status, 200, one.body)
  const answer = JSON.parse(one.body) as { data: { names: string[], ndarray: number[][] }, meta: unknown }
  t.same(answer.data.names, ['setosa', 'versicolor', 'virginica'])
  t.ok(maxDifference(answer.data.ndarray, reference.probabilities.slice(0, 1)) < 1e-5, 'scikit-learn\'s probabilities')
  t.same(answer.meta, {})

  const all = await post(url, { data: { ndarray: flowers } })
  t.equal(all.status, 200)
  const rows = (JSON.parse(all.body) as { data: { ndarray: number[][] } }).data.ndarray
  t.equal(rows.length, 150, 'one answer row per flower')
  t.ok(accuracy(rows) >= 0.95, `accuracy ${accuracy(rows)}`)

  const bad = await post(url, { data: { ndarray: [[5.1, 3.5, 1.4]] } })
  t.equal(bad.status, 400)
  t.equal(bad.body, '{"status":{"code":-1,"info":"the model\'s input \\"features\\" takes float32 of shape [N,4]; the request\'s data has shape [1,3]","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')

  const reply = await grpcPredict(t, server.grpcTarget, { data: { tensor: { shape: [10, 4], values: reference.features.flat() } } })
  t.same(reply.data.names, ['setosa', 'versicolor', 'virginica'])
  t.same([...reply.data.tensor.shape].map(Number), [10, 3])
  const values = [...reply.data.tensor.values]
  const grpcRows = Array.from({ length: 10 }, (_, i) => values.slice(i * 3, i * 3 + 3))
  t.ok(maxDifference(grpcRows, reference.probabilities) < 1e-5, 'gRPC: scikit-learn\'s probabilities')

  const err = await grpcPredict(t, server.grpcTarget, { data: { tensor: { shape: [2, 2], values: [1, 2, 3, 4] } } }).then(() => undefined, (e: grpc.ServiceError) => e)
  t.equal(err?.code, grpc.status.INVALID_ARGUMENT, 'gRPC: the client\'s mistake is INVALID_ARGUMENT')
  t.equal(err?.details, 'the model\'s input "features" takes float32 of shape [N,4]; the request\'s data has shape [2,2]')
  t.equal(err?.metadata.get('seldon-reason')[0], 'MICROSERVICE_BAD_DATA')
})

t.test('your own .onnx: modelPath and outputName as deployment parameters', async t => {
  const parameters = JSON.stringify([
    { name: 'modelPath', value: 'test/fixtures/doubles.onnx', type: 'STRING' },
    { name: 'classNames', value: '["low","high"]', type: 'JSON' }
  ])
  const viaFlag = await serve(t, ['src/model.ts', '--parameters', parameters])
  const scores = await post(`${viaFlag.url}/api/v1.0/predictions`, { data: { ndarray: [[0.1, 0.7]] } })
  t.equal(scores.body, '{"data":{"names":["low","high"],"ndarray":[[0.2,1.4]]},"meta":{}}\n', '--parameters: relative to the working directory, float64 kept')

  const viaEnv = await serve(t, ['src/model.ts'], {
    PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([
      { name: 'modelPath', value: 'test/fixtures/doubles.onnx', type: 'STRING' },
      { name: 'outputName', value: 'label', type: 'STRING' }
    ])
  })
  const labels = await post(`${viaEnv.url}/api/v1.0/predictions`, { data: { ndarray: [[0.1, 0.7], [3, -1]] } })
  t.equal(labels.body, '{"data":{"names":[],"ndarray":[1,0]},"meta":{}}\n', 'PREDICTIVE_UNIT_PARAMETERS: the int64 label output')
})

t.test('a model that cannot be loaded: the CLI exits and says why', async t => {
  const parameters = JSON.stringify([{ name: 'modelPath', value: 'test/fixtures/two-inputs.onnx', type: 'STRING' }])
  await t.rejects(serve(t, ['src/model.ts', '--parameters', parameters]),
    /exited \(1\) before serving[^]*this component serves models with one float32 or float64 tensor input; the model's inputs are a \(float32 \[N,2\]\), b \(float32 \[N,2\]\)/)
})
