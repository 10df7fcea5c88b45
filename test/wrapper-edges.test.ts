/**
 * Wrapper behaviour the recorded exchanges do not cover, read from its source (seldon-core v1.18.2
 * python/seldon_core/wrapper.py, flask_utils.py, utils.py; described in docs/wrapper-behaviour.md):
 * requests a client or the Seldon executor sends, answered byte for byte as the Python wrapper
 * answers them. Each edge names the section of docs/wrapper-behaviour.md it checks.
 */
import t from 'tap'
import Fastify, { type InjectOptions } from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { SeldonResponse } from '@fastify-seldon/core'
import { float, type NDArray } from '@fastify-seldon/protocol'
import { AverageCombiner, IdentityModel, RouterModel } from '@fastify-seldon/test-models'
import { envelope, type InjectCase } from './replay-helpers.js'

interface Edge extends InjectCase {
  /** The section of docs/wrapper-behaviour.md that says so. */
  doc: string
}

const json = { 'content-type': 'application/json' }
const post = (url: string, payload: string): InjectOptions => ({ method: 'POST', url, headers: json, payload })
const bad = (info: string): string => envelope('MICROSERVICE_BAD_DATA', info)

let lastReward: number | undefined

const EDGES: Edge[] = [
  {
    doc: 'Answers',
    name: 'NaN and Infinity are echoed as bare tokens',
    component: () => new IdentityModel(),
    request: post('/predict', '{"data":{"ndarray":[[NaN,1.0,Infinity,-Infinity]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[NaN,1.0,Infinity,-Infinity]]},"meta":{}}\n'
  },
  {
    doc: 'Answers',
    name: 'Python float repr',
    component: () => new IdentityModel(),
    request: post('/predict', '{"data":{"ndarray":[[1e-7,1e16,1.5e300,0.1,-0.0,100.0]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1","t:2","t:3","t:4","t:5"],"ndarray":[[1e-07,1e+16,1.5e+300,0.1,-0.0,100.0]]},"meta":{}}\n'
  },
  {
    doc: 'Answers (Flask\'s JSON_AS_ASCII)',
    name: 'non-ASCII escaped as \\uXXXX',
    component: () => new IdentityModel(),
    request: post('/predict', '{"strData":"é€😀"}'),
    status: 200,
    body: '{"meta":{},"strData":"\\u00e9\\u20ac\\ud83d\\ude00"}\n'
  },
  {
    doc: 'Encoding an answer (tags: the request\'s, then tags())',
    name: 'request tags keep their number spelling',
    component: () => new IdentityModel(),
    request: post('/predict', '{"meta":{"tags":{"x":1.0,"y":[1.0,2],"n":1}},"data":{"ndarray":[1]}}'),
    status: 200,
    body: '{"data":{"names":[],"ndarray":[1]},"meta":{"tags":{"n":1,"x":1.0,"y":[1.0,2]}}}\n',
  },
  {
    doc: 'Encoding an answer (aggregate merges all messages\' metas)',
    name: 'aggregated tags keep their number spelling',
    component: () => new AverageCombiner(),
    request: post('/aggregate', '[{"meta":{"tags":{"a":1.0}},"data":{"ndarray":[[1]]}},{"meta":{"tags":{"b":2}},"data":{"ndarray":[[3]]}}]'),
    status: 200,
    body: '{"data":{"names":["t:0"],"ndarray":[[2.0]]},"meta":{"tags":{"a":1.0,"b":2}}}\n',
  },
  {
    doc: 'Encoding an answer',
    name: 'request meta.metrics echoed verbatim, floats kept',
    component: () => new IdentityModel(),
    request: post('/predict', '{"meta":{"metrics":[{"key":"k","type":"GAUGE","value":1.0}]},"data":{"ndarray":[1]}}'),
    status: 200,
    body: '{"data":{"names":[],"ndarray":[1]},"meta":{"metrics":[{"key":"k","type":"GAUGE","value":1.0}]}}\n'
  },
  {
    doc: 'Errors (Invalid request data type: <Python repr>)',
    name: 'the request shown as a Python repr',
    component: () => new IdentityModel(),
    request: post('/predict', '{"wrong":[{"data":{"ndarray":[1.0]}}],"b":true,"c":null,"s":"it\'s"}'),
    status: 400,
    body: bad('Invalid request data type: {\'wrong\': [{\'data\': {\'ndarray\': [1.0]}}], \'b\': True, \'c\': None, \'s\': "it\'s"}')
  },
  {
    doc: 'Encoding an answer (anything else is a 400)',
    name: 'a scalar result is a 400',
    component: () => ({ predict: () => 0.5 }),
    request: post('/predict', '{"data":{"ndarray":[1]}}'),
    status: 400,
    body: bad('Unknown data type returned as payload (must be list or np array):0.5')
  },
  {
    doc: 'Encoding an answer (anything else is a 400)',
    name: 'a null result is a 400',
    component: () => ({ predict: () => null }),
    request: post('/predict', '{"data":{"ndarray":[1]}}'),
    status: 400,
    body: bad('Unknown data type returned as payload (must be list or np array):None')
  },
  {
    doc: 'Encoding an answer (a request without data: numbers → tensor)',
    name: 'numbers answered to a strData request are a tensor',
    component: () => ({ predict: () => [1, 2] }),
    request: post('/predict', '{"strData":"x"}'),
    status: 200,
    body: '{"data":{"names":[],"tensor":{"shape":[2],"values":[1,2]}},"meta":{}}\n'
  },
  {
    doc: 'Encoding an answer (a list is echoed as written)',
    name: 'a mixed list result is echoed as is',
    component: () => ({ predict: () => [[1, 2.5, 'a']] }),
    request: post('/predict', '{"data":{"ndarray":[1]}}'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[1,2.5,"a"]]},"meta":{}}\n'
  },
  {
    doc: 'Which user method is called (SeldonResponse)',
    name: 'SeldonResponse tags and metrics',
    component: () => ({
      predict: (X: NDArray) => new SeldonResponse(X, { run: float(1) }, [{ type: 'COUNTER', key: 'runtime_calls', value: 1 }]),
      tags: () => ({ user: 'u' })
    }),
    request: post('/predict', '{"meta":{"puid":"p"},"data":{"ndarray":[[1]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{"metrics":[{"key":"runtime_calls","type":"COUNTER","value":1}],"puid":"p","tags":{"run":1.0,"user":"u"}}}\n'
  },
  {
    doc: 'Encoding an answer (requestPath with PREDICTIVE_UNIT_ID)',
    name: 'requestPath gets this unit\'s entry',
    component: () => new IdentityModel(),
    options: { unitId: 'm1' },
    request: post('/predict', '{"meta":{"requestPath":{"t":"img:2"}},"data":{"ndarray":[1]}}'),
    status: 200,
    body: '{"data":{"names":[],"ndarray":[1]},"meta":{"requestPath":{"m1":"NOT_IMPLEMENTED:NOT_IMPLEMENTED","t":"img:2"}}}\n'
  },
  {
    doc: 'Encoding an answer (INCLUDE_METRICS_IN_CLIENT_RESPONSE)',
    name: 'custom metrics hidden when asked',
    component: () => ({ predict: (X: NDArray) => X, metrics: () => [{ type: 'COUNTER', key: 'c', value: 1 }] }),
    options: { includeMetricsInResponse: false },
    request: post('/predict', '{"data":{"ndarray":[1]}}'),
    status: 200,
    body: '{"data":{"names":[],"ndarray":[1]},"meta":{}}\n'
  },
  {
    doc: 'Encoding an answer (route: request tags dropped, puid kept)',
    name: 'route keeps puid, drops request tags',
    component: () => new RouterModel(),
    request: post('/route', '{"meta":{"puid":"p1","tags":{"t":1}},"data":{"ndarray":[[0.1]]}}'),
    status: 200,
    body: '{"data":{"names":["t:0"],"ndarray":[[0]]},"meta":{"puid":"p1"}}\n'
  },
  {
    doc: 'Encoding an answer (route)',
    name: 'a router answering a string is a 400',
    component: () => ({ route: () => 'x' }),
    request: post('/route', '{"data":{"ndarray":[[1]]}}'),
    status: 400,
    body: bad('Routing response must be int but got x')
  },
  {
    doc: 'REST endpoints (aggregate: the executor sends a bare array)',
    name: 'aggregate of a bare array, puid of the first message',
    component: () => new AverageCombiner(),
    request: post('/aggregate', '[{"meta":{"puid":"first"},"data":{"tensor":{"shape":[1,2],"values":[1,2]}}},{"meta":{"puid":"second"},"data":{"ndarray":[[3,6]]}}]'),
    status: 200,
    body: '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[1,2],"values":[2.0,4.0]}},"meta":{"puid":"first"}}\n'
  },
  {
    doc: 'Decoding a request (feedback: the reward is a 32-bit float)',
    name: 'the reward reaches the user as float32',
    component: () => ({ send_feedback: (_f: unknown, _n: unknown, reward: number) => { lastReward = reward; return [] } }),
    request: post('/send-feedback', '{"request":{"data":{"ndarray":[[1]]}},"reward":1.1}'),
    status: 200,
    body: '{"data":{"ndarray":[]},"meta":{}}\n'
  },
  {
    doc: 'Encoding an answer (feedback without a request: a tensor of shape [0]; read from the code, not recorded)',
    name: 'feedback without a request',
    component: () => new IdentityModel(),
    request: post('/send-feedback', '{"reward":42}'),
    status: 200,
    body: '{"data":{"tensor":{"shape":[0]}},"meta":{}}\n'
  },
  {
    doc: 'Encoding an answer (health: against an empty request)',
    name: 'a numeric health status is a tensor',
    component: () => ({ predict: (X: NDArray) => X, health_status: () => [1, 2] }),
    request: { method: 'GET', url: '/health/status' },
    status: 200,
    body: '{"data":{"names":[],"tensor":{"shape":[2],"values":[1,2]}},"meta":{}}\n'
  },
  {
    doc: 'Answers (predict routes: a status.code is the HTTP status)',
    name: 'predictRaw chooses the HTTP status',
    component: () => ({ predict_raw: () => ({ status: { code: 418, info: 'teapot', reason: 'X', status: 'FAILURE' } }) }),
    request: post('/api/v1.0/predictions', '{"data":{"ndarray":[1]}}'),
    status: 418,
    body: '{"status":{"code":418,"info":"teapot","reason":"X","status":"FAILURE"}}\n'
  },
  {
    doc: 'Metadata (MODEL_METADATA wins per top-level key)',
    name: 'MODEL_METADATA',
    component: () => ({ predict: (X: NDArray) => X, init_metadata: () => ({ name: 'from-code', platform: 'p' }) }),
    options: { modelMetadata: 'name: from-env\nversions: [v2]', unitImage: 'repo/img:1.2' },
    request: { method: 'GET', url: '/metadata' },
    status: 200,
    body: '{"custom":{},"inputs":[],"name":"from-env","outputs":[],"platform":"p","versions":["v2"]}\n'
  }
]

for (const edge of EDGES) {
  t.test(`${edge.name} (${edge.doc})`, { todo: edge.todo ?? false }, async t => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(seldonComponent, { component: edge.component() as any, ...edge.options })
    await app.ready()
    const res = await app.inject(edge.request)
    t.equal(res.statusCode, edge.status, 'status')
    t.equal(res.headers['content-type'], 'application/json', 'Content-Type')
    t.equal(res.body, edge.body, 'body')
  })
}

t.test('the float32 reward', async t => {
  t.equal(lastReward, Math.fround(1.1), 'reward 1.1 arrives as 1.100000023841858')
})
