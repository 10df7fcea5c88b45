/**
 * The graph model: the three shapes Seldon users hold a graph in, JSON and YAML, ENGINE_PREDICTOR,
 * the operator's defaults, the node-type table, and every start-up error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import {
  GraphEngine, enginePredictorValue, graphFromEnv, loadGraph, nodeOperations, nodeRoles, parseGraphText, readGraphFile,
  type GraphSpec, type PredictiveUnit
} from '../src/index.js'
import { Probe } from './fixtures.js'

const chain: PredictiveUnit = {
  name: 't',
  type: 'TRANSFORMER',
  children: [{ name: 'm', type: 'MODEL', endpoint: { service_host: 'm.svc', httpPort: 9001, type: 'REST' } }]
}

function names (spec: GraphSpec): string[] {
  return [...spec.nodes.keys()]
}

t.test('a bare PredictiveUnit, a PredictorSpec and a SeldonDeployment give the same graph', async t => {
  const bare = loadGraph(chain)
  t.equal(bare.name, 'default', 'a bare graph has no predictor name: default')
  t.equal(loadGraph(chain, { name: 'mine' }).name, 'mine')
  t.same(names(bare), ['t', 'm'])
  t.equal(bare.root.children[0]?.endpoint?.host, 'm.svc')
  t.equal(bare.root.children[0]?.endpoint?.httpPort, 9001)

  const predictor = loadGraph({
    name: 'p1',
    graph: chain,
    annotations: { 'seldon.io/rest-timeout': '1500' },
    componentSpecs: [{ spec: { containers: [{ name: 'm', image: 'me/model:1.2', env: [{ name: 'MODEL_METADATA', value: '{"name":"m"}' }] }] } }]
  })
  t.equal(predictor.name, 'p1')
  t.same(names(predictor), ['t', 'm'])
  t.equal(predictor.containers.get('m')?.image, 'me/model:1.2')
  t.equal(predictor.annotations['seldon.io/rest-timeout'], '1500')

  const sdep = {
    apiVersion: 'machinelearning.seldon.io/v1',
    kind: 'SeldonDeployment',
    metadata: { name: 'dep', annotations: { 'seldon.io/grpc-timeout': '10', shared: 'deployment' } },
    spec: {
      annotations: { shared: 'spec' },
      predictors: [
        { name: 'first', graph: chain },
        { name: 'second', graph: { name: 'only', type: 'MODEL' }, annotations: { shared: 'predictor' } }
      ]
    }
  }
  const first = loadGraph(sdep)
  t.equal(first.name, 'first', 'the first predictor by default')
  t.equal(first.deploymentName, 'dep')
  t.equal(first.annotations.shared, 'spec', 'spec annotations over metadata ones')
  const second = loadGraph(sdep, { predictor: 'second' })
  t.same(names(second), ['only'])
  t.equal(second.annotations.shared, 'predictor', 'predictor annotations win')
  t.equal(second.annotations['seldon.io/grpc-timeout'], '10')
  t.throws(() => loadGraph(sdep, { predictor: 'third' }), /Predictor not found third \(predictors: "first", "second"\)/)
  t.throws(() => loadGraph(chain, { predictor: 'x' }), /needs a SeldonDeployment/)
  t.equal(loadGraph(first), first, 'a loaded graph is taken as it is')
})

t.test('JSON and YAML text, several documents, files', async t => {
  const json = parseGraphText(JSON.stringify({ name: 'p', graph: chain }))
  t.same(names(json), ['t', 'm'])
  const yaml = `
# a kubectl file: a Service first, then the deployment
apiVersion: v1
kind: Service
metadata: { name: other }
---
apiVersion: machinelearning.seldon.io/v1
kind: SeldonDeployment
metadata:
  name: iris
spec:
  predictors:
    - name: main
      graph:
        name: router
        type: ROUTER
        endpoint: { service_host: localhost, httpPort: 9000 }
        children:
          - name: a
            type: MODEL
            endpoint: { service_host: localhost, httpPort: 9001 }
          - name: b
            type: MODEL
            endpoint: { service_host: localhost, httpPort: 9002 }
`
  const spec = parseGraphText(yaml)
  t.equal(spec.name, 'main')
  t.equal(spec.deploymentName, 'iris')
  t.same(names(spec), ['router', 'a', 'b'])
  t.throws(() => parseGraphText('name: [unclosed', {}, 'g.yaml'), /g\.yaml: not valid JSON or YAML/)
  t.throws(() => parseGraphText('', {}, 'empty.yaml'), /empty\.yaml: no document found/)
  t.throws(() => parseGraphText('name: x\ntype: MODDEL\n', {}, 'typo.yaml'), /typo\.yaml: graph \("x"\): type "MODDEL" is not one of UNKNOWN_TYPE, ROUTER, COMBINER, MODEL, TRANSFORMER, OUTPUT_TRANSFORMER/)

  const dir = await mkdtemp(join(tmpdir(), 'graph-'))
  t.teardown(async () => { await rm(dir, { recursive: true }) })
  const file = join(dir, 'graph.yaml')
  await writeFile(file, yaml)
  t.same(names(await readGraphFile(file, { predictor: 'main' })), ['router', 'a', 'b'])
  await t.rejects(readGraphFile(join(dir, 'missing.json')), /cannot read graph file .*missing\.json/)
})

t.test('ENGINE_PREDICTOR: base64 of the PredictorSpec JSON, as the operator sets it', async t => {
  const value = enginePredictorValue({ name: 'p', graph: chain })
  t.equal(value, Buffer.from(JSON.stringify({ name: 'p', graph: chain })).toString('base64'))
  const spec = graphFromEnv({ ENGINE_PREDICTOR: value })
  t.equal(spec?.name, 'p')
  t.same(names(spec as GraphSpec), ['t', 'm'])
  t.equal(graphFromEnv({}), undefined, 'unset: no graph from the environment')
  t.throws(() => graphFromEnv({ ENGINE_PREDICTOR: '' }), /ENGINE_PREDICTOR is empty/)
  t.throws(() => graphFromEnv({ ENGINE_PREDICTOR: 'not base64!' }), /not valid base64/)
  t.throws(() => graphFromEnv({ ENGINE_PREDICTOR: value.replace(/=+$/, '') + (value.endsWith('=') ? '' : 'A') }), /not valid base64/, 'unpadded is refused, as Go StdEncoding does')
  t.throws(() => graphFromEnv({ ENGINE_PREDICTOR: Buffer.from('{nope').toString('base64') }), /does not hold JSON/)
  t.throws(() => graphFromEnv({ ENGINE_PREDICTOR: Buffer.from('{"name":"x"}').toString('base64') }), /must hold a PredictorSpec/)
  t.throws(() => graphFromEnv({ ENGINE_PREDICTOR: enginePredictorValue({ graph: { name: 'r', type: 'ROUTER' } }) }), /ENGINE_PREDICTOR: .*needs children/)
})

t.test("the operator's defaults: untyped → MODEL, prepackaged servers → MODEL", async t => {
  const spec = loadGraph({
    name: 'root',
    implementation: 'RANDOM_ABTEST',
    children: [
      { name: 'plain' },
      { name: 'sk', implementation: 'SKLEARN_SERVER', type: 'TRANSFORMER', children: [{ name: 'meth', methods: ['TRANSFORM_OUTPUT'] }] }
    ]
  })
  const node = (n: string) => spec.nodes.get(n)
  t.equal(node('root')?.type, undefined, 'an implementation keeps a node untyped')
  t.equal(node('root')?.roles.route, 'abtest')
  t.equal(node('plain')?.type, 'MODEL', 'no type, methods or implementation: MODEL')
  t.equal(node('sk')?.type, 'MODEL', 'a prepackaged server is a MODEL whatever its type says')
  t.equal(node('meth')?.type, undefined, 'methods keep a node untyped')
  t.same(node('meth')?.roles, { before: undefined, route: 'all', aggregate: false, transformOutput: true, sendFeedback: false })
})

t.test('the node-type table and methods', async t => {
  const rows: Array<[string, Parameters<typeof nodeRoles>, string[]]> = [
    ['MODEL', ['MODEL', undefined, []], ['predict', 'sendFeedback']],
    ['TRANSFORMER', ['TRANSFORMER', undefined, []], ['transformInput']],
    ['ROUTER', ['ROUTER', undefined, []], ['route', 'sendFeedback']],
    ['COMBINER', ['COMBINER', undefined, []], ['aggregate']],
    ['OUTPUT_TRANSFORMER', ['OUTPUT_TRANSFORMER', undefined, []], ['transformOutput']],
    ['UNKNOWN_TYPE', ['UNKNOWN_TYPE', undefined, []], []],
    ['untyped', [undefined, undefined, []], []],
    ['MODEL + TRANSFORM_INPUT: transform-input instead of predict', ['MODEL', undefined, ['TRANSFORM_INPUT']], ['transformInput', 'sendFeedback']],
    ['MODEL + TRANSFORM_OUTPUT', ['MODEL', undefined, ['TRANSFORM_OUTPUT']], ['predict', 'transformOutput', 'sendFeedback']],
    ['UNKNOWN_TYPE + every method', ['UNKNOWN_TYPE', undefined, ['TRANSFORM_INPUT', 'ROUTE', 'AGGREGATE', 'TRANSFORM_OUTPUT', 'SEND_FEEDBACK']], ['transformInput', 'route', 'aggregate', 'transformOutput', 'sendFeedback']],
    ['COMBINER + SEND_FEEDBACK', ['COMBINER', undefined, ['SEND_FEEDBACK']], ['aggregate', 'sendFeedback']],
    ['TRANSFORMER + ROUTE', ['TRANSFORMER', undefined, ['ROUTE']], ['transformInput', 'route']],
    ['RANDOM_ABTEST: no call', [undefined, 'RANDOM_ABTEST', []], []],
    ['ROUTER + RANDOM_ABTEST: the router routes', ['ROUTER', 'RANDOM_ABTEST', []], ['route', 'sendFeedback']]
  ]
  for (const [label, args, expected] of rows) {
    t.same(nodeOperations(nodeRoles(...args), true), expected, label)
  }
  t.equal(nodeRoles(undefined, 'RANDOM_ABTEST', []).route, 'abtest')
  t.equal(nodeRoles(undefined, 'RANDOM_ABTEST', ['ROUTE']).route, 'call', 'ROUTE wins over RANDOM_ABTEST')
  t.same(nodeOperations(nodeRoles('MODEL', undefined, ['ROUTE', 'AGGREGATE']), false), ['predict', 'sendFeedback'], 'a leaf neither routes nor aggregates')
})

t.test('start-up errors name the node and the field', async t => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 'graph', /graph: must be a SeldonDeployment, a PredictorSpec or a PredictiveUnit object, got "graph"/],
    ['no name', { type: 'MODEL' }, /graph: name must be a non-empty string/],
    ['duplicate names', { name: 'a', type: 'ROUTER', children: [{ name: 'b' }, { name: 'a' }] }, /graph\.children\[1\] \("a"\): duplicate node name: graph has the same name/],
    ['unknown type', { name: 'a', type: 'MODLE' }, /graph \("a"\): type "MODLE" is not one of/],
    ['unknown method', { name: 'a', methods: ['PREDICT'] }, /graph \("a"\): method "PREDICT" is not one of TRANSFORM_INPUT/],
    ['methods not a list', { name: 'a', methods: 'ROUTE' }, /methods must be a list/],
    ['bad implementation', { name: 'a', implementation: 3 }, /implementation must be a non-empty string, got 3/],
    ['router without children', { name: 'r', type: 'ROUTER' }, /graph \("r"\): a ROUTER \(or a node with method ROUTE\) needs children/],
    ['ROUTE method without children', { name: 'r', methods: ['ROUTE'] }, /needs children to route to/],
    ['combiner without children', { name: 'c', type: 'COMBINER' }, /a COMBINER \(or a node with method AGGREGATE\) needs children/],
    ['children not a list', { name: 'a', children: {} }, /children must be a list/],
    ['child not an object', { name: 'a', children: [3] }, /graph\.children\[0\]: a PredictiveUnit must be an object, got 3/],
    ['endpoint type', { name: 'a', endpoint: { type: 'HTTP' } }, /endpoint\.type "HTTP" is not one of REST, GRPC/],
    ['endpoint port', { name: 'a', endpoint: { httpPort: 70000 } }, /endpoint\.httpPort 70000 is not a port number/],
    ['endpoint port text', { name: 'a', endpoint: { grpcPort: '9000' } }, /endpoint\.grpcPort "9000" is not a port number/],
    ['endpoint host', { name: 'a', endpoint: { service_host: 1 } }, /endpoint\.service_host must be a string/],
    ['parameter value', { name: 'a', parameters: [{ name: 'ratio', value: 0.5, type: 'FLOAT' }] }, /parameters\[0\]: value must be a string \(quote it in YAML: "0\.5"\)/],
    ['parameter type', { name: 'a', parameters: [{ name: 'x', value: '1', type: 'JSON' }] }, /type "JSON" is not one of INT, FLOAT, DOUBLE, STRING, BOOL/],
    ['parameter without type', { name: 'a', parameters: [{ name: 'x', value: '1' }] }, /type is required/],
    ['logger mode', { name: 'a', logger: { mode: 'some' } }, /logger\.mode "some" is not one of all, request, response/],
    ['abtest ratio', { name: 'ab', implementation: 'RANDOM_ABTEST', parameters: [{ name: 'ratioA', value: 'half', type: 'FLOAT' }], children: [{ name: 'x' }, { name: 'y' }] }, /parameter ratioA "half" must be a number between 0 and 1/],
    ['abtest children', { name: 'ab', implementation: 'RANDOM_ABTEST', children: [{ name: 'x' }, { name: 'y' }, { name: 'z' }] }, /RANDOM_ABTEST routes between exactly two children, this node has 3/],
    ['predictor without graph', { spec: { predictors: [{ name: 'p' }] } }, /spec\.predictors\[0\]: has no graph/],
    ['no predictors', { kind: 'SeldonDeployment', spec: { predictors: [] } }, /spec\.predictors: must be a non-empty list/]
  ]
  for (const [label, input, message] of bad) t.throws(() => loadGraph(input), { code: 'SELDON_ERR_GRAPH_SPEC', message }, label)

  const cyclic: PredictiveUnit = { name: 'loop', children: [] }
  cyclic.children = [cyclic]
  t.throws(() => loadGraph(cyclic), /the graph contains a cycle/)
})

t.test('engine start-up errors: components, endpoints, options', async t => {
  const model = { name: 'm', type: 'MODEL' } as const
  t.throws(() => new GraphEngine(model), /graph \("m"\): MODEL calls \/predict, \/send-feedback, but it has no in-process component and no endpoint/)
  t.throws(() => new GraphEngine({ name: 'c', type: 'COMBINER', implementation: 'AVERAGE_COMBINER', children: [{ name: 'x', type: 'UNKNOWN_TYPE' }] }),
    /COMBINER calls \/aggregate, but it has no in-process component and no endpoint/, 'AVERAGE_COMBINER is not built in (the executor has no built-ins but RANDOM_ABTEST)')
  t.throws(() => new GraphEngine({ ...model, endpoint: { service_host: 'h', type: 'GRPC', httpPort: 9000 } }), /endpoint has no port \(grpcPort or service_port\)/)
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m'), n: new Probe('n') } }), /components\.n: the graph has no node named "n" \(nodes: m\)/)
  t.throws(() => new GraphEngine(model, { components: { m: 'model' as never } }), { code: 'SELDON_ERR_GRAPH_OPTION', message: /components\.m must be a component object/ })
  t.throws(() => new GraphEngine(model, { components: { m: { transformInput: () => 1 } } }), /MODEL calls \/predict, but its component has no predict\(\) method/)
  t.throws(() => new GraphEngine({ name: 'r', type: 'ROUTER', children: [{ name: 'x', type: 'UNKNOWN_TYPE' }] }, { components: { r: {} } }), /its component has no route\(\) method/)
  t.throws(() => new GraphEngine({ name: 'c', type: 'COMBINER', children: [{ name: 'x', type: 'UNKNOWN_TYPE' }] }, { components: { c: {} } }), /its component has no aggregate\(\) method/)
  t.throws(() => new GraphEngine(model, { components: { m: Object.assign(new Probe('m'), { errorHandlers: [{ error: Error }] }) } }), /components\.m: component\.errorHandlers\[0\] must be \{ error: ErrorClass, handle/)
  t.throws(() => new GraphEngine(model, { components: { m: Object.assign(new Probe('m'), { model_error_handlers: 'x' }) } }), /components\.m: component\.model_error_handlers must be an array/)
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m') }, timeout: -1 }), /option timeout must be a number of milliseconds/)
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m') }, routingInjection: 'yes' as never }), /option routingInjection must be a boolean/)
  t.throws(() => new GraphEngine(model, { components: { m: new Probe('m') }, random: 3 as never }), /option random must be a function/)

  // a transformer without transformInput is an identity (as in its own container): fine
  const engine = new GraphEngine({ name: 't', type: 'TRANSFORMER' }, { components: { t: {} } })
  t.equal(engine.unitKind('t'), 'in-process')
  const remote = new GraphEngine({ name: 'm', type: 'MODEL', endpoint: { service_port: 9000 }, children: [{ name: 'g', endpoint: { type: 'GRPC', service_port: 5000 } }] })
  t.equal(remote.unitKind('m'), 'rest', 'REST by default, service_port when httpPort is missing')
  t.equal(remote.unitKind('g'), 'grpc')
  const pass = new GraphEngine({ name: 'p', type: 'UNKNOWN_TYPE', children: [{ name: 'm', type: 'MODEL' }] }, { components: { m: new Probe('m') } })
  t.equal(pass.unitKind('p'), undefined, 'a pass-through needs no component')
  await Promise.all([engine.close(), remote.close(), pass.close()])
})
