/**
 * Feedback through the graph: routed back the way the prediction went (meta.routing), children
 * before their parent, the root's answer or an echo of the request, errors.
 */
import t from 'tap'
import { SeldonMicroserviceError, parseJson, stringifyJson, type SeldonMessage } from '@fastify-seldon/protocol'
import type { PredictiveUnit } from '../src/index.js'
import { Probe, feedback, graphApp, predict } from './fixtures.js'

const graph: PredictiveUnit = {
  name: 't',
  type: 'TRANSFORMER',
  children: [{
    name: 'r',
    type: 'ROUTER',
    children: [{ name: 'a', type: 'MODEL' }, { name: 'b', type: 'MODEL', children: [{ name: 'c', type: 'MODEL' }] }]
  }]
}

function probes (calls: string[], route = 1): Record<string, object> {
  return { t: new Probe('t', calls), r: new Probe('r', calls, { route: () => route }), a: new Probe('a', calls), b: new Probe('b', calls), c: new Probe('c', calls) }
}

t.test('feedback follows meta.routing of the answer; children first; a TRANSFORMER root echoes the request', async t => {
  const calls: string[] = []
  const app = await graphApp(t, { graph, components: probes(calls) })
  const answer = await predict(app, '{"strData":"x"}')
  t.equal(answer.statusCode, 200)
  const response = parseJson(answer.body) as SeldonMessage
  t.equal(response.strData, 'x>t.ti>b.p>c.p')
  t.same(response.meta?.routing, { b: -1, c: -1, r: 1, t: -1 })
  calls.length = 0

  const body = `{"request":{"strData":"x"},"response":${answer.body.trim()},"reward":1.0}`
  const res = await feedback(app, body)
  t.equal(res.statusCode, 200)
  t.equal(res.body, body, 'the root sends no feedback: the request is the answer, byte for byte')
  t.equal(res.headers['content-type'], 'application/json')
  t.same(calls, ['c.fb(1,-1)', 'b.fb(1,-1)', 'r.fb(1,1)'], 'only the branch taken, children before parents, each told its route')
})

t.test('without routing every child hears it; -2 none; out of range is the client\'s mistake', async t => {
  const calls: string[] = []
  const app = await graphApp(t, { graph, components: probes(calls) })
  const res = await feedback(app, '{"request":{"strData":"x"},"reward":0.5}')
  t.equal(res.statusCode, 200)
  t.same([...calls].sort(), ['a.fb(0.5,none)', 'b.fb(0.5,none)', 'c.fb(0.5,none)', 'r.fb(0.5,none)'])
  t.equal(calls.at(-1), 'r.fb(0.5,none)', 'the router after its children')
  t.ok(calls.indexOf('c.fb(0.5,none)') < calls.indexOf('b.fb(0.5,none)'), 'c before its parent b')

  calls.length = 0
  await feedback(app, '{"response":{"meta":{"routing":{"r":-2}}},"reward":1}')
  t.same(calls, ['r.fb(1,-2)'], '-2: no child got the request, none gets the feedback')

  calls.length = 0
  await feedback(app, '{"response":{"meta":{"routing":{"r":0,"b":-1}}},"reward":1}')
  t.same(calls, ['a.fb(1,none)', 'r.fb(1,0)'])

  for (const [value, shown] of [['5', '5'], ['-3', '-3'], ['0.5', '0.5'], ['"1"', '"1"']] as const) {
    const bad = await feedback(app, `{"response":{"meta":{"routing":{"r":${value}}}},"reward":1}`)
    t.equal(bad.statusCode, 400, `routing ${value}`)
    t.equal(bad.body, `{"status":{"code":400,"info":"Feedback response.meta.routing.r is ${shown.replace(/"/g, '\\"')}, but node r has 2 children (valid: -2 none, -1 all, 0..1)","reason":"MICROSERVICE_BAD_DATA","status":"FAILURE"}}`)
  }
  const notObject = await feedback(app, '[1,2]')
  t.equal(notObject.statusCode, 400)
  t.match(notObject.body, 'Feedback must be a JSON object')
})

t.test('a MODEL or ROUTER root answers with its own send-feedback; errors pass through', async t => {
  const calls: string[] = []
  const { t: _unused, ...routerOnly } = probes(calls)
  const app = await graphApp(t, { graph: graph.children?.[0] as PredictiveUnit, components: routerOnly })
  const res = await feedback(app, '{"request":{"data":{"ndarray":[[1.0]]}},"response":{"meta":{"routing":{"r":0}}},"reward":2,"truth":{"data":{"ndarray":[[1]]}}}')
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"data":{"ndarray":[]},"meta":{"requestPath":{"r":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"}}}\n', 'the router\'s own /send-feedback answer')
  t.same(calls, ['a.fb(2,none)', 'r.fb(2,0)'])

  class Refuses { predict (X: unknown) { return X } sendFeedback (): never { throw new SeldonMicroserviceError('not now', { statusCode: 409 }) } }
  const failing = await graphApp(t, { graph: { name: 'm', type: 'MODEL', children: [{ name: 'n', type: 'MODEL' }] }, components: { m: new Probe('m'), n: new Refuses() } })
  const err = await feedback(failing, '{"reward":1}')
  t.equal(err.statusCode, 409, 'a child\'s feedback error stops the graph with its status')
  t.equal(err.body, '{"status":{"code":-1,"info":"not now","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')
})

t.test('routingInjection: false → answers carry no routing, feedback reaches every child (the executor\'s default)', async t => {
  const calls: string[] = []
  const app = await graphApp(t, { graph, components: probes(calls, 0), routingInjection: false })
  const answer = await predict(app, '{"strData":"x"}')
  t.notMatch(answer.body, 'routing')
  calls.length = 0
  await feedback(app, stringifyJson({ response: parseJson(answer.body), reward: 1 }))
  t.same([...calls].sort(), ['a.fb(1,none)', 'b.fb(1,none)', 'c.fb(1,none)', 'r.fb(1,none)'])
})
