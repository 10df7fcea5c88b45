import t from 'tap'
import { NotImplementedError } from '@fastify-seldon/core'
import { NDArray } from '@fastify-seldon/protocol'
import OnnxModel, { IRIS_CLASS_NAMES, IRIS_MODEL_PATH, ModelInputError } from '../src/model.js'
import { accuracy, argmax, fixture, flowers, maxDifference, reference } from './helpers.js'

const rowsOf = (a: NDArray) => a.toNested() as number[][]

t.test('the iris model answers what scikit-learn answers', async t => {
  const model = new OnnxModel()
  await model.load()
  const out = await model.predict(NDArray.fromNested(reference.features))
  t.type(out, NDArray)
  t.same(out.shape, [reference.features.length, 3])
  t.equal(out.dtype, 'float32', 'the session\'s float32 output, not copied')
  t.ok(out.data instanceof Float32Array)
  const difference = maxDifference(rowsOf(out), reference.probabilities)
  t.ok(difference < 1e-5, `probabilities within float32 rounding of predict_proba (max difference ${difference})`)
  t.same(rowsOf(out).map(argmax), reference.probabilities.map(argmax), 'the same species for every flower')
  for (const row of rowsOf(out)) t.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6, 'a distribution over the 3 species')
  t.same(model.classNames(), reference.classNames)
  t.same(model.classNames(), [...IRIS_CLASS_NAMES])
  t.equal(model.modelPath, IRIS_MODEL_PATH)
  t.match(IRIS_MODEL_PATH, /examples\/onnx\/model\/iris\.onnx$/, 'resolved against the module, whatever the working directory')
})

t.test('the whole batch in one call: 150 flowers', async t => {
  const model = new OnnxModel()
  const out = await model.predict(NDArray.fromNested(flowers))
  t.same(out.shape, [150, 3], 'predict() opens the session when load() was not called')
  t.ok(accuracy(rowsOf(out)) >= 0.95, `accuracy ${accuracy(rowsOf(out))} on the training set`)
})

t.test('any numeric input type gives the same answer; a single row is a batch of one', async t => {
  const model = new OnnxModel()
  await model.load()
  const flower = reference.features[1] as number[]
  const expected = rowsOf(await model.predict(NDArray.fromNested([flower])))
  const inputs: Record<string, NDArray> = {
    'float32 (used as is)': new NDArray(Float32Array.from(flower), [1, 4]),
    'nested arrays of float64': NDArray.fromNested([flower]),
    'a flat row': NDArray.fromNested(flower),
    'int32 (converted)': new NDArray(Int32Array.from([6, 3, 5, 2]), [1, 4]),
    'int64 as bigint (converted)': new NDArray(BigInt64Array.from([6n, 3n, 5n, 2n]), [1, 4], 'int64')
  }
  for (const [what, X] of Object.entries(inputs)) {
    const out = await model.predict(X)
    t.same(out.shape, [1, 3], what)
    if (what.startsWith('int')) {
      t.same(rowsOf(out), rowsOf(await model.predict(NDArray.fromNested([[6.0, 3.0, 5.0, 2.0]]))), `${what}: as the same numbers in float64`)
    } else {
      t.ok(maxDifference(rowsOf(out), expected) === 0, what)
    }
  }
  const none = await model.predict(new NDArray(new Float64Array(0), [0, 4]))
  t.same(none.shape, [0, 3], 'no rows, no probabilities')
})

t.test('features that do not fit the model are a ModelInputError: the client\'s 400', async t => {
  const model = new OnnxModel()
  await model.load()
  const cases: Array<[string, unknown, RegExp]> = [
    ['3 columns', NDArray.fromNested([[5.1, 3.5, 1.4]]), /the model's input "features" takes float32 of shape \[N,4\]; the request's data has shape \[1,3\]/],
    ['5 columns', NDArray.fromNested([[5.1, 3.5, 1.4, 0.2, 1]]), /has shape \[1,5\]/],
    ['3 dimensions', NDArray.fromNested([[[5.1, 3.5, 1.4, 0.2]]]), /has shape \[1,1,4\]/],
    ['strings', NDArray.fromNested([['a', 'b', 'c', 'd']]), /send numbers as data\.ndarray, data\.tensor or data\.tftensor/],
    ['booleans', NDArray.fromNested([[true, false, true, false]]), /send numbers/],
    ['a string', 'five', /send numbers/],
    ['JSON', { values: [1, 2, 3, 4] }, /send numbers/]
  ]
  for (const [what, X, message] of cases) {
    const err = await model.predict(X).then(() => undefined, (e: unknown) => e)
    t.type(err, ModelInputError, what)
    t.match(err, { name: 'ModelInputError', statusCode: 400, reason: 'MICROSERVICE_BAD_DATA', message }, what)
  }
})

t.test('your own model: input and output discovered from the session', async t => {
  const doubles = new OnnxModel({ modelPath: fixture('doubles.onnx') })
  await doubles.load()
  const out = await doubles.predict(NDArray.fromNested([[0.1, 0.7], [3, -1]]))
  t.equal(out.dtype, 'float64', 'the first float output (scores), not the int64 label before it')
  t.same(out.toNested(), [[0.2, 1.4], [6, -2]], 'float64 in and out: no float32 rounding on the way')
  t.throws(() => doubles.classNames(), NotImplementedError, 'no classNames parameter: the runtime\'s default names')

  const labels = new OnnxModel({ modelPath: fixture('doubles.onnx'), outputName: 'label' })
  const label = await labels.predict(NDArray.fromNested([[0.1, 0.7], [3, -1]]))
  t.equal(label.dtype, 'int64', 'outputName picks another output, of its own dtype')
  t.same(label.shape, [2])
  t.same(Array.from(label.data as BigInt64Array), [1n, 0n])

  const named = new OnnxModel({ modelPath: fixture('doubles.onnx'), classNames: ['low', 'high'] })
  await named.load()
  t.same(named.classNames(), ['low', 'high'])
  await t.rejects(doubles.predict(NDArray.fromNested([[1, 2, 3]])), { name: 'ModelInputError', message: /"x" takes float64 of shape \[N,2\]/ })
})

t.test('a model this component cannot serve fails at load(), saying why', async t => {
  await t.rejects(new OnnxModel({ modelPath: fixture('two-inputs.onnx') }).load(),
    /two-inputs\.onnx: this component serves models with one float32 or float64 tensor input; the model's inputs are a \(float32 \[N,2\]\), b \(float32 \[N,2\]\)/)
  await t.rejects(new OnnxModel({ modelPath: fixture('doubles.onnx'), outputName: 'nope' }).load(),
    /no numeric tensor output named nope; the model's outputs are label \(int64 \[N\]\), scores \(float64 \[N,2\]\)/)
  await t.rejects(new OnnxModel({ modelPath: fixture('doubles.onnx'), classNames: ['a', 'b', 'c'] }).load(),
    /output scores has 2 columns but 3 classNames were given/)
  await t.rejects(new OnnxModel({ modelPath: fixture('missing.onnx') }).load(), /cannot load the ONNX model .*missing\.onnx/)
  await t.rejects(new OnnxModel({ modelPath: fixture('make_fixtures.py') }).load(), /cannot load the ONNX model .*make_fixtures\.py/, 'not an ONNX file')
})

t.test('parameters are checked when constructed', async t => {
  t.throws(() => new OnnxModel({ modelPath: '' }), /modelPath must be a path/)
  t.throws(() => new OnnxModel({ classNames: 'a,b' as unknown as string[] }), /classNames must be a JSON list of strings/)
  t.throws(() => new OnnxModel({ intraOpNumThreads: -1 }), /intraOpNumThreads must be an integer/)
  t.equal(new OnnxModel().intraOpNumThreads, 1, 'one ONNX Runtime thread per server worker by default')
  t.match(new OnnxModel({ modelPath: 'models/mine.onnx' }).modelPath, /^\/.*\/models\/mine\.onnx$/, 'a relative modelPath is resolved against the working directory')
})
