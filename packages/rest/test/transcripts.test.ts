/**
 * The wrapper's recorded REST exchanges (recorded fixtures under test/fixtures/), replayed byte for
 * byte against the plugin stack seldonComponent uses. Each suite runs on a fresh app, in the
 * recorded order (some components keep state between requests). Rows where this project
 * deliberately answers differently say so and assert our answer.
 */
import t, { type Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { build, envelope, MULTIPART } from './helper.js'
import {
  AverageCombiner, ErrorModel, FeedbackModel, IdentityModel, RichModel, RouterModel, ScaleTransformer
} from '@fastify-seldon/test-models'

interface Case {
  name: string
  request: InjectOptions
  status: number
  body: string
  contentType?: string
  headers?: Record<string, string>
}

const JSON_CT = { 'content-type': 'application/json' }
const post = (url: string, body: string, headers: Record<string, string> = JSON_CT): InjectOptions => ({ method: 'POST', url, payload: body, headers })
const get = (url: string): InjectOptions => ({ method: 'GET', url })

async function replay (t: Test, app: FastifyInstance, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const res = await app.inject(c.request)
    t.equal(res.statusCode, c.status, `${c.name}: status`)
    t.equal(res.body, c.body, `${c.name}: body`)
    t.equal(res.headers['content-type'], c.contentType ?? 'application/json', `${c.name}: content-type`)
    t.equal(res.headers['content-length'], String(Buffer.byteLength(c.body)), `${c.name}: content-length`)
    t.equal(res.headers['access-control-allow-origin'], '*', `${c.name}: CORS`)
    for (const [k, v] of Object.entries(c.headers ?? {})) t.equal(res.headers[k], v, `${c.name}: ${k}`)
  }
}

const FLOATS_1234 = '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}'
const IDENTITY_1234 = '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[1.0,2.0,3.0,4.0]]},"meta":{}}\n'
const QUERY_1234 = '%7B%22data%22%3A%7B%22ndarray%22%3A%5B%5B1.0%2C2.0%2C3.0%2C4.0%5D%5D%7D%7D'
const FEEDBACK_BODY = '{"request":{"data":{"ndarray":[[1.0,2.0]]}},"response":{"data":{"ndarray":[[1.0,2.0]]}},"reward":1.0,"truth":{"data":{"ndarray":[[1.0]]}}}'

t.test('identity: IdentityModel (MODEL)', async t => {
  const app = await build(t, new IdentityModel())
  await replay(t, app, [
    { name: 'identity.1 predict ndarray (floats)', request: post('/predict', FLOATS_1234), status: 200, body: IDENTITY_1234 },
    {
      name: 'identity.2 predict ndarray (ints)',
      request: post('/predict', '{"data":{"ndarray":[[1,2,3]]}}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[1,2,3]]},"meta":{}}\n'
    },
    {
      name: 'identity.3 predict ndarray 1-D mixed types',
      request: post('/predict', '{"data":{"ndarray":["a",1,null,true]}}'),
      status: 200,
      body: '{"data":{"names":[],"ndarray":["a",1,null,true]},"meta":{}}\n'
    },
    {
      name: 'identity.4 predict tensor',
      request: post('/predict', '{"data":{"names":["a","b"],"tensor":{"shape":[2,2],"values":[1,2,3,4.5]}}}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[2,2],"values":[1.0,2.0,3.0,4.5]}},"meta":{}}\n'
    },
    { name: 'identity.5 predict strData', request: post('/predict', '{"strData":"hello world"}'), status: 200, body: '{"meta":{},"strData":"hello world"}\n' },
    {
      name: 'identity.6 predict jsonData',
      request: post('/predict', '{"jsonData":{"a":[1,2],"b":"x","c":{"d":null}}}'),
      status: 200,
      body: '{"jsonData":{"a":[1,2],"b":"x","c":{"d":null}},"meta":{}}\n'
    },
    { name: 'identity.7 predict binData', request: post('/predict', '{"binData":"aGVsbG8gYmluYXJ5"}'), status: 200, body: '{"binData":"aGVsbG8gYmluYXJ5","meta":{}}\n' },
    {
      name: 'identity.8 predict with names + meta',
      request: post('/predict', '{"meta":{"puid":"abc123","tags":{"t":"x","n":1},"routing":{"r":1},"requestPath":{"m":"img:1"}},"data":{"names":["f0","f1"],"ndarray":[[0.5,1.5]]}}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[0.5,1.5]]},"meta":{"puid":"abc123","requestPath":{"m":"img:1"},"tags":{"n":1,"t":"x"}}}\n'
    },
    { name: 'identity.9 /api/v1.0/predictions', request: post('/api/v1.0/predictions', FLOATS_1234), status: 200, body: IDENTITY_1234 },
    { name: 'identity.10 /api/v0.1/predictions', request: post('/api/v0.1/predictions', FLOATS_1234), status: 200, body: IDENTITY_1234 },
    { name: 'identity.11 GET /predict?json=', request: get(`/predict?json=${QUERY_1234}`), status: 200, body: IDENTITY_1234 },
    {
      name: 'identity.12 POST form-urlencoded json=',
      request: post('/predict', `json=${QUERY_1234}`, { 'content-type': 'application/x-www-form-urlencoded' }),
      status: 200,
      body: IDENTITY_1234
    },
    {
      name: 'identity.13 POST multipart strData field',
      request: post('/predict', '------seldonrefboundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name="strData"\r\n\r\nhello multipart\r\n------seldonrefboundary7MA4YWxkTrZu0gW--\r\n', { 'content-type': MULTIPART }),
      status: 200,
      body: '{"meta":{},"strData":"hello multipart"}\n'
    },
    {
      name: 'identity.14 POST multipart binData file',
      request: {
        method: 'POST',
        url: '/predict',
        headers: { 'content-type': MULTIPART },
        payload: Buffer.from('LS0tLS0tc2VsZG9ucmVmYm91bmRhcnk3TUE0WVd4a1RyWnUwZ1cNCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0iYmluRGF0YSI7IGZpbGVuYW1lPSJibG9iLmJpbiINCkNvbnRlbnQtVHlwZTogYXBwbGljYXRpb24vb2N0ZXQtc3RyZWFtDQoNCgABYmluYXJ5/w0KLS0tLS0tc2VsZG9ucmVmYm91bmRhcnk3TUE0WVd4a1RyWnUwZ1ctLQ0K', 'base64')
      },
      status: 200,
      body: '{"binData":"AAFiaW5hcnn/","meta":{}}\n'
    },
    {
      name: 'identity.15 POST multipart meta field + strData file',
      request: post('/predict', '------seldonrefboundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name="meta"\r\n\r\n{"puid":"p-1"}\r\n------seldonrefboundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name="strData"; filename="s.txt"\r\nContent-Type: application/octet-stream\r\n\r\nfile text\n\r\n------seldonrefboundary7MA4YWxkTrZu0gW--\r\n', { 'content-type': MULTIPART }),
      status: 200,
      body: '{"meta":{"puid":"p-1"},"strData":"file text\\n"}\n'
    },
    { name: 'identity.16 GET /health/ping', request: get('/health/ping'), status: 200, body: 'pong', contentType: 'text/html; charset=utf-8' },
    { name: 'identity.17 GET /health/status', request: get('/health/status'), status: 200, body: '{"meta":{},"strData":"healthy"}\n' },
    { name: 'identity.18 GET /api/v1.0/health/status', request: get('/api/v1.0/health/status'), status: 200, body: '{"meta":{},"strData":"healthy"}\n' },
    { name: 'identity.19 GET /metadata', request: get('/metadata'), status: 200, body: '{"custom":{},"inputs":[],"name":"","outputs":[],"platform":"","versions":[""]}\n' },
    { name: 'identity.20 GET /api/v1.0/metadata', request: get('/api/v1.0/metadata'), status: 200, body: '{"custom":{},"inputs":[],"name":"","outputs":[],"platform":"","versions":[""]}\n' },
    { name: 'identity.21 POST /send-feedback (no send_feedback)', request: post('/send-feedback', FEEDBACK_BODY), status: 200, body: '{"data":{"ndarray":[]},"meta":{}}\n' },
    { name: 'identity.22 POST /api/v1.0/feedback', request: post('/api/v1.0/feedback', FEEDBACK_BODY), status: 200, body: '{"data":{"ndarray":[]},"meta":{}}\n' },
    { name: 'identity.23 POST /transform-input on a MODEL', request: post('/transform-input', FLOATS_1234), status: 200, body: IDENTITY_1234 },
    { name: 'identity.24 POST /transform-output on a MODEL', request: post('/transform-output', FLOATS_1234), status: 200, body: IDENTITY_1234 },
    { name: 'identity.25 POST /route on a MODEL', request: post('/route', FLOATS_1234), status: 400, body: envelope('Route not defined') },
    {
      name: 'identity.26 POST /aggregate on a MODEL',
      request: post('/aggregate', '{"seldonMessages":[{"data":{"ndarray":[[1.0]]}},{"data":{"ndarray":[[3.0]]}}]}'),
      status: 400,
      body: envelope('Aggregate not defined')
    },
    { name: 'identity.27 body is not JSON', request: post('/predict', 'notjson'), status: 400, body: envelope("Can't find JSON in data") },
    { name: 'identity.28 empty JSON object', request: post('/predict', '{}'), status: 400, body: envelope('Invalid request data type: {}') },
    { name: 'identity.29 JSON body with text/plain', request: post('/predict', FLOATS_1234, { 'content-type': 'text/plain' }), status: 400, body: envelope("Can't find JSON in data") },
    { name: 'identity.30 no body', request: { method: 'POST', url: '/predict' }, status: 400, body: envelope("Can't find JSON in data") },
    { name: 'identity.31 unknown data key -> empty ndarray', request: post('/predict', '{"data":{"foo":[1]}}'), status: 200, body: '{"data":{"names":[],"ndarray":[]},"meta":{}}\n' },
    // Deviation of the protocol package (not the REST glue): a shape mismatch is the client's 400, not a 500.
    {
      name: 'identity.32 tensor shape/values mismatch (400 here, 500 in the wrapper)',
      request: post('/predict', '{"data":{"tensor":{"shape":[2,2],"values":[1,2,3]}}}'),
      status: 400,
      body: envelope('cannot reshape array of size 3 into shape (2,2)')
    },
    // Deviation: 404 and 405 get their own statuses (the wrapper answers 500 for both).
    { name: 'identity.34 unknown path (404 here)', request: get('/nope'), status: 404, body: envelope('Not Found: GET /nope') },
    {
      name: 'identity.35 GET on POST-only route (405 here)',
      request: get('/api/v1.0/predictions'),
      status: 405,
      body: envelope('Method Not Allowed: GET /api/v1.0/predictions'),
      headers: { allow: 'POST, OPTIONS' }
    },
    {
      name: 'identity.36 PUT /predict (405 here)',
      request: { method: 'PUT', url: '/predict', payload: FLOATS_1234, headers: JSON_CT },
      status: 405,
      body: envelope('Method Not Allowed: PUT /predict'),
      headers: { allow: 'GET, HEAD, POST, OPTIONS' }
    },
    {
      name: 'identity.38 GET /seldon.json',
      request: get('/seldon.json'),
      status: 200,
      body: (await app.inject(get('/seldon.json'))).body,
      headers: { 'content-disposition': 'inline; filename=seldon.json' }
    },
    { name: 'identity.40 HTTP port GET /metrics (404 here)', request: get('/metrics'), status: 404, body: envelope('Not Found: GET /metrics') }
  ])

  // identity.33: a ragged ndarray is refused as the client's 400 by the protocol package (500 in the wrapper)
  const ragged = await app.inject(post('/predict', '{"data":{"ndarray":[[1,2],[3]]}}'))
  t.equal(ragged.statusCode, 400, 'identity.33 ragged ndarray: 400 here')
  t.match(ragged.json(), { status: { code: -1, reason: 'MICROSERVICE_BAD_DATA', status: 1, info: /inhomogeneous/ } })

  // identity.37: the CORS preflight
  const preflight = await app.inject({ method: 'OPTIONS', url: '/predict', headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' } })
  t.equal(preflight.statusCode, 200, 'identity.37 preflight status')
  t.equal(preflight.headers['access-control-allow-origin'], 'http://example.test', 'identity.37 origin echoed')
  t.equal(preflight.headers['access-control-allow-methods'], 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT', 'identity.37 methods')
  t.match(preflight.headers.vary, /Origin/, 'identity.37 Vary: Origin')
  t.equal(preflight.headers['content-length'], '0')
  t.equal(preflight.body, '')

  // identity.38: a valid OpenAPI 3.0 document
  const doc = (await app.inject(get('/seldon.json'))).json()
  t.equal(doc.openapi, '3.0.0')
  t.equal(doc.info.title, 'Seldon External API')
  t.ok(doc.paths['/api/v1.0/predictions'].post.requestBody)
  t.ok(doc.paths['/predict'].get.parameters.some((p: { name: string, in: string }) => p.name === 'json' && p.in === 'query'))
})

const RICH_METRICS = (method: string): string => `"metrics":[{"key":"rich_calls_total","type":"COUNTER","value":1},{"key":"rich_multiplier","type":"GAUGE","value":3.0},{"key":"rich_fake_timer","type":"TIMER","value":12.5},{"key":"rich_tagged","tags":{"kind":"x","method":"${method}"},"type":"COUNTER","value":1}]`

t.test('rich: RichModel(multiplier=3) (MODEL)', async t => {
  const app = await build(t, new RichModel({ multiplier: 3 }))
  await replay(t, app, [
    {
      name: 'rich.1 predict ndarray -> class_names, tags, metrics in meta',
      request: post('/predict', FLOATS_1234),
      status: 200,
      body: `{"data":{"names":["a","b","c","d"],"ndarray":[[3.0,6.0,9.0,12.0]]},"meta":{${RICH_METRICS('predict')},"tags":{"model":"rich","version":"v1"}}}\n`
    },
    {
      name: 'rich.2 predict tensor',
      request: post('/api/v1.0/predictions', '{"data":{"tensor":{"shape":[1,4],"values":[1,2,3,4]}}}'),
      status: 200,
      body: `{"data":{"names":["a","b","c","d"],"tensor":{"shape":[1,4],"values":[3.0,6.0,9.0,12.0]}},"meta":{${RICH_METRICS('predict')},"tags":{"model":"rich","version":"v1"}}}\n`
    },
    {
      name: 'rich.3 predict 1-D ndarray (no class names for 1-D)',
      request: post('/predict', '{"data":{"ndarray":[1,2]}}'),
      status: 200,
      body: `{"data":{"names":[],"ndarray":[3.0,6.0]},"meta":{${RICH_METRICS('predict')},"tags":{"model":"rich","version":"v1"}}}\n`
    },
    {
      name: 'rich.4 request meta tags merged with model tags',
      request: post('/predict', '{"meta":{"tags":{"client":"yes","model":"overridden?"}},"data":{"ndarray":[[1,2,3,4]]}}'),
      status: 200,
      body: `{"data":{"names":["a","b","c","d"],"ndarray":[[3.0,6.0,9.0,12.0]]},"meta":{${RICH_METRICS('predict')},"tags":{"client":"yes","model":"rich","version":"v1"}}}\n`
    },
    {
      name: 'rich.5 GET /health/status (user health_status)',
      request: get('/health/status'),
      status: 200,
      body: `{"jsonData":{"calls":4,"healthy":true},"meta":{${RICH_METRICS('health')},"tags":{"model":"rich","version":"v1"}}}\n`
    },
    {
      name: 'rich.6 GET /metadata (user init_metadata)',
      request: get('/metadata'),
      status: 200,
      body: '{"custom":{"author":"ref"},"inputs":[{"messagetype":"tensor","schema":{"names":["a","b","c","d"],"shape":[4]}}],"name":"rich-model","outputs":[{"messagetype":"tensor","schema":{"shape":[4]}}],"platform":"seldon","versions":["v1"]}\n'
    }
  ])
})

t.test('router: RouterModel (ROUTER)', async t => {
  const component = new RouterModel()
  const app = await build(t, component)
  await replay(t, app, [
    { name: 'router.1 route -> child 0', request: post('/route', '{"data":{"ndarray":[[0.1,0.2]]}}'), status: 200, body: '{"data":{"names":["t:0"],"ndarray":[[0]]},"meta":{}}\n' },
    { name: 'router.2 route -> child 1', request: post('/route', '{"data":{"ndarray":[[0.9,0.2]]}}'), status: 200, body: '{"data":{"names":["t:0"],"ndarray":[[1]]},"meta":{}}\n' },
    {
      name: 'router.3 route tensor',
      request: post('/route', '{"data":{"tensor":{"shape":[1,1],"values":[0.7]}}}'),
      status: 200,
      body: '{"data":{"names":["t:0"],"tensor":{"shape":[1,1],"values":[1]}},"meta":{}}\n'
    },
    {
      name: 'router.4 send-feedback with meta.routing',
      request: post('/send-feedback', '{"request":{"data":{"ndarray":[[0.9]]}},"response":{"meta":{"routing":{"router":1}},"data":{"ndarray":[[1]]}},"reward":0.5}'),
      status: 200,
      body: '{"data":{"ndarray":[]},"meta":{}}\n'
    },
    {
      name: 'router.5 predict on a ROUTER (no predict method)',
      request: post('/predict', FLOATS_1234),
      status: 200,
      body: '{"data":{"names":[],"ndarray":[]},"meta":{}}\n'
    }
  ])
  t.same([...component.rewards], [[undefined, 0.5]], 'routing is read under PREDICTIVE_UNIT_ID ("0" when unset): none here')
})

t.test('combiner: AverageCombiner (COMBINER)', async t => {
  const app = await build(t, new AverageCombiner())
  await replay(t, app, [
    {
      name: 'combiner.1 aggregate ndarray (mean)',
      request: post('/aggregate', '{"seldonMessages":[{"data":{"ndarray":[[1.0,2.0]]}},{"data":{"ndarray":[[3.0,6.0]]}}]}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,4.0]]},"meta":{}}\n'
    },
    {
      name: 'combiner.2 aggregate tensor (mean)',
      request: post('/aggregate', '{"seldonMessages":[{"data":{"tensor":{"shape":[1,2],"values":[1,2]}}},{"data":{"tensor":{"shape":[1,2],"values":[3,6]}}}]}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[1,2],"values":[2.0,4.0]}},"meta":{}}\n'
    },
    {
      name: 'combiner.3 aggregate with meta on children',
      request: post('/aggregate', '{"seldonMessages":[{"meta":{"tags":{"a":1}},"data":{"names":["x","y"],"ndarray":[[1,2]]}},{"meta":{"tags":{"b":2}},"data":{"names":["x","y"],"ndarray":[[3,4]]}}]}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,3.0]]},"meta":{"tags":{"a":1,"b":2}}}\n'
    },
    {
      name: 'combiner.4 aggregate without seldonMessages',
      request: post('/aggregate', FLOATS_1234),
      status: 400,
      body: envelope("Invalid request data type: {'data': {'ndarray': [[1.0, 2.0, 3.0, 4.0]]}}")
    },
    {
      name: 'aggregate: a bare array of messages (what the executor sends)',
      request: post('/aggregate', '[{"data":{"ndarray":[[1.0,2.0]]}},{"data":{"ndarray":[[3.0,6.0]]}}]'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,4.0]]},"meta":{}}\n'
    }
  ])
})

t.test('transformer: ScaleTransformer (TRANSFORMER)', async t => {
  const app = await build(t, new ScaleTransformer())
  await replay(t, app, [
    {
      name: 'transformer.1 transform-input (+1)',
      request: post('/transform-input', FLOATS_1234),
      status: 200,
      body: '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[2.0,3.0,4.0,5.0]]},"meta":{}}\n'
    },
    {
      name: 'transformer.2 transform-output (*10)',
      request: post('/transform-output', FLOATS_1234),
      status: 200,
      body: '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[10.0,20.0,30.0,40.0]]},"meta":{}}\n'
    },
    {
      name: 'transformer.3 transform-input tensor',
      request: post('/transform-input', '{"data":{"tensor":{"shape":[1,2],"values":[1,2]}}}'),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"tensor":{"shape":[1,2],"values":[2.0,3.0]}},"meta":{}}\n'
    },
    {
      name: 'transformer.4 GET /transform-input?json=',
      request: get(`/transform-input?json=${QUERY_1234}`),
      status: 200,
      body: '{"data":{"names":["t:0","t:1","t:2","t:3"],"ndarray":[[2.0,3.0,4.0,5.0]]},"meta":{}}\n'
    },
    {
      name: 'transformer.5 predict on a TRANSFORMER (no predict method)',
      request: post('/predict', FLOATS_1234),
      status: 200,
      body: '{"data":{"names":[],"ndarray":[]},"meta":{}}\n'
    }
  ])
})

t.test('error: ErrorModel (MODEL) with a custom error handler', async t => {
  const app = await build(t, new ErrorModel())
  await replay(t, app, [
    { name: 'error.1 ok path', request: post('/predict', '{"data":{"ndarray":[[1,2]]}}'), status: 200, body: '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n' },
    {
      name: 'error.2 user exception via the error handler -> 402',
      request: post('/predict', '{"data":{"ndarray":[[-1,2]]}}'),
      status: 402,
      body: '{"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}\n'
    },
    {
      name: 'error.3 plain Error -> generic 500',
      request: post('/predict', '{"data":{"ndarray":[[0,2]]}}'),
      status: 500,
      body: envelope('zero is not allowed', 'MICROSERVICE_INTERNAL_ERROR')
    }
  ])
})

t.test('feedback: FeedbackModel (MODEL)', async t => {
  const app = await build(t, new FeedbackModel())
  const truthFeedback = '{"request":{"data":{"ndarray":[[1.0]]}},"response":{"data":{"ndarray":[[0.0,0.0]]}},"reward":1.5,"truth":{"data":{"ndarray":[[1.0]]}}}'
  await replay(t, app, [
    {
      name: 'feedback.1 predict before feedback',
      request: post('/predict', FLOATS_1234),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[0.0,0]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":0.0}]}}\n'
    },
    {
      name: 'feedback.2 send-feedback reward=1.5 (returns truth)',
      request: post('/send-feedback', truthFeedback),
      status: 200,
      body: '{"data":{"names":["t:0"],"ndarray":[[1.0]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":1.5}]}}\n'
    },
    {
      name: 'feedback.3 api/v1.0/feedback reward=1.5',
      request: post('/api/v1.0/feedback', truthFeedback),
      status: 200,
      body: '{"data":{"names":["t:0"],"ndarray":[[1.0]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":3.0}]}}\n'
    },
    {
      name: 'feedback.4 predict after feedback',
      request: post('/predict', FLOATS_1234),
      status: 200,
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[3.0,2]]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":3.0}]}}\n'
    },
    {
      name: 'feedback.5 feedback without truth',
      request: post('/send-feedback', '{"request":{"data":{"ndarray":[[1.0]]}},"reward":2}'),
      status: 200,
      body: '{"data":{"ndarray":[]},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":5.0}]}}\n'
    },
    {
      name: 'feedback via /api/v0.1/feedback',
      request: post('/api/v0.1/feedback', '{"reward":0}'),
      status: 200,
      body: '{"data":{"tensor":{"shape":[0]}},"meta":{"metrics":[{"key":"feedback_total_reward","type":"GAUGE","value":5.0}]}}\n'
    }
  ])
})
