/** JAEGER_EXTRA_TAGS: each Flask request attribute name we map, read off a real Fastify request. */
import t from 'tap'
import Fastify, { type FastifyRequest } from 'fastify'
import { compileExtraTags } from '../src/extra-tags.js'

t.test('every supported name, as Flask would render it', async t => {
  const app = Fastify()
  let seen: FastifyRequest | undefined
  app.post('/predict', async request => { seen = request; return {} })
  await app.inject({
    method: 'POST',
    url: '/predict?json=%7B%7D&x=1',
    headers: { host: 'model:9000', 'content-type': 'Application/JSON; charset=utf-8', 'user-agent': 'curl/8', 'x-multi': ['a', 'b'] },
    payload: '{}'
  })
  await app.close()
  const request = seen as FastifyRequest
  const bare = await (async () => {
    const app2 = Fastify()
    let got: FastifyRequest | undefined
    app2.post('/predict', async r => { got = r; return {} })
    await app2.inject({ method: 'POST', url: '/predict', payload: '' })
    await app2.close()
    return got as FastifyRequest
  })()
  const names = ['path', 'full_path', 'url', 'base_url', 'url_root', 'host_url', 'host', 'scheme', 'method', 'remote_addr',
    'content_type', 'mimetype', 'content_length', 'user_agent', 'query_string', 'endpoint', 'url_rule']
  const { getters, warnings } = compileExtraTags([...names, 'path'])
  t.same(warnings, [])
  t.equal(getters.length, names.length, 'a repeated name counts once')
  const values = Object.fromEntries(getters.map(([name, get]) => [name, get(request, 'Predict')]))
  t.same(values, {
    path: '/predict',
    full_path: '/predict?json=%7B%7D&x=1',
    url: 'http://model:9000/predict?json=%7B%7D&x=1',
    base_url: 'http://model:9000/predict',
    url_root: 'http://model:9000/',
    host_url: 'http://model:9000/',
    host: 'model:9000',
    scheme: 'http',
    method: 'POST',
    remote_addr: '127.0.0.1',
    content_type: 'Application/JSON; charset=utf-8',
    mimetype: 'application/json',
    content_length: '2',
    user_agent: 'curl/8',
    query_string: 'json=%7B%7D&x=1',
    endpoint: 'Predict',
    url_rule: '/predict'
  })
  const absent = Object.fromEntries(getters.map(([name, get]) => [name, get(bare, 'Predict')]))
  t.equal(absent.mimetype, undefined)
  t.equal(absent.query_string, '')
  t.equal(absent.full_path, '/predict?', 'Flask\'s full_path ends with ? even without a query')
  const multi = compileExtraTags(['user_agent']).getters[0]?.[1]
  t.equal(multi?.({ headers: { 'user-agent': ['a', 'b'] } } as unknown as FastifyRequest, ''), 'a, b')
})
