import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import SummaryModel, { numbersIn } from '../src/SummaryModel.js'

async function app (t: Test) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component: new SummaryModel(), unitId: 'summary' })
  t.teardown(() => instance.close())
  return instance
}

t.test('predictRaw: the message in, the message out, verbatim', async t => {
  const a = await app(t)
  const ndarray = await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload: { data: { ndarray: [[1, 2], [3, 4]] }, meta: { puid: 'p1', tags: { client: 'web' } } } })
  t.equal(ndarray.statusCode, 200)
  t.equal(ndarray.body,
    '{"jsonData":{"count":4,"max":4,"mean":2.5,"min":1},' +
    '"meta":{"metrics":[{"key":"summary_values","type":"COUNTER","value":4}],"puid":"p1","tags":{"summarised_by":"SummaryModel"}}}\n',
    'only what predictRaw built: no request tags, no requestPath, no names')

  const tensor = await a.inject({ method: 'POST', url: '/predict', payload: { data: { tensor: { shape: [3], values: [0.5, 1.5, 4] } } } })
  t.equal(tensor.body, '{"jsonData":{"count":3,"max":4,"mean":2.0,"min":0.5},"meta":{"metrics":[{"key":"summary_values","type":"COUNTER","value":3}],"tags":{"summarised_by":"SummaryModel"}}}\n')

  const json = await a.inject({ method: 'POST', url: '/api/v0.1/predictions', payload: { jsonData: { values: [10, 20] } } })
  t.equal(json.statusCode, 200)
  t.same(json.json().jsonData, { count: 2, max: 20, mean: 15, min: 10 }, 'jsonData.values reaches predictRaw as sent')
})

t.test('a status.code in the returned message is the HTTP status', async t => {
  const a = await app(t)
  const expected = '{"status":{"code":400,"info":"send numbers in data.ndarray, data.tensor or jsonData.values","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}\n'
  for (const payload of [{ strData: 'one two' }, { jsonData: { text: 'hi' } }, { data: { ndarray: [['a', 'b']] } }, { data: { ndarray: [] } }]) {
    const res = await a.inject({ method: 'POST', url: '/api/v1.0/predictions', payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.equal(res.body, expected, 'the body as predictRaw returned it')
  }
})

t.test('sendFeedbackRaw gets the whole Feedback; healthStatusRaw answers /health/status', async t => {
  const a = await app(t)
  const first = await a.inject({ method: 'POST', url: '/send-feedback', payload: { request: { data: { ndarray: [[1, 2]] } }, reward: 1, truth: { data: { ndarray: [[1]] } } } })
  t.equal(first.statusCode, 200)
  t.equal(first.body, '{"jsonData":{"feedbacks":1.0,"had_truth":true,"mean_reward":1.0},"meta":{"metrics":[{"key":"summary_mean_reward","type":"GAUGE","value":1.0}]}}\n',
    'feedback answers follow proto-JSON (numbers as doubles), as the wrapper\'s')
  const second = await a.inject({ method: 'POST', url: '/api/v1.0/feedback', payload: { request: { data: { ndarray: [[1, 2]] } }, reward: 0 } })
  t.same(second.json().jsonData, { feedbacks: 2, had_truth: false, mean_reward: 0.5 })

  await a.inject({ method: 'POST', url: '/predict', payload: { data: { ndarray: [1] } } })
  for (const url of ['/health/status', '/api/v1.0/health/status']) {
    const health = await a.inject({ method: 'GET', url })
    t.equal(health.statusCode, 200)
    t.equal(health.body, '{"jsonData":{"feedbacks":2,"ready":true,"summaries":1}}\n', url)
  }
})

t.test('numbersIn: every payload form, typed arrays (gRPC) included', async t => {
  t.same(numbersIn({ data: { tensor: { shape: [2], values: new Float64Array([1.5, 2]) } } }), [1.5, 2])
  t.same(numbersIn({ data: { ndarray: [[1], [2, 3]] } }), [1, 2, 3], 'ragged nested arrays are fine: only the numbers matter')
  t.same(numbersIn({ jsonData: { values: 4 } }), [4])
  t.equal(numbersIn({ jsonData: [1, 2] }), undefined, 'a bare jsonData list is not jsonData.values')
  t.equal(numbersIn({ jsonData: null }), undefined)
  t.equal(numbersIn({ binData: 'AAE=' }), undefined)
  t.same(new SummaryModel().sendFeedbackRaw({}).jsonData, { feedbacks: 1, mean_reward: 0, had_truth: false }, 'no reward counts as 0')
})
