/**
 * The CLI's graph mode, `seldon-microservice --graph <file>` (or ENGINE_PREDICTOR): its flags and
 * their rules, as a pure function like the rest of the command line (options.ts). What a graph
 * runs and how is docs/graph.md; serving it is graph-server.ts.
 */

/** One `--component <node>=<module>[:export]`: an in-process node's component module. */
export interface GraphComponentSpec {
  node: string
  /** A module as `<module>` of the single-component form takes it (path or Seldon-style name). */
  module: string
  exportName: string | undefined
}

export interface GraphConfig {
  /** The graph file (a bare graph, PredictorSpec or SeldonDeployment); undefined: ENGINE_PREDICTOR. */
  file: string | undefined
  /** Which predictor of a SeldonDeployment (default the first). */
  predictor: string | undefined
  /** The in-process nodes; every other node that must be called is remote, at its endpoint. */
  components: GraphComponentSpec[]
  /** `meta.routing` in answers (default true; SELDON_ENABLE_ROUTING_INJECTION=false turns it off). */
  routingInjection: boolean
  /** ms each remote call may take (0: none); undefined: the deployment's annotations, else none. */
  nodeTimeout: number | undefined
}

export const GRAPH_OPTIONS = {
  graph: { type: 'string', env: [], help: 'serve this inference graph (.json/.yaml: a graph, PredictorSpec or SeldonDeployment) instead of <module>' },
  predictor: { type: 'string', env: [], help: "with --graph: the SeldonDeployment's predictor to serve (default the first)" },
  component: { type: 'string', env: [], multiple: true, help: 'with --graph: <node>=<module>[:export], that node in-process (repeatable); other nodes are called at their endpoint' },
  'routing-injection': { type: 'string', env: ['SELDON_ENABLE_ROUTING_INJECTION'], help: 'with a graph: true | false, meta.routing in answers (default true)' },
  'node-timeout': { type: 'string', env: [], help: "with a graph: ms a remote node's call may take before 504 (default: the seldon.io/rest-timeout or grpc-timeout annotation, else none)" }
} as const

type Flags = Partial<Record<string, string | boolean | string[]>>

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** `<node>=<module>[:export]`: the export is what follows the last `:` when it is an identifier. */
export function parseComponentSpec (text: string, usage: (message: string) => Error): GraphComponentSpec {
  const eq = text.indexOf('=')
  const node = eq > 0 ? text.slice(0, eq).trim() : ''
  let module = eq > 0 ? text.slice(eq + 1).trim() : ''
  if (node === '' || module === '') throw usage(`--component must be <node>=<module>[:export], got ${JSON.stringify(text)}`)
  let exportName: string | undefined
  const colon = module.lastIndexOf(':')
  if (colon > 0 && IDENTIFIER.test(module.slice(colon + 1))) {
    exportName = module.slice(colon + 1)
    module = module.slice(0, colon)
  }
  return { node, module, exportName }
}

function booleanWord (text: string, source: string, usage: (message: string) => Error): boolean {
  const word = text.trim().toLowerCase()
  if (['1', 'true', 't', 'yes', 'on'].includes(word)) return true
  if (['0', 'false', 'f', 'no', 'off'].includes(word)) return false
  throw usage(`${source} must be true or false, got ${JSON.stringify(text)}`)
}

/**
 * The graph mode's config, or undefined for the single-component form. `--graph` and a `<module>`
 * exclude each other; without either, ENGINE_PREDICTOR (when set) is the graph, as for the executor.
 */
export function parseGraphConfig (flags: Flags, env: NodeJS.ProcessEnv, module: string | undefined, usage: (message: string) => Error): GraphConfig | undefined {
  const file = typeof flags.graph === 'string' ? flags.graph.trim() : undefined
  const components = Array.isArray(flags.component) ? flags.component : typeof flags.component === 'string' ? [flags.component] : []
  const fromEnv = file === undefined && (module === undefined || module === '') && env.ENGINE_PREDICTOR !== undefined
  if (file === '') throw usage('--graph needs a file')
  if (file !== undefined && module !== undefined && module !== '') {
    throw usage(`give either a component module (${JSON.stringify(module)}) or --graph, not both`)
  }
  if (file === undefined && !fromEnv) {
    for (const flag of ['component', 'predictor', 'routing-injection', 'node-timeout']) {
      if (flags[flag] !== undefined) throw usage(`--${flag} only goes with --graph (or ENGINE_PREDICTOR)`)
    }
    return undefined
  }
  if (fromEnv && flags.predictor !== undefined) throw usage('--predictor only goes with --graph: ENGINE_PREDICTOR holds one predictor')
  const specs = components.map(text => parseComponentSpec(text, usage))
  const seen = new Set<string>()
  for (const spec of specs) {
    if (seen.has(spec.node)) throw usage(`--component ${spec.node}=... is given twice`)
    seen.add(spec.node)
  }
  const injection = typeof flags['routing-injection'] === 'string'
    ? { value: flags['routing-injection'], source: '--routing-injection' }
    : env.SELDON_ENABLE_ROUTING_INJECTION !== undefined && env.SELDON_ENABLE_ROUTING_INJECTION !== ''
      ? { value: env.SELDON_ENABLE_ROUTING_INJECTION, source: 'SELDON_ENABLE_ROUTING_INJECTION' }
      : undefined
  let nodeTimeout: number | undefined
  if (typeof flags['node-timeout'] === 'string') {
    const text = flags['node-timeout'].trim()
    if (!/^\d+$/.test(text) || Number(text) > 2 ** 31 - 1) throw usage(`--node-timeout must be a number of ms (0 or more), got ${JSON.stringify(flags['node-timeout'])}`)
    nodeTimeout = Number(text)
  }
  return {
    file,
    predictor: typeof flags.predictor === 'string' && flags.predictor.trim() !== '' ? flags.predictor.trim() : undefined,
    components: specs,
    routingInjection: injection === undefined ? true : booleanWord(injection.value, injection.source, usage),
    nodeTimeout
  }
}
