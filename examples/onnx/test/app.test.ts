/** The model in a Fastify app of one's own (seldonComponent), over REST with app.inject. */
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import OnnxModel from '../src/model.js'
import { accuracy, fixture, flowers, maxDifference, reference } from './helpers.js'

async function app (t: Test, model = new OnnxModel()) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component: model })
  t.teardown(() => instance.close())
  return instance
}

const predict = async (a: Awaited<ReturnType<typeof app>>, payload: unknown) =>
  await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: payload as Record<string, unknown> })

t.test('ndarray, tensor and tftensor requests: the species probabilities with their names', async t => {
  const a = await app(t)
  const ndarray = await predict(a, { data: { ndarray: reference.features } })
  t.equal(ndarray.statusCode, 200, ndarray.body)
  const body = ndarray.json<{ data: { names: string[], ndarray: number[][] } }>()
  t.same(body.data.names, ['setosa', 'versicolor', 'virginica'])
  t.ok(maxDifference(body.data.ndarray, reference.probabilities) < 1e-5, 'scikit-learn\'s probabilities')

  const tensor = await predict(a, { data: { tensor: { shape: [2, 4], values: [...reference.features[0] as number[], ...reference.features[2] as number[]] } } })
  t.equal(tensor.statusCode, 200, tensor.body)
  const values = tensor.json<{ data: { tensor: { shape: number[], values: number[] } } }>().data.tensor
  t.same(values.shape, [2, 3], 'a tensor answers a tensor')
  t.ok(maxDifference([values.values], [[...reference.probabilities[0] as number[], ...reference.probabilities[2] as number[]]]) < 1e-5)

  const tftensor = await predict(a, { data: { tftensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }, { size: '4' }] }, floatVal: reference.features[0] } } })
  t.equal(tftensor.statusCode, 200, tftensor.body)
  t.match(tftensor.json(), { data: { tftensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }, { size: '3' }] } } } }, 'float32 in, float32 out')
})

t.test('150 flowers in one request', async t => {
  const a = await app(t)
  const res = await predict(a, { data: { ndarray: flowers } })
  t.equal(res.statusCode, 200)
  const rows = res.json<{ data: { ndarray: number[][] } }>().data.ndarray
  t.equal(rows.length, 150)
  t.ok(accuracy(rows) >= 0.95, `accuracy ${accuracy(rows)}`)
})

t.test('features that do not fit: a 400 in the Seldon envelope', async t => {
  const a = await app(t)
  const narrow = await predict(a, { data: { ndarray: [[5.1, 3.5, 1.4]] } })
  t.equal(narrow.statusCode, 400)
  t.equal(narrow.body, '{"status":{"code":-1,"info":"the model\'s input \\"features\\" takes float32 of shape [N,4]; the request\'s data has shape [1,3]","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')
  const text = await predict(a, { strData: 'setosa?' })
  t.equal(text.statusCode, 400)
  t.equal(text.json<{ status: { info: string } }>().status.info, 'the model\'s input "features" takes float32 of shape [N,4]: send numbers as data.ndarray, data.tensor or data.tftensor')
})

t.test('your own model without class names: the default column names', async t => {
  const a = await app(t, new OnnxModel({ modelPath: fixture('doubles.onnx') }))
  const res = await predict(a, { data: { ndarray: [[0.5, 1.25]] } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.5]]},"meta":{}}\n')
})

t.test('a model that cannot load keeps the app from starting', async t => {
  const instance = Fastify()
  t.teardown(() => instance.close())
  await instance.register(seldonComponent, { component: new OnnxModel({ modelPath: fixture('missing.onnx') }) })
  await t.rejects(async () => { await instance.ready() }, /cannot load the ONNX model .*missing\.onnx/)
})
