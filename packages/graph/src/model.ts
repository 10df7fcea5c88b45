/**
 * The graph model: a Seldon predictor graph read from a PredictiveUnit, a PredictorSpec or a whole
 * SeldonDeployment, checked once at start-up with errors that name the node and the field, and
 * normalised into an immutable tree of {@link GraphNode}s that know which calls they make.
 *
 * The operator's defaulting webhook is applied (seldon-core v1.18.2
 * operator/apis/machinelearning.seldon.io/v1/defaults.go `addDefaultsToGraph`), so a
 * SeldonDeployment file runs as it does on a cluster: a node with no type, methods or
 * implementation is a MODEL, and a prepackaged server implementation is always a MODEL.
 */
import {
  KNOWN_IMPLEMENTATIONS, ENDPOINT_TYPES, LOGGER_MODES, PARAMETER_TYPES, PREDICTIVE_UNIT_METHODS, PREDICTIVE_UNIT_TYPES,
  type Container, type EndpointType, type Logger, type Parameter, type PredictiveUnit, type PredictiveUnitMethod,
  type PredictiveUnitType, type PredictorSpec, type SeldonDeployment
} from './spec.js'
import { GraphSpecError } from './errors.js'
import { nodeRoles, type NodeRoles } from './roles.js'
import { setOwnKey } from '@fastify-seldon/protocol/internal'

export interface GraphEndpoint {
  /** `service_host` (default `localhost`, the operator's value for containers in the executor's pod). */
  readonly host: string
  /** `type` (default REST): how the node is called. */
  readonly type: EndpointType
  readonly httpPort: number | undefined
  readonly grpcPort: number | undefined
  readonly servicePort: number | undefined
}

export interface GraphNode {
  readonly name: string
  /** Where the node is in the definition (`graph.children[1]`), for messages. */
  readonly path: string
  readonly type: PredictiveUnitType | undefined
  readonly implementation: string | undefined
  readonly methods: readonly PredictiveUnitMethod[]
  readonly children: readonly GraphNode[]
  readonly endpoint: GraphEndpoint | undefined
  readonly parameters: readonly Parameter[]
  readonly logger: Logger | undefined
  readonly roles: NodeRoles
  /** RANDOM_ABTEST's probability of child 0 (`ratioA`, default 0.5), when the node routes that way. */
  readonly ratioA: number | undefined
}

export interface GraphSpec {
  /** The predictor's name: graph metadata's `name`. */
  readonly name: string
  /** The SeldonDeployment's name, when the graph came from one. */
  readonly deploymentName: string | undefined
  readonly root: GraphNode
  /** Every node by name, root first then depth-first. */
  readonly nodes: ReadonlyMap<string, GraphNode>
  /** Deployment, spec and predictor annotations (later ones win): `seldon.io/rest-timeout`... */
  readonly annotations: Readonly<Record<string, string>>
  /** componentSpecs containers by name: a node's image and environment when it runs in-process. */
  readonly containers: ReadonlyMap<string, Container>
}

export interface LoadGraphOptions {
  /** Which predictor of a SeldonDeployment (default: the first). */
  predictor?: string
  /** The predictor name when the input has none (a bare graph). Default `default`. */
  name?: string
}

/** Anything {@link loadGraph} reads. */
export type GraphInput = PredictiveUnit | PredictorSpec | SeldonDeployment | GraphSpec

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function fail (where: string, problem: string): never {
  throw new GraphSpecError(`${where}: ${problem}`)
}

function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value
}

export function isGraphSpec (value: unknown): value is GraphSpec {
  return isObject(value) && value.nodes instanceof Map && isObject(value.root) && Array.isArray(value.root.children)
}

/**
 * A graph from a SeldonDeployment (`spec.predictors`), a PredictorSpec (has `graph`) or a
 * PredictiveUnit (the graph itself), checked and normalised. Throws GraphSpecError.
 */
export function loadGraph (input: unknown, options: LoadGraphOptions = {}): GraphSpec {
  if (isGraphSpec(input)) return input
  if (!isObject(input)) fail('graph', `must be a SeldonDeployment, a PredictorSpec or a PredictiveUnit object, got ${describe(input)}`)
  if (isObject(input.spec) || input.kind === 'SeldonDeployment') return fromDeployment(input, options)
  if (input.graph !== undefined) return fromPredictor(input, 'predictor', options, undefined, {})
  if (options.predictor !== undefined) fail('graph', `option predictor ${JSON.stringify(options.predictor)} needs a SeldonDeployment, got a bare graph`)
  return build(input, options.name ?? 'default', undefined, {}, new Map())
}

function fromDeployment (sdep: Record<string, unknown>, options: LoadGraphOptions): GraphSpec {
  const spec = sdep.spec
  if (!isObject(spec)) fail('SeldonDeployment', 'has no spec')
  const predictors = spec.predictors
  if (!Array.isArray(predictors) || predictors.length === 0) fail('SeldonDeployment spec.predictors', 'must be a non-empty list')
  const metadata = isObject(sdep.metadata) ? sdep.metadata : {}
  let index = 0
  if (options.predictor !== undefined) {
    index = predictors.findIndex(p => isObject(p) && p.name === options.predictor)
    if (index < 0) {
      const names = predictors.map(p => isObject(p) ? JSON.stringify(p.name) : '?').join(', ')
      fail('SeldonDeployment', `Predictor not found ${options.predictor} (predictors: ${names})`)
    }
  }
  const annotations = { ...stringMap(metadata.annotations, 'metadata.annotations'), ...stringMap(spec.annotations, 'spec.annotations') }
  const deploymentName = typeof metadata.name === 'string' ? metadata.name : typeof spec.name === 'string' ? spec.name : undefined
  return fromPredictor(predictors[index], `spec.predictors[${index}]`, options, deploymentName, annotations)
}

function fromPredictor (
  predictor: unknown, where: string, options: LoadGraphOptions, deploymentName: string | undefined, annotations: Record<string, string>
): GraphSpec {
  if (!isObject(predictor)) fail(where, `must be a PredictorSpec object, got ${describe(predictor)}`)
  if (predictor.graph === undefined) fail(where, 'has no graph')
  const name = typeof predictor.name === 'string' && predictor.name !== '' ? predictor.name : options.name ?? 'default'
  const merged = { ...annotations, ...stringMap(predictor.annotations, `${where}.annotations`) }
  return build(predictor.graph, name, deploymentName, merged, containersOf(predictor.componentSpecs, `${where}.componentSpecs`), `${where}.graph`)
}

function stringMap (value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (!isObject(value)) fail(where, 'must be a map of strings')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') setOwnKey(out, k, v)
  }
  return out
}

function containersOf (specs: unknown, where: string): Map<string, Container> {
  const out = new Map<string, Container>()
  if (specs === undefined || specs === null) return out
  if (!Array.isArray(specs)) fail(where, 'must be a list')
  for (const s of specs as unknown[]) {
    const containers = isObject(s) && isObject(s.spec) ? s.spec.containers : undefined
    if (!Array.isArray(containers)) continue
    for (const c of containers) {
      if (isObject(c) && typeof c.name === 'string' && !out.has(c.name)) out.set(c.name, c as Container)
    }
  }
  return out
}

function build (
  graph: unknown, name: string, deploymentName: string | undefined, annotations: Record<string, string>,
  containers: Map<string, Container>, where = 'graph'
): GraphSpec {
  const nodes = new Map<string, GraphNode>()
  const root = readUnit(graph, where, nodes, new Set())
  return { name, deploymentName, root, nodes, annotations, containers }
}

function oneOf<T extends string> (value: unknown, allowed: readonly T[], where: string, field: string): T | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(where, `${field} ${describe(value)} is not one of ${allowed.join(', ')}`)
  }
  return value as T
}

function port (value: unknown, where: string, field: string): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    fail(where, `endpoint.${field} ${describe(value)} is not a port number (an integer 1-65535)`)
  }
  return value
}

function readEndpoint (value: unknown, where: string): GraphEndpoint | undefined {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) fail(where, `endpoint must be an object, got ${describe(value)}`)
  const host = value.service_host
  if (host !== undefined && host !== null && typeof host !== 'string') fail(where, `endpoint.service_host must be a string, got ${describe(host)}`)
  return {
    host: typeof host === 'string' && host !== '' ? host : 'localhost',
    type: oneOf(value.type, ENDPOINT_TYPES, where, 'endpoint.type') ?? 'REST',
    httpPort: port(value.httpPort, where, 'httpPort'),
    grpcPort: port(value.grpcPort, where, 'grpcPort'),
    servicePort: port(value.service_port, where, 'service_port')
  }
}

function readParameters (value: unknown, where: string): Parameter[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) fail(where, `parameters must be a list of {name, value, type}, got ${describe(value)}`)
  return value.map((p: unknown, i) => {
    const at = `${where} parameters[${i}]`
    if (!isObject(p)) fail(at, `must be {name, value, type}, got ${describe(p)}`)
    if (typeof p.name !== 'string' || p.name === '') fail(at, 'name must be a non-empty string')
    if (typeof p.value !== 'string') fail(at, `value must be a string (quote it in YAML: "${String(p.value)}"), got ${describe(p.value)}`)
    const type = oneOf(p.type, PARAMETER_TYPES, at, 'type')
    if (type === undefined) fail(at, `type is required (one of ${PARAMETER_TYPES.join(', ')})`)
    return { name: p.name, value: p.value, type }
  })
}

function readLogger (value: unknown, where: string): Logger | undefined {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) fail(where, `logger must be an object {url, mode}, got ${describe(value)}`)
  if (value.url !== undefined && typeof value.url !== 'string') fail(where, `logger.url must be a string, got ${describe(value.url)}`)
  const mode = oneOf(value.mode, LOGGER_MODES, where, 'logger.mode')
  return { ...(typeof value.url === 'string' ? { url: value.url } : {}), ...(mode !== undefined ? { mode } : {}) }
}

function readMethods (value: unknown, where: string): PredictiveUnitMethod[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) fail(where, `methods must be a list, got ${describe(value)}`)
  return value.map(m => oneOf(m, PREDICTIVE_UNIT_METHODS, where, 'method') as PredictiveUnitMethod)
}

/** The operator's defaults: untyped and method-less → MODEL; a prepackaged server → MODEL. */
function defaultType (type: PredictiveUnitType | undefined, implementation: string | undefined, methods: unknown[] | undefined): PredictiveUnitType | undefined {
  if (type === undefined && methods === undefined && implementation === undefined) return 'MODEL'
  if (implementation !== undefined && !(KNOWN_IMPLEMENTATIONS as readonly string[]).includes(implementation)) return 'MODEL'
  return type
}

function readUnit (value: unknown, where: string, nodes: Map<string, GraphNode>, ancestors: Set<unknown>): GraphNode {
  if (!isObject(value)) fail(where, `a PredictiveUnit must be an object, got ${describe(value)}`)
  if (ancestors.has(value)) fail(where, 'the graph contains a cycle')
  const name = value.name
  if (typeof name !== 'string' || name === '') fail(where, 'name must be a non-empty string')
  const at = `${where} (${JSON.stringify(name)})`
  const duplicate = nodes.get(name)
  if (duplicate !== undefined) fail(at, `duplicate node name: ${duplicate.path} has the same name`)
  const rawType = oneOf(value.type, PREDICTIVE_UNIT_TYPES, at, 'type')
  const implementation = value.implementation
  if (implementation !== undefined && implementation !== null && (typeof implementation !== 'string' || implementation === '')) {
    fail(at, `implementation must be a non-empty string, got ${describe(implementation)}`)
  }
  const impl = typeof implementation === 'string' ? implementation : undefined
  const rawMethods = readMethods(value.methods, at)
  const type = defaultType(rawType, impl, rawMethods)
  const methods = rawMethods ?? []
  const parameters = readParameters(value.parameters, at)
  const endpoint = readEndpoint(value.endpoint, at)
  const logger = readLogger(value.logger, at)
  const rawChildren = value.children ?? []
  if (!Array.isArray(rawChildren)) fail(at, `children must be a list, got ${describe(rawChildren)}`)
  const roles = nodeRoles(type, impl, methods)
  checkShape(at, type, rawChildren.length, methods)
  const ratioA = roles.route === 'abtest' && rawChildren.length > 0 ? abTestRatio(at, parameters, rawChildren.length) : undefined

  const node: GraphNode = {
    name, path: where, type, implementation: impl, methods, children: [], endpoint, parameters, logger, roles, ratioA
  }
  nodes.set(name, node)
  ancestors.add(value)
  const children = rawChildren.map((child: unknown, i) => readUnit(child, `${where}.children[${i}]`, nodes, ancestors))
  ancestors.delete(value)
  ;(node as { children: readonly GraphNode[] }).children = Object.freeze(children)
  return Object.freeze(node)
}

/** Calls that could never happen are a mistake in the graph, said at start-up. */
function checkShape (at: string, type: PredictiveUnitType | undefined, children: number, methods: readonly string[]): void {
  if (children > 0) return
  if (type === 'ROUTER' || methods.includes('ROUTE')) fail(at, 'a ROUTER (or a node with method ROUTE) needs children to route to')
  if (type === 'COMBINER' || methods.includes('AGGREGATE')) fail(at, 'a COMBINER (or a node with method AGGREGATE) needs children to aggregate')
}

/** RANDOM_ABTEST: `ratioA` (a FLOAT parameter, default 0.5) chooses child 0, else child 1. */
function abTestRatio (at: string, parameters: readonly Parameter[], children: number): number {
  if (children !== 2) fail(at, `RANDOM_ABTEST routes between exactly two children, this node has ${children}`)
  const param = parameters.find(p => p.name === 'ratioA')
  if (param === undefined) return 0.5
  const ratio = param.value.trim() === '' ? NaN : Number(param.value)
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) fail(at, `parameter ratioA ${JSON.stringify(param.value)} must be a number between 0 and 1`)
  return ratio
}
