/**
 * Graph metadata: every node's model metadata, the graph's inputs and outputs from its edge nodes
 * (the executor's table), per-node metadata and status routes.
 */
import t from 'tap'
import { GraphEngine, edgeNodes, loadGraph, type PredictiveUnit } from '../src/index.js'
import { Probe, graphApp } from './fixtures.js'

/** A component whose metadata names it: inputs `<id>-in`, outputs `<id>-out`. */
class Described extends Probe {
  initMetadata (): Record<string, unknown> {
    return {
      name: this.id,
      versions: ['v1'],
      platform: 'node',
      inputs: [{ name: `${this.id}-in`, datatype: 'FP64', shape: [1, 2] }],
      outputs: [{ messagetype: 'ndarray', schema: { names: [`${this.id}-out`] } }]
    }
  }
}

function describedAll (unit: PredictiveUnit, out: Record<string, object> = {}): Record<string, object> {
  if (unit.type !== 'UNKNOWN_TYPE' && unit.implementation !== 'RANDOM_ABTEST') out[unit.name] = new Described(unit.name)
  for (const child of unit.children ?? []) describedAll(child, out)
  return out
}

const m = (name: string, extra: Partial<PredictiveUnit> = {}): PredictiveUnit => ({ name, type: 'MODEL', ...extra })

t.test('edge nodes: where the graph\'s inputs and outputs come from, per node type', async t => {
  const cases: Array<[string, PredictiveUnit, string, string]> = [
    ['leaf', m('m'), 'm', 'm'],
    ['MODEL with a child', m('m', { children: [m('c')] }), 'm', 'c'],
    ['TRANSFORMER', { name: 't', type: 'TRANSFORMER', children: [m('m')] }, 't', 'm'],
    ['OUTPUT_TRANSFORMER', { name: 'o', type: 'OUTPUT_TRANSFORMER', children: [m('m')] }, 'm', 'o'],
    ['COMBINER', { name: 'c', type: 'COMBINER', children: [m('a'), m('b')] }, 'a', 'c'],
    ['ROUTER: children[0] both ways', { name: 'r', type: 'ROUTER', children: [m('a'), m('b')] }, 'a', 'a'],
    ['UNKNOWN_TYPE: a pass-through (the executor crashes)', { name: 'u', type: 'UNKNOWN_TYPE', children: [m('a')] }, 'a', 'a'],
    ['deep', { name: 't', type: 'TRANSFORMER', children: [{ name: 'r', type: 'ROUTER', children: [{ name: 'o', type: 'OUTPUT_TRANSFORMER', children: [m('x')] }, m('y')] }] }, 't', 'o']
  ]
  for (const [label, graph, inputs, outputs] of cases) {
    const [i, o] = edgeNodes(loadGraph(graph).root)
    t.same([i.name, o.name], [inputs, outputs], label)
  }
})

t.test('GET /api/v1.0/metadata: the graph\'s metadata', async t => {
  const graph: PredictiveUnit = {
    name: 't',
    type: 'TRANSFORMER',
    children: [{ name: 'ab', implementation: 'RANDOM_ABTEST', children: [{ name: 'c', type: 'COMBINER', children: [m('a'), m('b')] }, m('z')] }]
  }
  const app = await graphApp(t, { graph: { name: 'pred', graph }, components: describedAll(graph) })
  const res = await app.inject('/g/api/v1.0/metadata')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json')
  const model = (id: string): string =>
    `{"custom":{},"inputs":[{"datatype":"FP64","name":"${id}-in","shape":[1,2]}],"name":"${id}","outputs":[{"messagetype":"ndarray","schema":{"names":["${id}-out"]}}],"platform":"node","versions":["v1"]}`
  t.equal(res.body,
    '{"graphinputs":[{"datatype":"FP64","name":"t-in","shape":[1,2]}],' +
    '"graphoutputs":[{"messagetype":"ndarray","schema":{"names":["c-out"]}}],' +
    `"models":{"a":${model('a')},"b":${model('b')},"c":${model('c')},"t":${model('t')},"z":${model('z')}},"name":"pred"}\n`,
    'every node with a component (not the A/B node); inputs from t, outputs from the combiner behind children[0]')

  const one = await app.inject('/g/api/v1.0/metadata/b')
  t.equal(one.body, `${model('b')}\n`, 'one node\'s metadata')
  t.equal((await app.inject('/g/api/v0.1/metadata/b')).body, one.body)
  const missing = await app.inject('/g/api/v1.0/metadata/nope')
  t.equal(missing.statusCode, 404)
  t.equal(missing.body, '{"status":{"code":404,"info":"Failed to find model nope","reason":"GRAPH_MODEL_NOT_FOUND","status":"FAILURE"}}')
  const abtest = await app.inject('/g/api/v1.0/metadata/ab')
  t.equal(abtest.statusCode, 501)
  t.match(abtest.body, 'Node ab runs no component')

  const status = await app.inject('/g/api/v1.0/status/a')
  t.equal(status.statusCode, 200)
  t.equal(status.body, '{"meta":{"requestPath":{"a":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"}},"strData":"healthy"}\n', 'the node\'s /health/status answer')
  t.equal((await app.inject('/g/api/v0.1/status/nope')).statusCode, 404)
})

t.test('a node with invalid metadata fails the graph\'s metadata with its own error', async t => {
  class Broken extends Probe { initMetadata () { return { inputs: 'not a list' } } }
  const logs: string[] = []
  const engine = new GraphEngine({ name: 'm', type: 'MODEL' }, { components: { m: new Broken('m') }, log: message => logs.push(message) })
  const app = await graphApp(t, { engine })
  t.teardown(async () => { await engine.close() })
  const res = await app.inject('/g/api/v1.0/metadata')
  t.equal(res.statusCode, 500)
  t.equal(res.body, '{"status":{"code":-1,"info":"Model metadata unavailable","reason":"MICROSERVICE_BAD_METADATA","status":1}}\n')
  t.match(logs.join('\n'), /model metadata is invalid/)
  const bare = await (async () => { try { return await engine.graphMetadata() } catch (err) { return err } })()
  t.match(bare, { node: 'm', statusCode: 500 })
})
