/**
 * The executor's algorithm, in-process: every row of the node-type table, methods overrides,
 * every route value, fan-out order, combiner input order, RANDOM_ABTEST, meta across the graph,
 * routing injection, and nodes kept apart.
 */
import t from 'tap'
import { parseJson, stringifyJson, type SeldonMessage } from '@fastify-seldon/protocol'
import { GraphEngine, NodeError, type GraphEngineOptions, type NodeCall, type PredictiveUnit } from '../src/index.js'
import { AddOne, Collect, FailAfter, Failing, Mutator, Probe, RawRouter, Scale, Tagger } from './fixtures.js'

interface Run {
  out: SeldonMessage
  calls: string[]
}

type Options = GraphEngineOptions & {
  /** Components replacing the default Probes, made with the shared call log. */
  probes?: (calls: string[]) => Record<string, object>
}

/** Every node of `graph` a Probe writing to one call log (unless `probes` gives another component). */
async function run (graph: PredictiveUnit, input = 'x', options: Options = {}): Promise<Run> {
  const { probes, ...engineOptions } = options
  const calls: string[] = []
  const given = probes?.(calls) ?? {}
  const components: Record<string, object> = {}
  const visit = (unit: PredictiveUnit): void => {
    components[unit.name] = given[unit.name] ?? new Probe(unit.name, calls)
    for (const child of unit.children ?? []) visit(child)
  }
  visit(graph)
  const engine = new GraphEngine(graph, { ...engineOptions, components })
  await engine.load()
  try {
    const out = await engine.predict(parseJson(JSON.stringify({ strData: input })), { transport: 'rest' }) as SeldonMessage
    return { out, calls }
  } finally {
    await engine.close()
  }
}

const leaf = (name: string, type: PredictiveUnit['type'] = 'MODEL', extra: Partial<PredictiveUnit> = {}): PredictiveUnit => ({ name, type, ...extra })

t.test('node types: what each calls, on what input, in which order', async t => {
  const model = await run(leaf('m'))
  t.equal(model.out.strData, 'x>m.p', 'MODEL: /predict')
  t.same(model.out.meta?.routing, { m: -1 })

  const chain = await run(leaf('m', 'MODEL', { children: [leaf('c')] }))
  t.equal(chain.out.strData, 'x>m.p>c.p', 'MODEL with a child: a chain, the child gets the model\'s output')
  t.same(chain.calls, ['m.p', 'c.p'])

  const transformer = await run(leaf('t', 'TRANSFORMER', { children: [leaf('m')] }))
  t.equal(transformer.out.strData, 'x>t.ti>m.p', 'TRANSFORMER: /transform-input, then its children')
  t.same(transformer.out.meta?.routing, { m: -1, t: -1 })

  const output = await run(leaf('o', 'OUTPUT_TRANSFORMER', { children: [leaf('m')] }))
  t.equal(output.out.strData, 'x>m.p>o.to', 'OUTPUT_TRANSFORMER: children get the raw input, /transform-output their output')
  t.same(output.calls, ['m.p', 'o.to'])
  t.same(output.out.meta?.routing, { m: -1, o: -1 })
  const leafOutput = await run(leaf('o', 'OUTPUT_TRANSFORMER'))
  t.equal(leafOutput.out.strData, 'x>o.to')
  t.same(leafOutput.out.meta?.routing, {}, 'a leaf output transformer has no routing entry (as the executor)')

  const router = await run(leaf('r', 'ROUTER', { children: [leaf('a'), leaf('b')] }), 'x', {
    probes: calls => ({ r: new Probe('r', calls, { route: () => 1 }) })
  })
  t.equal(router.out.strData, 'x>b.p', 'ROUTER: only the chosen child, with the router\'s own input')
  t.same(router.calls, ['r.route', 'b.p'])
  t.same(router.out.meta?.routing, { b: -1, r: 1 })

  const combiner = await run(leaf('c', 'COMBINER', { children: [leaf('a'), leaf('b')] }))
  t.equal(combiner.out.strData, '(x>a.p+x>b.p)>c.ag', 'COMBINER: every child, then /aggregate over their outputs in child order')
  t.same(combiner.out.meta?.routing, { a: -1, b: -1, c: -1 })

  const unknown = await run(leaf('u', 'UNKNOWN_TYPE', { children: [leaf('a')] }))
  t.equal(unknown.out.strData, 'x>a.p', 'UNKNOWN_TYPE: a pass-through')
  t.same(unknown.calls, ['a.p'])
  const untypedLeaf = await run({ name: 'u', type: 'UNKNOWN_TYPE' })
  t.equal(untypedLeaf.out.strData, 'x', 'a pass-through leaf answers its input')

  const several = await run(leaf('u', 'UNKNOWN_TYPE', { children: [leaf('a'), leaf('b'), leaf('c')] }))
  t.equal(several.out.strData, 'x>a.p', 'several children without a combiner: all run, the first one\'s output wins')
  t.same([...several.calls].sort(), ['a.p', 'b.p', 'c.p'])

  const deep = await run(leaf('t', 'TRANSFORMER', { children: [leaf('c', 'COMBINER', { children: [leaf('a', 'MODEL', { children: [leaf('a2')] }), leaf('o', 'OUTPUT_TRANSFORMER', { children: [leaf('b')] })] })] }))
  t.equal(deep.out.strData, '(x>t.ti>a.p>a2.p+x>t.ti>b.p>o.to)>c.ag')
})

t.test('methods add calls to a type; a MODEL with TRANSFORM_INPUT stops calling /predict', async t => {
  const instead = await run(leaf('m', 'MODEL', { methods: ['TRANSFORM_INPUT'] }))
  t.equal(instead.out.strData, 'x>m.ti')
  t.same(instead.calls, ['m.ti'])
  const both = await run(leaf('m', 'MODEL', { methods: ['TRANSFORM_OUTPUT'], children: [leaf('c')] }))
  t.equal(both.out.strData, 'x>m.p>c.p>m.to', 'MODEL + TRANSFORM_OUTPUT: predict, children, transform-output')
  const untyped = await run({ name: 'u', methods: ['TRANSFORM_OUTPUT'], children: [leaf('a')] })
  t.equal(untyped.out.strData, 'x>a.p>u.to')
  const routing = await run(leaf('t', 'TRANSFORMER', { methods: ['ROUTE'], children: [leaf('a'), leaf('b')] }), 'x', {
    probes: calls => ({ t: new Probe('t', calls, { route: input => input.endsWith('t.ti') ? 0 : 1 }) })
  })
  t.equal(routing.out.strData, 'x>t.ti>a.p', 'TRANSFORMER + ROUTE: the route sees the transformed input')
  const combining = await run({ name: 'n', type: 'UNKNOWN_TYPE', methods: ['ROUTE', 'AGGREGATE'], children: [leaf('a'), leaf('b')] }, 'x', {
    probes: calls => ({ n: new Probe('n', calls, { route: () => 1 }) })
  })
  t.equal(combining.out.strData, '(x>b.p)>n.ag', 'ROUTE + AGGREGATE: the chosen child\'s output alone is aggregated')
  t.same(combining.out.meta?.routing, { b: -1, n: 1 }, 'the routing keeps the route taken (the executor overwrites it with -1)')
})

t.test('route values: -1 all, -2 none, N one, out of range and non-integers are errors', async t => {
  const graph = { name: 'r', type: 'ROUTER', methods: ['AGGREGATE'], children: [leaf('a'), leaf('b')] } as PredictiveUnit
  const routed = async (route: number): Promise<Run> => await run(graph, `route=${route}`, {
    probes: calls => ({ r: new Probe('r', calls, { route: input => Number(input.split('=')[1]) }) })
  })
  const all = await routed(-1)
  t.equal(all.out.strData, '(route=-1>a.p+route=-1>b.p)>r.ag')
  t.same(all.out.meta?.routing, { a: -1, b: -1, r: -1 })
  const none = await routed(-2)
  t.equal(none.out.strData, 'route=-2', '-2: the router\'s input is the answer, no child, no aggregate')
  t.same(none.calls, ['r.route'], 'only the route was called')
  t.same(none.out.meta?.routing, { r: -2 })
  t.equal((await routed(0)).out.strData, '(route=0>a.p)>r.ag')
  t.equal((await routed(1)).out.strData, '(route=1>b.p)>r.ag')
  await t.rejects(routed(2), { code: 'SELDON_ERR_GRAPH_BAD_ROUTE', statusCode: 500, message: 'Router r returned route 2, but it has 2 children (valid: -2 none, -1 all, 0..1)' })
  await t.rejects(routed(-3), { statusCode: 500, message: /Router r returned route -3/ })
  // the router's own runtime refuses a fractional route (as its container would): the node's 400
  const fractional = routed(1.5)
  await t.rejects(fractional, NodeError)
  await t.rejects(fractional, { node: 'r', statusCode: 400, message: /Routing response must be int but got 1\.5/ })
})

t.test('route answers of every shape (a raw router)', async t => {
  const graph = { name: 'r', type: 'ROUTER', children: [leaf('a'), leaf('b')] } as PredictiveUnit
  const answer = async (value: unknown): Promise<Run> => {
    const calls: string[] = []
    const engine = new GraphEngine(graph, { components: { r: new RawRouter(), a: new Probe('a', calls), b: new Probe('b', calls) } })
    await engine.load()
    const out = await engine.predict(parseJson(stringifyJson({ jsonData: { answer: value } })), {}) as SeldonMessage
    return { out, calls }
  }
  const chose = async (value: unknown): Promise<string[]> => (await answer(value)).calls
  t.same(await chose({ data: { ndarray: [[1]] } }), ['b.p'], 'ndarray [[1]]')
  t.same(await chose({ data: { names: ['X1L'], ndarray: [[1]] } }), ['b.p'])
  t.same(await chose({ data: { ndarray: [0, 1] } }), ['a.p'], 'the first element')
  t.same(await chose({ data: { ndarray: [[1, 0], [0, 0]] } }), ['b.p'], 'the first of the first')
  t.same(await chose({ data: { ndarray: [[true]] } }), ['b.p'], 'true is 1 (the executor reads a non-number as 0)')
  t.same(await chose({ data: { tensor: { shape: [1, 1], values: [0] } } }), ['a.p'], 'tensor values')
  t.same(await chose({ data: { tftensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '1' }] }, intVal: [1] } } }), ['b.p'], 'tftensor int_val')
  t.same([...await chose({ data: { names: [] } })].sort(), ['a.p', 'b.p'], 'data without a tensor: -1, all children')
  t.same(await chose([1]), ['b.p'], 'a bare JSON array (REST)')
  t.same(await chose({ data: { ndarray: [[1.0]] } }), ['b.p'], 'an integral float is an integer')
  await t.rejects(answer({ data: { ndarray: [[1.5]] } }), { code: 'SELDON_ERR_GRAPH_BAD_ROUTE', message: 'Router r returned route 1.5, which is not an integer' })
  await t.rejects(answer({ data: { ndarray: [] } }), { message: 'Router r answered an empty list where the route (a child index) was expected' })
  await t.rejects(answer({ data: { ndarray: [['one']] } }), { message: 'Router r answered "one" where the route (a child index) was expected' })
  await t.rejects(answer({ strData: '1' }), { message: /Router r answered without data/ })
  await t.rejects(answer({ jsonData: { route: 1 } }), { message: /Router r answered without data/ })
  await t.rejects(answer({ data: { ndarray: [[5]] } }), { message: /Router r returned route 5, but it has 2 children/ })
})

t.test('fan-out: in parallel, results and combiner input in child order whatever the timing', async t => {
  const calls: string[] = []
  const finished: string[] = []
  const probes = {
    c: new Probe('c', calls),
    a: new Probe('a', calls, { delay: 80, finished }),
    b: new Probe('b', calls, { delay: 0, finished }),
    d: new Probe('d', calls, { delay: 40, finished })
  }
  const graph = leaf('c', 'COMBINER', { children: [leaf('a'), leaf('b'), leaf('d')] })
  const started = Date.now()
  const { out } = await run(graph, 'x', { probes: () => probes })
  const elapsed = Date.now() - started
  t.same(finished, ['b.p', 'd.p', 'a.p'], 'the children finished in another order')
  t.equal(out.strData, '(x>a.p+x>b.p+x>d.p)>c.ag', 'the combiner got them in child order')
  t.ok(elapsed < 80 + 40 + 200, `in parallel (${elapsed} ms, sequential would be 120+)`)

  const first = await run(leaf('u', 'UNKNOWN_TYPE', { children: [leaf('a'), leaf('b')] }), 'x', {
    probes: calls => ({ a: new Probe('a', calls, { delay: 50 }) })
  })
  t.equal(first.out.strData, 'x>a.p', 'without a combiner the first child wins even when it is the slowest')
})

t.test('failures: the lowest-index child\'s error wins, siblings still finish', async t => {
  const graph = leaf('c', 'COMBINER', { children: [leaf('a'), leaf('b'), leaf('d')] })
  const d = new Probe('d', [], { delay: 10 })
  const failing = run(graph, 'x', { probes: () => ({ a: new FailAfter(60, 'a is slow to fail', 503), b: new FailAfter(0, 'b fails first', 422), d }) })
  await t.rejects(failing, { node: 'a', statusCode: 503, message: 'node a failed: a is slow to fail' })
  t.same(d.calls, ['d.p'], 'the other children ran')
})

t.test('RANDOM_ABTEST: ratioA against the random source, no call', async t => {
  const graph = (ratio?: string): PredictiveUnit => ({
    name: 'ab',
    implementation: 'RANDOM_ABTEST',
    ...(ratio !== undefined ? { parameters: [{ name: 'ratioA', value: ratio, type: 'FLOAT' }] } : {}),
    children: [leaf('a'), leaf('b')]
  })
  const pick = async (ratio: string | undefined, random: number): Promise<Run> => await run(graph(ratio), 'x', { random: () => random })
  t.equal((await pick(undefined, 0.49)).out.strData, 'x>a.p', 'default 0.5: below → child 0')
  t.equal((await pick(undefined, 0.5)).out.strData, 'x>b.p', 'default 0.5: at or above → child 1')
  t.equal((await pick('0.9', 0.7)).out.strData, 'x>a.p')
  const b = await pick('0.1', 0.7)
  t.equal(b.out.strData, 'x>b.p')
  t.same(b.out.meta?.routing, { ab: 1, b: -1 })
  t.same(b.calls, ['b.p'], 'the A/B node itself is never called')
})

t.test('meta across the graph: each node merges like its own container; routing injection', async t => {
  const graph: PredictiveUnit = {
    name: 'o',
    type: 'OUTPUT_TRANSFORMER',
    children: [{ name: 't', type: 'TRANSFORMER', children: [{ name: 'm', type: 'MODEL' }] }]
  }
  const components = { o: new Tagger(), t: new AddOne(), m: new Scale(2, 'scale') }
  const request = '{"data":{"names":["a","b"],"ndarray":[[1,2.5]]},"meta":{"puid":"p-1","tags":{"client":1.0}}}'
  const engine = new GraphEngine({ name: 'pred', graph, componentSpecs: [{ spec: { containers: [{ name: 'm', image: 'acme/scale:0.3' }] } }] }, { components })
  await engine.load()
  const out = await engine.predict(parseJson(request), { transport: 'rest' })
  t.equal(stringifyJson(out),
    '{"data":{"names":["t:0","t:1"],"ndarray":[[4.0,7.0]]},"meta":{"metrics":[{"key":"scale_factor","type":"GAUGE","value":2}],' +
    '"puid":"p-1","requestPath":{"m":"acme/scale:0.3","o":"NOT_IMPLEMENTED:NOT_IMPLEMENTED","t":"NOT_IMPLEMENTED:NOT_IMPLEMENTED"},' +
    '"routing":{"m":-1,"o":-1,"t":-1},"tags":{"client":1.0,"ratio":0.5,"scale":2.0,"seen_puid":"p-1","shared":"scale"}}}',
    'requestPath per node (the container image when componentSpecs has one), tags and metrics merged down the chain, float marks kept')

  const quiet = new GraphEngine(graph, { components, routingInjection: false })
  await quiet.load()
  const plain = await quiet.predict(parseJson(request), {}) as SeldonMessage
  t.equal(plain.meta?.routing, undefined, 'routingInjection: false leaves meta as the nodes made it')
  t.same(Object.keys(plain.meta ?? {}).sort(), ['metrics', 'puid', 'requestPath', 'tags'])
})

t.test('in-process nodes do not share objects: a component changing its input cannot reach a sibling', async t => {
  const graph = leaf('c', 'COMBINER', { children: [leaf('a'), leaf('b')] })
  const engine = new GraphEngine(graph, { components: { c: new Collect(), a: new Mutator('a'), b: new Mutator('b') } })
  await engine.load()
  const request = parseJson('{"jsonData":{"seen":[]}}')
  const out = await engine.predict(request, {}) as SeldonMessage
  t.same(out.jsonData, [['a'], ['b']], 'each child changed its own copy')
})

t.test('a gRPC call runs the same graph on protobuf message forms', async t => {
  const { decodeSeldonMessage, encodeSeldonMessage } = await import('@fastify-seldon/protocol')
  const calls: string[] = []
  const engine = new GraphEngine(leaf('t', 'TRANSFORMER', { children: [leaf('m')] }), { components: { t: new Probe('t', calls), m: new Probe('m', calls) } })
  await engine.load()
  const out = await engine.predict(decodeSeldonMessage(encodeSeldonMessage({ strData: 'x' })), { transport: 'grpc' }) as SeldonMessage
  t.equal(out.strData, 'x>t.ti>m.p')
  t.same(out.meta?.routing, { m: -1, t: -1 })
  t.ok(encodeSeldonMessage(out).length > 0, 'the answer encodes')

  // a COUNTER metric crosses a protobuf hop without its type (the enum default): the next node takes it
  class Counting extends Probe { metrics () { return [{ type: 'COUNTER' as const, key: 'calls', value: 1 }] } }
  const counting = new GraphEngine(leaf('t', 'TRANSFORMER', { children: [leaf('m')] }), { components: { t: new Counting('t'), m: new Counting('m') } })
  await counting.load()
  const counted = await counting.predict(decodeSeldonMessage(encodeSeldonMessage({ strData: 'x' })), { transport: 'grpc' }) as SeldonMessage
  t.equal(counted.strData, 'x>t.ti>m.p')
  t.equal(counted.meta?.metrics?.length, 2, 'both nodes\' metrics')
  await t.rejects(engine.predict({ strData: 'x' }, { transport: 'soap' as never }), /transport must be 'rest' or 'grpc'/)
})

t.test('onNodeCall: every call to a node reported, answered or failed, with its code and time', async t => {
  const calls: NodeCall[] = []
  const engine = new GraphEngine({ name: 'r', type: 'ROUTER', children: [{ name: 'a', type: 'MODEL' }, { name: 'b', type: 'MODEL' }] }, {
    components: { r: new Probe('r', [], { route: x => x.includes('fail') ? 1 : 0 }), a: new Probe('a'), b: new Failing('seldon') },
    onNodeCall: call => { calls.push(call); throw new Error('a broken hook is ignored') }
  })
  await engine.load()
  await engine.predict({ strData: 'x' })
  t.same(calls.map(c => [c.node, c.operation, c.service, c.method, c.code, c.kind]), [
    ['r', 'route', '/route', 'in-process', '200', 'in-process'],
    ['a', 'predict', '/predict', 'in-process', '200', 'in-process']
  ])
  t.ok(calls.every(c => c.seconds >= 0 && c.seconds < 10))
  calls.length = 0
  await t.rejects(engine.predict({ strData: 'fail' }))
  t.same(calls.map(c => [c.node, c.code]), [['r', '200'], ['b', '422']], "a failed call: the node's status")
  t.throws(() => new GraphEngine({ name: 'a', type: 'MODEL' }, { components: { a: new Probe('a') }, onNodeCall: 1 as never }), /option onNodeCall must be a function/)
})
