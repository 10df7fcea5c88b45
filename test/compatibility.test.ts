/**
 * Keeps COMPATIBILITY.md true for the rows the transcripts do not cover: each entry sends the
 * request of a row and asserts the answer the row documents, byte for byte.
 */
import t from 'tap'
import Fastify, { type InjectOptions } from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { NDArray, float } from '@fastify-seldon/protocol'
import { AverageCombiner, IdentityModel } from '@fastify-seldon/test-models'
import { compatibility, envelope, type InjectCase } from './replay-helpers.js'
import { optionsFromEnv } from '@fastify-seldon/core'

interface Row extends InjectCase {
  compat: string
  /** Also check the user method ran this many times. */
  calls?: () => number
}

const json = { 'content-type': 'application/json' }
const predict = (payload: string): InjectOptions => ({ method: 'POST', url: '/predict', headers: json, payload })
const bad = (info: string): string => envelope('MICROSERVICE_BAD_DATA', info)

let typeErrorCalls = 0

const ROWS: Row[] = [
  {
    compat: 'C-06',
    name: 'malformed JSON in ?json= is a 400',
    component: () => new IdentityModel(),
    request: { method: 'GET', url: '/predict?json=notjson' },
    status: 400,
    body: bad('Invalid JSON in query parameter json: Invalid JSON: Expecting value: line 1 column 1 (char 0)')
  },
  {
    compat: 'C-06',
    name: 'malformed JSON in the form field json is a 400',
    component: () => new IdentityModel(),
    request: { method: 'POST', url: '/predict', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'json=%7Bbad' },
    status: 400,
    body: bad('Invalid JSON in form field json: Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)')
  },
  {
    compat: 'C-07',
    name: 'a body over bodyLimit is a 413',
    component: () => new IdentityModel(),
    request: predict(' '.repeat(1048577)),
    status: 413,
    body: bad('Request body is larger than 1048576 bytes')
  },
  {
    compat: 'C-08',
    name: 'aggregate of an empty list is a 400',
    component: () => new AverageCombiner(),
    request: { method: 'POST', url: '/aggregate', headers: json, payload: '[]' },
    status: 400,
    body: bad('aggregate needs at least one message')
  },
  {
    compat: 'C-09',
    name: 'passthrough without a body is a 400',
    component: () => ({ predictRaw: (body: string) => body }),
    options: { payloadPassthrough: true },
    request: { method: 'POST', url: '/predict' },
    status: 400,
    body: bad("Can't find data")
  },
  {
    compat: 'C-10',
    name: 'malformed request meta.metrics is a 400',
    component: () => new IdentityModel(),
    request: predict('{"data":{"ndarray":[[1]]},"meta":{"metrics":[{"value":1,"type":"GAUGE"}]}}'),
    status: 400,
    body: bad('meta.metrics[0]: a metric needs a key')
  },
  {
    compat: 'C-10',
    name: 'request metrics without type (COUNTER) or value (0) are well-formed: echoed verbatim',
    component: () => new IdentityModel(),
    request: predict('{"data":{"ndarray":[[1]]},"meta":{"metrics":[{"key":"c","value":2},{"key":"g","type":"GAUGE"},{"key":"z"}]}}'),
    status: 200,
    body: '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{"metrics":[{"key":"c","value":2},{"key":"g","type":"GAUGE"},{"key":"z"}]}}\n'
  },
  {
    compat: 'C-11',
    name: 'an integer beyond 2^53 is kept exact',
    component: () => new IdentityModel(),
    request: predict('{"data":{"ndarray":[[9007199254740993,1]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[9007199254740993,1]]},"meta":{}}\n'
  },
  {
    compat: 'C-11',
    name: 'an integer beyond the int64 range is kept exact (numpy: uint64 / object)',
    component: () => new IdentityModel(),
    request: predict('{"data":{"ndarray":[[12345678901234567890,1]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[12345678901234567890,1]]},"meta":{}}\n',
  },
  {
    compat: 'C-11',
    name: 'an integer beyond 2^53 mixed with floats is a 400',
    component: () => new IdentityModel(),
    request: predict('{"data":{"ndarray":[[12345678901234567890,1.5]]}}'),
    status: 400,
    body: bad('an integer beyond 2^53 cannot be mixed with floats without losing precision')
  },
  {
    compat: 'C-11',
    name: 'JSON nested deeper than 512 levels is a 400',
    component: () => new IdentityModel(),
    request: predict('['.repeat(600) + ']'.repeat(600)),
    status: 400,
    body: bad("Can't find JSON in data")
  },
  {
    compat: 'C-23',
    name: 'a tensor without shape is a 400',
    component: () => new IdentityModel(),
    request: predict('{"data":{"tensor":{"values":[1,2]}}}'),
    status: 400,
    body: bad('data.tensor.shape is required')
  },
  {
    compat: 'C-23',
    name: 'data that is not an object is a 400',
    component: () => new IdentityModel(),
    request: predict('{"data":null}'),
    status: 400,
    body: bad('data must be an object with one of tensor, ndarray or tftensor')
  },
  {
    compat: 'C-23',
    name: 'tensor values that are not numbers are a 400',
    component: () => new IdentityModel(),
    request: predict('{"data":{"tensor":{"shape":[2],"values":["a",1]}}}'),
    status: 400,
    body: bad('data.tensor.values must be a flat array of numbers')
  },
  {
    compat: 'C-23',
    name: 'strData that is not a string is a 400',
    component: () => new IdentityModel(),
    request: predict('{"strData":1}'),
    status: 400,
    body: bad('strData must be a string')
  },
  {
    compat: 'C-24',
    name: 'unpadded base64 is accepted',
    component: () => new IdentityModel(),
    request: predict('{"binData":"abc"}'),
    status: 200,
    body: '{"binData":"abc=","meta":{}}\n'
  },
  {
    compat: 'C-24',
    name: 'invalid base64 is a 400',
    component: () => new IdentityModel(),
    request: predict('{"binData":"@@@"}'),
    status: 400,
    body: bad('binData is not valid base64')
  },
  {
    compat: 'C-25',
    name: 'tftensor without TensorFlow',
    component: () => new IdentityModel(),
    request: predict('{"data":{"tftensor":{"dtype":"DT_FLOAT","tensorShape":{"dim":[{"size":"2"}]},"floatVal":[1,2]}}}'),
    status: 200,
    body: '{"data":{"names":[],"tftensor":{"dtype":"DT_FLOAT","tensorContent":"AACAPwAAAEA=","tensorShape":{"dim":[{"size":"2"}]}}},"meta":{}}\n'
  },
  {
    compat: 'C-12',
    name: 'loadInBackground: 503 until load() resolves',
    component: () => ({ load: async () => { await new Promise(resolve => setTimeout(resolve, 300)) }, predict: (X: NDArray) => X }),
    options: { loadInBackground: true },
    request: { method: 'GET', url: '/health/status' },
    status: 503,
    body: envelope('MICROSERVICE_NOT_READY', 'Model not ready: load() has not finished')
  },
  {
    compat: 'C-13',
    name: 'an integral number a user computes prints as an int',
    component: () => ({ predict: () => [[0.5 * 2, 3]] }),
    request: predict('{"data":{"ndarray":[[1]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[1,3]]},"meta":{}}\n'
  },
  {
    compat: 'C-13',
    name: 'float() prints a float',
    component: () => ({ predict: () => [[float(0.5 * 2), 3]] }),
    request: predict('{"data":{"ndarray":[[1]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,3]]},"meta":{}}\n'
  },
  {
    compat: 'C-13',
    name: 'NDArray.map gives float64',
    component: () => ({ predict: (X: NDArray) => X.map(v => v * 2) }),
    request: predict('{"data":{"ndarray":[[1,2]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,4.0]]},"meta":{}}\n'
  },
  {
    compat: 'C-13',
    name: 'an int-dtype NDArray prints ints',
    component: () => ({ predict: (X: NDArray) => new NDArray(Int32Array.from(X.toFloat64(), v => v * 2), X.shape) }),
    request: predict('{"data":{"ndarray":[[1,2]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[2,4]]},"meta":{}}\n'
  },
  {
    compat: 'C-14',
    name: 'a router returning an integral float routes',
    component: () => ({ route: () => 1.0 }),
    request: { method: 'POST', url: '/route', headers: json, payload: '{"data":{"ndarray":[[1]]}}' },
    status: 200,
    body: '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{}}\n'
  },
  {
    compat: 'C-15',
    name: 'mixed str/number lists are not coerced to strings',
    component: () => new IdentityModel(),
    request: predict('{"data":{"ndarray":["a",1,true]}}'),
    status: 200,
    body: '{"data":{"names":[],"ndarray":["a",1,true]},"meta":{}}\n'
  },
  {
    compat: 'C-16',
    name: 'predict_rest is not called',
    component: () => ({ predict_rest: () => ({ jsonData: { via: 'rest' } }), predict: (X: NDArray) => X }),
    request: predict('{"data":{"ndarray":[[1,2]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n'
  },
  {
    compat: 'C-17',
    name: 'a TypeError is a 500, the method runs once',
    component: () => ({ predict: () => { typeErrorCalls++; throw new TypeError('boom') } }),
    request: predict('{"data":{"ndarray":[[1]]}}'),
    status: 500,
    body: envelope('MICROSERVICE_INTERNAL_ERROR', 'boom'),
    calls: () => typeErrorCalls
  },
  {
    compat: 'C-18',
    name: 'a metric key that is not a Prometheus name is a 500 BAD_METRIC',
    component: () => ({ predict: (X: NDArray) => X, metrics: () => [{ type: 'COUNTER', key: 'bad key', value: 1 }] }),
    request: predict('{"data":{"ndarray":[1]}}'),
    status: 500,
    body: envelope('MICROSERVICE_BAD_METRIC', 'Bad metric created during request: [{"type": "COUNTER", "key": "bad key", "value": 1}]')
  },
  {
    compat: 'C-18',
    name: 'metrics() entries without type (COUNTER) or value (0) are served, as returned',
    component: () => ({ predict: (X: NDArray) => X, metrics: () => [{ key: 'calls', value: 1 }, { key: 'level', type: 'GAUGE' }] }),
    request: predict('{"data":{"ndarray":[1]}}'),
    status: 200,
    body: '{"data":{"names":[],"ndarray":[1]},"meta":{"metrics":[{"key":"calls","value":1},{"key":"level","type":"GAUGE"}]}}\n'
  }
]

for (const row of ROWS) {
  t.test(`${row.compat} ${row.name}`, { todo: row.todo ?? false }, async t => {
    t.ok(compatibility.includes(`| ${row.compat} |`), `row ${row.compat} is in COMPATIBILITY.md`)
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(seldonComponent, { component: row.component() as any, ...row.options })
    await app.ready()
    const res = await app.inject(row.request)
    t.equal(res.statusCode, row.status, 'status')
    t.equal(res.body, row.body, 'body')
    if (row.calls !== undefined) t.equal(row.calls(), 1, 'the method ran once')
  })
}

t.test('C-12 loadInBackground: ready once load() resolves, ping always 200', async t => {
  let release: () => void = () => {}
  const loaded = new Promise<void>(resolve => { release = resolve })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: { load: () => loaded, predict: (X: NDArray) => X }, loadInBackground: true })
  await app.ready()
  t.equal((await app.inject({ method: 'GET', url: '/health/ping' })).body, 'pong')
  t.equal((await app.inject(predict('{"data":{"ndarray":[1]}}'))).statusCode, 503, 'predict waits for load()')
  t.equal((await app.inject({ method: 'GET', url: '/metadata' })).statusCode, 503, 'metadata waits for load()')
  release()
  await loaded
  await new Promise(resolve => setImmediate(resolve))
  const status = await app.inject({ method: 'GET', url: '/health/status' })
  t.equal(status.statusCode, 200)
  t.equal(status.body, '{"meta":{},"strData":"healthy"}\n')
})

t.test('C-12 a load() that throws fails start-up', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: { load: () => { throw new Error('no weights') }, predict: (X: NDArray) => X } })
  await t.rejects(async () => { await app.ready() }, /component load\(\) failed: no weights/)
})

t.test('C-20 /seldon.json generated from the route schemas; C-26 Swagger UI at /docs', async t => {
  t.ok(compatibility.includes('| C-20 |') && compatibility.includes('| C-26 |'), 'rows C-20 and C-26 are in COMPATIBILITY.md')
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: new IdentityModel() })
  const doc = await app.inject('/seldon.json')
  t.equal(doc.statusCode, 200)
  t.equal(doc.headers['content-disposition'], 'inline; filename=seldon.json')
  t.match(doc.json(), { openapi: '3.0.0', info: { title: 'Seldon External API' } })
  const docs = await app.inject('/docs')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /^text\/html/)
  t.same((await app.inject('/docs/json')).json(), doc.json(), 'Swagger UI over /seldon.json')

  const off = Fastify()
  t.teardown(() => off.close())
  await off.register(seldonComponent, { component: new IdentityModel(), ...optionsFromEnv({ SELDON_DOCS: 'false', SELDON_OPENAPI: 'false' }) })
  t.equal((await off.inject('/docs')).body, envelope('MICROSERVICE_BAD_DATA', 'Not Found: GET /docs'))
  t.equal((await off.inject('/seldon.json')).statusCode, 404)
})
