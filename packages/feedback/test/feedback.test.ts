import t from 'tap'
import Fastify from 'fastify'
import { seldonModel } from '@fastify-seldon/model'
import seldonFeedbackDefault, { seldonFeedback } from '../src/index.js'
import { optionsFromEnv } from '@fastify-seldon/core'

const JSON_CT = { 'content-type': 'application/json' }
const FEEDBACK = '{"request":{"data":{"ndarray":[[1.0]]}},"response":{"meta":{"routing":{"0":2}}},"reward":1.5,"truth":{"data":{"ndarray":[[1.0]]}}}'

class Learner {
  total = 0
  routings: unknown[] = []
  predict (): unknown[] { return [[this.total]] }
  send_feedback (_f: unknown, _n: string[], reward: number, truth: unknown, routing?: number): unknown {
    this.total += reward
    this.routings.push(routing)
    return truth
  }
}

t.test('exports', async t => {
  t.equal(seldonFeedbackDefault, seldonFeedback)
})

t.test('beside seldonModel: one runtime, feedback routes, shared health', async t => {
  const component = new Learner()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonModel, { component })
  await app.register(seldonFeedback, { component })
  await app.ready()
  for (const url of ['/send-feedback', '/api/v1.0/feedback', '/api/v0.1/feedback']) {
    const res = await app.inject({ method: 'POST', url, headers: JSON_CT, payload: FEEDBACK })
    t.equal(res.body, '{"data":{"names":["t:0"],"ndarray":[[1.0]]},"meta":{}}\n', url)
  }
  t.same(component.routings, [2, 2, 2], 'routing read under unit id "0"')
  t.equal((await app.inject({ method: 'POST', url: '/predict', headers: JSON_CT, payload: '{"strData":""}' })).body,
    '{"data":{"names":["t:0"],"tensor":{"shape":[1,1],"values":[4.5]}},"meta":{}}\n', 'the model saw the rewards')
  t.equal((await app.inject('/send-feedback?json=%7B%22reward%22%3A0%7D')).statusCode, 200)
  t.equal((await app.inject('/health/ping')).body, 'pong')
  t.equal((await app.inject({ method: 'GET', url: '/api/v1.0/feedback' })).statusCode, 405)
})

t.test('a component without sendFeedback answers an empty message', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonFeedback, { component: {}, prefix: '/f', ...optionsFromEnv({ PREDICTIVE_UNIT_ID: 'u' }) })
  const res = await app.inject({ method: 'POST', url: '/f/send-feedback', headers: JSON_CT, payload: '{"request":{"data":{"ndarray":[]}},"reward":1}' })
  t.equal(res.body, '{"data":{"ndarray":[]},"meta":{"requestPath":{"u":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"}}}\n')
  const bad = await app.inject({ method: 'POST', url: '/f/send-feedback', headers: JSON_CT, payload: '{"reward":"x"}' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().status.info, /^Invalid JSON: /)
})
