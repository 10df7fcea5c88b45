/**
 * Reading the payload (seldon-core v1.18.2 python/seldon_core/flask_utils.py get_request, and our deviations in COMPATIBILITY.md): precedence multipart > form `json`
 * > query `json` > JSON body, content types, malformed inputs, PAYLOAD_PASSTHROUGH.
 */
import t from 'tap'
import { build, envelope, json, multipartBody, MULTIPART } from './helper.js'
import { IdentityModel } from '@fastify-seldon/test-models'
import { optionsFromEnv } from '@fastify-seldon/core'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const q = (value: string): string => encodeURIComponent(value)

t.test('precedence: form json > query json > body', async t => {
  const app = await build(t, new IdentityModel())
  const both = await app.inject({ method: 'POST', url: `/predict?json=${q('{"strData":"query"}')}`, headers: FORM, payload: `json=${q('{"strData":"form"}')}` })
  t.equal(both.body, '{"meta":{},"strData":"form"}\n', 'the form field wins over the query')

  const queryOverBody = await app.inject({ method: 'POST', url: `/predict?json=${q('{"strData":"query"}')}`, headers: { 'content-type': 'application/json' }, payload: '{"strData":"body"}' })
  t.equal(queryOverBody.body, '{"meta":{},"strData":"query"}\n', 'the query wins over the body')

  const malformedBodyIgnored = await app.inject({ method: 'POST', url: `/predict?json=${q('{"strData":"query"}')}`, headers: { 'content-type': 'application/json' }, payload: 'not json' })
  t.equal(malformedBodyIgnored.statusCode, 200, 'a body the query shadows is never parsed')

  const emptyFormField = await app.inject({ method: 'POST', url: `/predict?json=${q('{"strData":"query"}')}`, headers: FORM, payload: 'json=' })
  t.equal(emptyFormField.body, '{"meta":{},"strData":"query"}\n', 'an empty form field falls through to the query')

  const formWithoutJson = await app.inject({ method: 'POST', url: '/predict', headers: FORM, payload: 'other=1' })
  t.equal(formWithoutJson.statusCode, 400)
  t.equal(formWithoutJson.body, envelope("Can't find JSON in data"), 'a form without json is not JSON')

  const emptyQuery = await app.inject({ method: 'POST', url: '/predict?json=', headers: { 'content-type': 'application/json' }, payload: '{"strData":"body"}' })
  t.equal(emptyQuery.body, '{"meta":{},"strData":"body"}\n', 'an empty ?json= falls through to the body')

  const repeated = await app.inject({ method: 'GET', url: `/predict?json=${q('{"strData":"first"}')}&json=${q('{"strData":"second"}')}` })
  t.equal(repeated.body, '{"meta":{},"strData":"first"}\n', 'the first ?json= wins, as Werkzeug args.get')

  const textWithQuery = await app.inject({ method: 'POST', url: `/predict?json=${q('{"strData":"q"}')}`, headers: { 'content-type': 'text/plain' }, payload: 'whatever' })
  t.equal(textWithQuery.body, '{"meta":{},"strData":"q"}\n', 'any body type with ?json= uses the query')
})

t.test('JSON bodies: content types, null, empty, errors', async t => {
  const app = await build(t, new IdentityModel())
  const vendor = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/vnd.seldon+json; charset=utf-8' }, payload: '{"strData":"v"}' })
  t.equal(vendor.body, '{"meta":{},"strData":"v"}\n', 'application/*+json is JSON')
  const charset = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"strData":"é"}' })
  t.equal(charset.body, '{"meta":{},"strData":"\\u00e9"}\n', 'UTF-8 read, non-ASCII escaped like Python')

  for (const [name, payload] of [['literal null', 'null'], ['empty body', ''], ['whitespace', '  '], ['truncated', '{"data":']] as const) {
    const res = await json(app, '/predict', payload)
    t.equal(res.statusCode, 400, name)
    t.equal(res.body, envelope("Can't find JSON in data"), name)
  }
  const octet = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('{"strData":"x"}') })
  t.equal(octet.body, envelope("Can't find JSON in data"), 'octet-stream is not JSON')
  const noType = await app.inject({ method: 'POST', url: '/predict', payload: '{"strData":"x"}', headers: { 'content-type': undefined as unknown as string } })
  t.equal(noType.body, envelope("Can't find JSON in data"), 'a body without a content type is not JSON')
  const getNoQuery = await app.inject({ method: 'GET', url: '/predict' })
  t.equal(getNoQuery.body, envelope("Can't find JSON in data"), 'GET without ?json=')

  const list = await json(app, '/predict', '[1,2]')
  t.equal(list.statusCode, 400)
  t.equal(list.body, envelope('Invalid request data type: [1, 2]'), 'a JSON array is not a SeldonMessage (Python repr)')
  const custom = await json(app, '/predict', '{"customData":{"a":1}}')
  t.equal(custom.body, envelope("Invalid request data type: {'customData': {'a': 1}}"), 'customData is gRPC-only')
})

t.test('malformed JSON in ?json=, form or multipart: 400 (deviation: the wrapper answers 500)', async t => {
  const app = await build(t, new IdentityModel())
  const query = await app.inject({ method: 'GET', url: `/predict?json=${q('{bad')}` })
  t.equal(query.statusCode, 400)
  t.match(query.json(), { status: { code: -1, reason: 'MICROSERVICE_BAD_DATA', status: 1, info: /^Invalid JSON in query parameter json: / } })
  const form = await app.inject({ method: 'POST', url: '/predict', headers: FORM, payload: `json=${q('[1,')}` })
  t.equal(form.statusCode, 400)
  t.match(form.json(), { status: { info: /^Invalid JSON in form field json: / } })
  const part = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': MULTIPART }, payload: multipartBody([{ name: 'meta', value: '{nope' }, { name: 'strData', value: 'x' }]) })
  t.equal(part.statusCode, 400)
  t.match(part.json(), { status: { info: /^Invalid JSON in multipart part meta: / } })
  const queryNull = await app.inject({ method: 'GET', url: '/predict?json=null' })
  t.equal(queryNull.body, envelope('Invalid request data type: None'), '?json=null reaches the message check')
})

t.test('multipart/form-data (as flask_utils.py reads it)', async t => {
  const app = await build(t, new IdentityModel())
  const send = (parts: Parameters<typeof multipartBody>[0], url = '/predict') =>
    app.inject({ method: 'POST', url, headers: { 'content-type': MULTIPART }, payload: multipartBody(parts) })

  t.equal((await send([{ name: 'data', value: '{"ndarray":[[1.0,2]]}' }])).body,
    '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.0]]},"meta":{}}\n', 'a data text part is JSON, number-faithful (float64 like numpy)')
  t.equal((await send([{ name: 'jsonData', value: '{"k":[1,2.50]}' }])).body, '{"jsonData":{"k":[1,2.5]},"meta":{}}\n', 'jsonData part')
  t.equal((await send([{ name: 'strData', value: '{"not":"parsed"}' }])).body, '{"meta":{},"strData":"{\\"not\\":\\"parsed\\"}"}\n', 'strData text verbatim')
  t.equal((await send([{ name: 'binData', value: Buffer.from([0, 1, 2, 255]), filename: 'b.bin', type: 'application/octet-stream' }])).body,
    '{"binData":"AAEC/w==","meta":{}}\n', 'binData file → base64')
  t.equal((await send([{ name: 'strData', value: 'first' }, { name: 'strData', value: 'second' }])).body,
    '{"meta":{},"strData":"first"}\n', 'a repeated field: the first wins')
  t.equal((await send([{ name: 'strData', value: 'as text' }, { name: 'strData', value: 'as file', filename: 's.txt' }])).body,
    '{"meta":{},"strData":"as file"}\n', 'files override fields of the same name, as the wrapper applies them after')
  t.equal((await send([{ name: 'strData', value: 'x' }, { name: 'meta', value: '{"tags":{"a":1}}' }])).body,
    '{"meta":{"tags":{"a":1}},"strData":"x"}\n', 'meta part merged')
  t.equal((await send([])).body, envelope('Invalid request data type: {}'), 'no parts: an empty dict')
  t.equal((await send([{ name: 'strData', value: '"json typed"', type: 'application/json' }])).body,
    '{"meta":{},"strData":"json typed"}\n', 'a part sent as application/json is parsed by @fastify/multipart')
  t.equal((await send([{ name: 'data', value: '{"ndarray":[[5]]}', type: 'application/json' }], '/transform-input')).body,
    '{"data":{"names":["t:0"],"ndarray":[[5]]},"meta":{}}\n', 'multipart on another route')
  const bad = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': MULTIPART }, payload: `--${'----seldonrefboundary7MA4YWxkTrZu0gW'}\r\nContent-Disposition: form-data; name="strData"\r\n\r\nunterminated` })
  t.equal(bad.statusCode, 400, 'truncated multipart data is a 400')
  t.equal(bad.json().status.reason, 'MICROSERVICE_BAD_DATA')
})

t.test('body limits: 413 with the envelope', async t => {
  const app = await build(t, new IdentityModel(), {}, { bodyLimit: 64 })
  const big = await json(app, '/predict', JSON.stringify({ strData: 'x'.repeat(100) }))
  t.equal(big.statusCode, 413)
  t.equal(big.body, envelope('Request body is larger than 64 bytes'))
  const bigFile = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': MULTIPART }, payload: multipartBody([{ name: 'binData', value: Buffer.alloc(200), filename: 'b.bin' }]) })
  t.equal(bigFile.statusCode, 413)
  t.equal(bigFile.body, envelope('Request body is larger than 64 bytes'))
  const bigField = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': MULTIPART }, payload: multipartBody([{ name: 'strData', value: 'y'.repeat(200) }]) })
  t.equal(bigField.statusCode, 413)
})

t.test('PAYLOAD_PASSTHROUGH: raw text to predictRaw, result written as is', async t => {
  const seen: unknown[] = []
  const component = {
    predictRaw (raw: unknown) { seen.push(raw); return typeof raw === 'string' && raw.startsWith('obj') ? { echoed: raw } : `raw:${String(raw)}` },
    transformInputRaw (msg: unknown) { return { parsed: msg } }
  }
  const app = await build(t, component, { payloadPassthrough: true })
  const body = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"data": 1.0}' })
  t.equal(body.statusCode, 200)
  t.equal(body.body, 'raw:{"data": 1.0}', 'the body text, untouched, and the result as is')
  t.equal(body.headers['content-type'], 'application/json')
  const text = await app.inject({ method: 'POST', url: '/api/v1.0/predictions', headers: { 'content-type': 'text/plain' }, payload: 'anything' })
  t.equal(text.body, 'raw:anything', 'any content type')
  const query = await app.inject({ method: 'GET', url: `/predict?json=${q('{"a":1}')}` })
  t.equal(query.body, 'raw:{"a":1}', 'the ?json= string')
  const form = await app.inject({ method: 'POST', url: '/api/v0.1/predictions', headers: FORM, payload: `json=${q('{"f":2}')}` })
  t.equal(form.body, 'raw:{"f":2}', 'the form json string')
  const formOther = await app.inject({ method: 'POST', url: '/predict', headers: FORM, payload: 'x=1' })
  t.equal(formOther.body, 'raw:x=1', 'a form without json: its raw text')
  const multi = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': MULTIPART }, payload: multipartBody([{ name: 'strData', value: 'hi' }]) })
  t.equal(multi.body, 'raw:{"strData":"hi"}', 'multipart: the dict as JSON text')
  const object = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: 'obj' })
  t.equal(object.body, '{"echoed":"obj"}\n', 'an object result is rendered as JSON')
  for (const request of [{ method: 'POST' as const, url: '/predict' }, { method: 'POST' as const, url: '/predict', headers: { 'content-type': 'application/json' }, payload: '' }, { method: 'GET' as const, url: '/predict' }]) {
    const res = await app.inject(request)
    t.equal(res.statusCode, 400)
    t.equal(res.body, envelope("Can't find data"), `no data: ${request.method} ${request.payload === undefined ? 'no body' : 'empty body'}`)
  }
  const other = await json(app, '/transform-input', '{"strData":"x"}')
  t.equal(other.body, '{"parsed":{"strData":"x"}}\n', 'only the predict routes pass through')
  t.same(seen.length, 7)
})

t.test('PAYLOAD_PASSTHROUGH from the environment (1/true/t)', async t => {
  for (const [value, on] of [['1', true], ['TRUE', true], ['t', true], ['false', false], ['yes', false]] as const) {
    const app = await build(t, { predictRaw: (raw: unknown) => (typeof raw === 'string' ? 'passthrough' : { decoded: true }) }, optionsFromEnv({ PAYLOAD_PASSTHROUGH: value }))
    const res = await json(app, '/predict', '{"strData":"x"}')
    t.equal(res.body, on ? 'passthrough' : '{"decoded":true}\n', `PAYLOAD_PASSTHROUGH=${value}`)
  }
  const app = await build(t, { predict: (X: unknown) => X }, optionsFromEnv({ PAYLOAD_PASSTHROUGH: 'true' }))
  const res = await json(app, '/predict', '{"strData":"x"}')
  t.equal(res.statusCode, 400)
  t.equal(res.body, envelope('PAYLOAD_PASSTHROUGH needs a predictRaw method'))
})
