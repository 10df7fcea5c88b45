import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { NDArray } from '@fastify-seldon/protocol'
import StandardScaler, { IRIS_MEANS, IRIS_STDS, numberList } from '../src/StandardScaler.js'
import ProbabilityLabeler from '../src/ProbabilityLabeler.js'

async function app (t: Test, component: object) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component })
  t.teardown(() => instance.close())
  return instance
}

t.test('StandardScaler: /transform-input standardises each feature', async t => {
  const a = await app(t, new StandardScaler())
  const res = await a.inject({
    method: 'POST',
    url: '/transform-input',
    payload: { data: { names: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], ndarray: [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]] }, meta: { puid: 'req-1', tags: { client: 'web' } } }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.body,
    '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[' +
    '[-0.9006060606060611,1.0207373271889402,-1.3405343945423538,-1.3144736842105265],' +
    '[0.5539393939393938,0.5599078341013822,1.274587833996589,1.7118421052631578]]},' +
    '"meta":{"puid":"req-1","tags":{"client":"web"}}}\n',
    'float64 z-scores; the request\'s puid and tags travel on to the model')

  const mean = await a.inject({ method: 'POST', url: '/transform-input', payload: { data: { tensor: { shape: [4], values: IRIS_MEANS } } } })
  t.equal(mean.body, '{"data":{"names":[],"tensor":{"shape":[4],"values":[0.0,0.0,0.0,0.0]}},"meta":{}}\n', 'a tensor stays a tensor; the mean flower is all zeros')

  const narrow = await a.inject({ method: 'POST', url: '/transform-input', payload: { data: { ndarray: [[1, 2, 3]] } } })
  t.equal(narrow.statusCode, 400)
  t.equal(narrow.body, '{"status":{"code":-1,"info":"expected rows of 4 numeric features, got shape [1,3] of int64","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')
  const json = await a.inject({ method: 'POST', url: '/transform-input', payload: { jsonData: { sepal_length: 5.1 } } })
  t.equal(json.statusCode, 400)
  t.match(json.json(), { status: { info: 'expected rows of 4 numeric features, got jsonData' } })
  const text = await a.inject({ method: 'POST', url: '/transform-input', payload: { data: { ndarray: [['a', 'b', 'c', 'd']] } } })
  t.match(text.json(), { status: { info: 'expected rows of 4 numeric features, got shape [1,4] of string' } })
})

t.test('StandardScaler: parameters', async t => {
  const scaler = new StandardScaler({ means: '1, 2', stds: '0.5,4' })
  t.same(scaler.transformInput(NDArray.fromNested([2, 2])).toNested(), [2, 0], 'comma-separated STRING parameters')
  t.same(new StandardScaler({ means: [0], stds: [2] }).transformInput(NDArray.fromNested([[4], [6]])).toNested(), [[2], [3]])
  t.same(scaler.means, [1, 2])
  t.same(new StandardScaler().stds, IRIS_STDS)
  t.throws(() => new StandardScaler({ means: '1,,2' }), /means must be a non-empty list of numbers/)
  t.throws(() => new StandardScaler({ means: 'a' }), /means must be a non-empty list of numbers/)
  t.throws(() => new StandardScaler({ stds: [] }), /stds must be a non-empty list of numbers/)
  t.throws(() => new StandardScaler({ means: [1, 2] }), /one value per feature: got 2 means and 4 stds/)
  t.throws(() => new StandardScaler({ means: [1], stds: [0] }), /stds must be > 0/)
  t.throws(() => numberList('x', [1, Number.NaN]), /x must be a non-empty list/)
})

t.test('ProbabilityLabeler: /transform-output labels each row with its most probable class', async t => {
  const a = await app(t, new ProbabilityLabeler())
  const res = await a.inject({
    method: 'POST',
    url: '/transform-output',
    payload: { data: { names: ['setosa', 'versicolor', 'virginica'], ndarray: [[0.96666, 0.03334, 0], [0, 0.2, 0.8], [0, 1, 0]] }, meta: { tags: { model: 'iris' } } }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.body,
    '{"jsonData":{"predictions":[{"confidence":0.9667,"label":"setosa"},{"confidence":0.8,"label":"virginica"},{"confidence":1.0,"label":"versicolor"}]},' +
    '"meta":{"tags":{"model":"iris"}}}\n',
    'labels from the model\'s data.names; a plain object answers as jsonData')

  const noNames = await a.inject({ method: 'POST', url: '/transform-output', payload: { data: { ndarray: [[0.2, 0.8]] } } })
  t.equal(noNames.statusCode, 400)
  t.equal(noNames.body, '{"status":{"code":-1,"info":"cannot label rows of 2 probabilities: data.names has 0 names and the labels parameter 0","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')

  const notProbabilities = await a.inject({ method: 'POST', url: '/transform-output', payload: { strData: 'setosa' } })
  t.equal(notProbabilities.statusCode, 400)
  t.match(notProbabilities.json(), { status: { info: 'expected rows of class probabilities, got strData' } })
})

t.test('ProbabilityLabeler: the labels parameter, rounding, one row', async t => {
  const labeler = new ProbabilityLabeler({ labels: 'cat, dog', digits: 1 })
  const a = await app(t, labeler)
  const res = await a.inject({ method: 'POST', url: '/transform-output', payload: { data: { tensor: { shape: [2], values: [0.26, 0.74] } } } })
  t.equal(res.body, '{"jsonData":{"predictions":[{"confidence":0.7,"label":"dog"}]},"meta":{}}\n', 'a 1-D output is one row')
  t.same(labeler.labels, ['cat', 'dog'])
  t.same(
    JSON.parse(JSON.stringify(new ProbabilityLabeler({ labels: ['no', 'yes'] }).transformOutput(NDArray.fromNested([[0.123456, 0.876544]]), ['x']))),
    { predictions: [{ label: 'yes', confidence: 0.8765 }] },
    'names of the wrong width fall back to the labels parameter'
  )
  t.throws(() => labeler.transformOutput(NDArray.fromNested([[[1]]]), []), { statusCode: 400, message: /got shape \[1,1,1\] of int64/ })
  t.throws(() => labeler.transformOutput(Buffer.from('x'), []), { statusCode: 400, message: /got binData/ })
  t.throws(() => new ProbabilityLabeler({ digits: -1 }), /digits must be an integer from 0 to 15/)
})
