/** The graph mode's command line: --graph, --predictor, --component, ENGINE_PREDICTOR and their rules. */
import t from 'tap'
import { parseComponentSpec } from '../src/graph-options.js'
import { parseCommand, UsageError, USAGE, type MicroserviceConfig } from '../src/options.js'

function run (argv: string[], env: NodeJS.ProcessEnv = {}): MicroserviceConfig {
  const parsed = parseCommand(argv, env)
  if (parsed.kind !== 'run') throw new Error(`expected a run command, got ${parsed.kind}`)
  return parsed.config
}

function usageError (argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseCommand(argv, env)
  } catch (err) {
    if (err instanceof UsageError) return err.message
    throw err
  }
  throw new Error('expected a UsageError')
}

t.test('--graph with --predictor and repeated --component', async t => {
  const c = run(['--graph', 'sdep.yaml', '--predictor', 'canary', '--component', 'm=./models/iris.mjs:Iris', '--component', 'r=Router', '--workers', '2'])
  t.equal(c.module, '')
  t.same(c.graph, {
    file: 'sdep.yaml',
    predictor: 'canary',
    components: [{ node: 'm', module: './models/iris.mjs', exportName: 'Iris' }, { node: 'r', module: 'Router', exportName: undefined }],
    routingInjection: true,
    nodeTimeout: undefined
  })
  t.equal(c.workers, 2, 'the single-component flags apply')
  t.equal(run(['model.mjs']).graph, undefined, 'the single-component form has no graph')
})

t.test('ENGINE_PREDICTOR without a module or --graph; routing injection; node timeout', async t => {
  const c = run(['--component', 'm=Model'], { ENGINE_PREDICTOR: 'e30=' })
  t.equal(c.graph?.file, undefined, 'the graph comes from ENGINE_PREDICTOR')
  t.same(c.graph?.components, [{ node: 'm', module: 'Model', exportName: undefined }])
  t.equal(run(['model.mjs'], { ENGINE_PREDICTOR: 'e30=' }).graph, undefined, 'a module wins over ENGINE_PREDICTOR')
  t.equal(run(['--graph', 'g.json', '--routing-injection', 'false']).graph?.routingInjection, false)
  t.equal(run(['--graph', 'g.json'], { SELDON_ENABLE_ROUTING_INJECTION: '0' }).graph?.routingInjection, false)
  t.equal(run(['--graph', 'g.json', '--routing-injection', 'true'], { SELDON_ENABLE_ROUTING_INJECTION: 'false' }).graph?.routingInjection, true, 'the flag wins')
  t.equal(run(['--graph', 'g.json', '--node-timeout', '250']).graph?.nodeTimeout, 250)
})

t.test('mistakes are usage errors naming the flag', async t => {
  t.match(usageError(['model.mjs', '--graph', 'g.json']), /give either a component module \("model\.mjs"\) or --graph, not both/)
  t.match(usageError(['model.mjs', '--component', 'm=x']), /--component only goes with --graph/)
  t.match(usageError(['--graph', 'g.json', '--component', 'nonsense']), /--component must be <node>=<module>\[:export\], got "nonsense"/)
  t.match(usageError(['--graph', 'g.json', '--component', 'm=a', '--component', 'm=b']), /--component m=\.\.\. is given twice/)
  t.match(usageError(['--graph', 'g.json', '--routing-injection', 'maybe']), /--routing-injection must be true or false/)
  t.match(usageError(['--graph', 'g.json', '--node-timeout', '-1']), /--node-timeout must be a number of ms/)
  t.match(usageError(['--predictor', 'p'], { ENGINE_PREDICTOR: 'e30=' }), /--predictor only goes with --graph/)
  t.match(usageError(['--graph', '']), /--graph needs a file/)
  t.match(usageError([]), /the component module is required/)
})

t.test('component specs: the export is an identifier after the last colon', async t => {
  const usage = (m: string): Error => new Error(m)
  t.same(parseComponentSpec('a=C:\\models\\m.mjs', usage), { node: 'a', module: 'C:\\models\\m.mjs', exportName: undefined })
  t.same(parseComponentSpec(' a = pkg.mod.Model ', usage), { node: 'a', module: 'pkg.mod.Model', exportName: undefined })
  t.same(parseComponentSpec('a=./m.ts:default', usage), { node: 'a', module: './m.ts', exportName: 'default' })
  t.throws(() => parseComponentSpec('=m.mjs', usage), /--component must be/)
})

t.test('the help names the graph mode', async t => {
  t.match(USAGE, /seldon-microservice --graph <file\.json\|\.yaml> \[--component <node>=<module>\[:export\]\]\.\.\. \[options\]/)
  t.match(USAGE, /--component <value>\.\.\./)
  t.match(USAGE, /ENGINE_PREDICTOR/)
  t.match(USAGE, /With a graph: CORS_ALLOWED_ORIGINS \(default \*\) and CORS_ALLOWED_HEADERS/)
})
