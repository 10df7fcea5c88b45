/**
 * GraphEngine: the executor's algorithm over a graph whose nodes run in this process, behind REST
 * or gRPC endpoints, or both (docs/graph.md). Transport-free: it takes and returns messages in the
 * form of the caller's transport, so the REST plugin and a gRPC front end are thin adapters.
 *
 *   predict(node, x):  t = before(node, x)                 /predict or /transform-input
 *                      route = choose(node, t)              /route, RANDOM_ABTEST or -1
 *                      outs = children per route (in parallel, results in child order)
 *                      c = aggregate(node, outs) | outs[0]  (-2: c = t, no children)
 *                      return after(node, c)                /transform-output
 *   feedback(node, f): children per f.response.meta.routing[node] first, then /send-feedback
 */
import { randomUUID } from 'node:crypto'
import { SeldonRuntime, componentErrorHandlers, optionsFromEnv, type RuntimeOptions, type TracingHooks } from '@fastify-seldon/core'
import type { Transport } from '@fastify-seldon/protocol'
import { grpcCodeForHttp } from '@fastify-seldon/grpc'
import { errorStatus, grpcCodeName } from '@fastify-seldon/protocol'
import { GraphBadRequestError, GraphOptionError, GraphSpecError, ModelNotFoundError, NodeError, NodeUnsupportedError } from './errors.js'
import { GrpcChannels, GrpcUnit } from './grpc-unit.js'
import { LocalUnit } from './local-unit.js'
import { edgeNodes, type GraphMetadataResult } from './metadata.js'
import { isGraphSpec, loadGraph, type GraphInput, type GraphNode, type GraphSpec, type LoadGraphOptions } from './model.js'
import { RestPools, RestUnit } from './rest-unit.js'
import { OPERATION_PATHS, OPERATION_RPCS, nodeOperations, type NodeOperation } from './roles.js'
import { ROUTE_ALL, ROUTE_NONE, checkRoute, extractRoute, feedbackRoute } from './route.js'
import { RequestScope, type IncomingHeaders } from './scope.js'
import type { NodeUnit } from './unit.js'
import type { Flow } from './wire.js'
import { setOwnKey } from '@fastify-seldon/protocol/internal'

export interface GraphEngineOptions extends LoadGraphOptions {
  /** In-process components by node name (instances of your classes). Other nodes are remote. */
  components?: Readonly<Record<string, object>> | ReadonlyMap<string, object>
  /**
   * Time limit of each remote call, in ms (0: none, the executor's default). Default: the
   * deployment's `seldon.io/rest-timeout` / `seldon.io/grpc-timeout` annotation, else none.
   */
  timeout?: number
  /** Put the route every node took in the answer's `meta.routing` (default true). */
  routingInjection?: boolean
  /** How long a readiness check waits for a remote node (ms, default 2000). */
  readinessTimeout?: number
  /**
   * In-process nodes' default for INCLUDE_METRICS_IN_CLIENT_RESPONSE (default true: custom metrics
   * in `meta.metrics`); a node's container `env` in componentSpecs overrides it. The engine reads
   * no environment variable: the CLI maps the graph process's variable onto this option.
   */
  includeMetricsInResponse?: boolean
  /**
   * In-process nodes' default for SELDON_EXECUTOR_ENABLED (default true; false turns the feedback
   * reward counters off); a node's container `env` overrides it. Set from the environment by the CLI.
   */
  executorEnabled?: boolean
  /** RANDOM_ABTEST's random source (default Math.random). */
  random?: () => number
  /** Start-up notes (invalid metadata of an in-process component...). */
  log?: (message: string) => void
  /**
   * Called after every call to a node (predict, transform, route, aggregate, feedback), answered
   * or failed: per-node request metrics (`graphNodeObserver` of @fastify-seldon/metrics). Its
   * exceptions are ignored.
   */
  onNodeCall?: NodeCallHook
  /**
   * Tracing on (core's contract, implemented by @fastify-seldon/tracing): remote calls carry the
   * trace context and in-process components' methods run in their spans. See {@link GraphEngine.setTracing}.
   */
  tracing?: TracingHooks | undefined
}

/** One finished call to a node, as the executor's client metrics label it (docs/graph.md, "Metrics"). */
export interface NodeCall {
  /** The node's name (`model_name`). */
  node: string
  /** Where it runs. */
  kind: NodeUnit['kind']
  operation: NodeOperation
  /** The call: the REST path (`/predict`) for REST and in-process nodes, the gRPC method for gRPC ones. */
  service: string
  /** `post` (REST), `unary` (gRPC), `in-process`. */
  method: string
  /** The HTTP status (`200`, `500`...) or, for a gRPC node, the status name (`OK`, `INTERNAL`...). */
  code: string
  seconds: number
}

export type NodeCallHook = (call: NodeCall) => void

/** Who is calling: the transport decides the message form, puid and headers go to remote nodes. */
export interface CallContext {
  transport?: Transport
  /** The request's puid (Seldon-Puid / seldon-puid); generated when absent. */
  puid?: string
  /** The inbound request's headers (lower-case names), forwarded to remote nodes. */
  headers?: IncomingHeaders
}

export interface FeedbackResult {
  /** The root's /send-feedback answer, or (echo) the feedback message itself. */
  message: unknown
  /** The root node sends no feedback: the executor answers with the request itself. */
  echo: boolean
}

export interface ReadinessReport {
  ready: boolean
  /** The nodes that are not ready, and why. */
  notReady: Array<{ node: string, problem: string }>
}

const ECHO = Symbol('echo')

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function share (flow: Flow): Flow {
  return flow.owned ? { message: flow.message, owned: false } : flow
}

/** Results in child order; when several fail, the lowest index wins (as the executor). */
async function fanOut<T, R> (items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map(run))
  return settled.map(s => { if (s.status === 'rejected') throw s.reason; return s.value })
}

export class GraphEngine {
  readonly spec: GraphSpec
  private readonly units = new Map<string, NodeUnit>()
  private readonly pools = new RestPools()
  private readonly channels = new GrpcChannels()
  private readonly routingInjection: boolean
  private readonly readinessTimeout: number
  private readonly random: () => number
  private readonly onNodeCall: NodeCallHook | undefined
  private tracing: TracingHooks | undefined
  private loading: Promise<void> | undefined
  private closed = false

  constructor (graph: GraphInput, options: GraphEngineOptions = {}) {
    rejectEnvOption(options)
    bool(options.includeMetricsInResponse, 'includeMetricsInResponse')
    bool(options.executorEnabled, 'executorEnabled')
    this.spec = isGraphSpec(graph) ? graph : loadGraph(graph, options)
    this.routingInjection = bool(options.routingInjection, 'routingInjection') ?? true
    this.readinessTimeout = milliseconds(options.readinessTimeout, 'readinessTimeout') ?? 2000
    if (options.random !== undefined && typeof options.random !== 'function') throw new GraphOptionError('option random must be a function')
    this.random = options.random ?? Math.random
    if (options.onNodeCall !== undefined && typeof options.onNodeCall !== 'function') throw new GraphOptionError('option onNodeCall must be a function')
    this.onNodeCall = options.onNodeCall
    this.tracing = options.tracing
    const components = componentMap(options.components, this.spec)
    const timeout = milliseconds(options.timeout, 'timeout')
    for (const node of this.spec.nodes.values()) {
      const unit = this.makeUnit(node, components.get(node.name), timeout, options)
      if (unit !== undefined) this.units.set(node.name, unit)
    }
  }

  /** Trace from now on with `tracing` (undefined: stop): remote calls and in-process components. */
  setTracing (tracing: TracingHooks | undefined): void {
    this.tracing = tracing
    for (const unit of this.units.values()) if (unit instanceof LocalUnit) unit.runtime.setTracing(tracing)
  }

  /** Where a node runs: `in-process`, `rest`, `grpc`, or undefined (pass-through, RANDOM_ABTEST). */
  unitKind (name: string): NodeUnit['kind'] | undefined {
    return this.units.get(name)?.kind
  }

  /** The in-process node's runtime (metrics recorders, tests). */
  runtimeOf (name: string): SeldonRuntime | undefined {
    const unit = this.units.get(name)
    return unit instanceof LocalUnit ? unit.runtime : undefined
  }

  /** initMetadata() and load() of every in-process component, once; rejects naming the node. */
  load (): Promise<void> {
    this.loading ??= Promise.all([...this.units].map(async ([name, unit]) => {
      try {
        await unit.load()
      } catch (err) {
        throw new Error(`node ${name}: component load() failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
      }
    })).then(() => undefined)
    return this.loading
  }

  /** Closes the connection pools and channels to remote nodes. Idempotent. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.channels.close()
    await this.pools.close()
  }

  /** A prediction through the graph: the request message in, the answer message out. */
  async predict (message: unknown, context: CallContext = {}): Promise<unknown> {
    const scope = this.scope(context)
    const output = await this.predictNode(this.spec.root, { message, owned: true }, scope)
    return this.routingInjection ? withRouting(output.message, scope.routing) : output.message
  }

  /** Feedback through the graph: children first (as the request was routed), then each node. */
  async feedback (message: unknown, context: CallContext = {}): Promise<FeedbackResult> {
    if (!isObject(message)) throw new GraphBadRequestError('Feedback must be a JSON object {request, response, reward, truth}')
    const result = await this.feedbackNode(this.spec.root, { message, owned: false }, this.scope(context))
    return result === ECHO ? { message, echo: true } : { message: result, echo: false }
  }

  /** Graph metadata: every node's metadata, and the graph's inputs and outputs. */
  async graphMetadata (context: CallContext = {}): Promise<GraphMetadataResult> {
    const scope = this.scope(context)
    const named = [...this.spec.nodes.keys()].filter(name => this.units.has(name))
    const all = await fanOut(named, async name => await (this.units.get(name) as NodeUnit).metadata(scope))
    const models: Record<string, unknown> = {}
    named.forEach((name, i) => { setOwnKey(models, name, all[i]) })
    const [inputsNode, outputsNode] = edgeNodes(this.spec.root)
    const field = (node: GraphNode | undefined, key: 'inputs' | 'outputs'): unknown =>
      node !== undefined && isObject(models[node.name]) ? (models[node.name] as Record<string, unknown>)[key] : undefined
    return { name: this.spec.name, models, inputs: field(inputsNode, 'inputs'), outputs: field(outputsNode, 'outputs') }
  }

  /** One node's model metadata. */
  async nodeMetadata (name: string, context: CallContext = {}): Promise<unknown> {
    return await this.unitFor(name).metadata(this.scope(context))
  }

  /** One node's `/health/status` answer. */
  async nodeHealth (name: string, context: CallContext = {}): Promise<unknown> {
    return await this.unitFor(name).health(this.scope(context))
  }

  /** Ready when every node is: in-process ones loaded, remote ones answering (bounded wait). */
  async readiness (): Promise<ReadinessReport> {
    const entries = [...this.units]
    const problems = await Promise.all(entries.map(async ([, unit]) => await unit.readiness(this.readinessTimeout)))
    const notReady = entries.flatMap(([node], i) => problems[i] === undefined ? [] : [{ node, problem: problems[i] as string }])
    return { ready: notReady.length === 0, notReady }
  }

  // ── the algorithm ─────────────────────────────────────────────────────────────────────────

  private async predictNode (node: GraphNode, input: Flow, scope: RequestScope): Promise<Flow> {
    const roles = node.roles
    let t = input
    if (roles.before !== undefined) {
      t = await this.call(node, roles.before, input, scope)
      scope.routing.set(node.name, ROUTE_ALL)
    }
    let c = t
    if (node.children.length > 0) {
      const route = await this.choose(node, t, scope)
      scope.routing.set(node.name, route)
      if (route !== ROUTE_NONE) {
        const children = route === ROUTE_ALL ? node.children : [node.children[route] as GraphNode]
        const given = children.length > 1 ? share(t) : t
        const outputs = await fanOut(children, async child => await this.predictNode(child, given, scope))
        c = roles.aggregate ? await this.call(node, 'aggregate', outputs, scope) : outputs[0] as Flow
      }
    }
    return roles.transformOutput ? await this.call(node, 'transformOutput', c, scope) : c
  }

  private async choose (node: GraphNode, t: Flow, scope: RequestScope): Promise<number> {
    switch (node.roles.route) {
      case 'all': return ROUTE_ALL
      case 'abtest': return checkRoute(node.name, this.random() < (node.ratioA ?? 0.5) ? 0 : 1, node.children.length)
      case 'call': {
        const answer = (await this.call(node, 'route', share(t), scope)).message
        return extractRoute(node.name, answer, node.children.length)
      }
    }
  }

  private async feedbackNode (node: GraphNode, feedback: Flow, scope: RequestScope): Promise<unknown> {
    const count = node.children.length
    if (count > 0) {
      const route = feedbackRoute(node.name, feedback.message, count)
      if (route === ROUTE_ALL) await fanOut(node.children, async child => await this.feedbackNode(child, feedback, scope))
      else if (route !== ROUTE_NONE) await this.feedbackNode(node.children[route] as GraphNode, feedback, scope)
    }
    if (!node.roles.sendFeedback) return ECHO
    return (await this.call(node, 'sendFeedback', feedback, scope)).message
  }

  private async call (node: GraphNode, operation: NodeOperation, input: Flow | readonly Flow[], scope: RequestScope): Promise<Flow> {
    const unit = this.units.get(node.name) as NodeUnit
    if (this.onNodeCall === undefined) return { message: await unit.call(operation, input, scope), owned: unit.answersOwned }
    const started = process.hrtime.bigint()
    let code: string
    try {
      const message = await unit.call(operation, input, scope)
      code = unit.kind === 'grpc' ? 'OK' : '200'
      return { message, owned: unit.answersOwned }
    } catch (err) {
      code = failureCode(unit, err)
      throw err
    } finally {
      this.report(node.name, unit, operation, code!, started)
    }
  }

  private report (node: string, unit: NodeUnit, operation: NodeOperation, code: string, started: bigint): void {
    const call: NodeCall = {
      node,
      kind: unit.kind,
      operation,
      service: unit.kind === 'grpc' ? OPERATION_RPCS[operation] : OPERATION_PATHS[operation],
      method: unit.kind === 'grpc' ? 'unary' : unit.kind === 'rest' ? 'post' : 'in-process',
      code,
      seconds: Number(process.hrtime.bigint() - started) / 1e9
    }
    try {
      this.onNodeCall?.(call)
    } catch {
      // a metrics hook never fails a request
    }
  }

  // ── set-up ────────────────────────────────────────────────────────────────────────────────

  private scope (context: CallContext): RequestScope {
    const transport = context.transport ?? 'rest'
    if (transport !== 'rest' && transport !== 'grpc') throw new GraphOptionError(`transport must be 'rest' or 'grpc', got ${String(transport)}`)
    const puid = typeof context.puid === 'string' && context.puid !== '' ? context.puid : randomUUID()
    return new RequestScope(transport, puid, context.headers, this.tracing)
  }

  private unitFor (name: string): NodeUnit {
    const unit = this.units.get(name)
    if (unit !== undefined) return unit
    if (!this.spec.nodes.has(name)) throw new ModelNotFoundError(name)
    throw new NodeUnsupportedError(`Node ${name} runs no component (a pass-through or RANDOM_ABTEST node): it has no metadata or status`)
  }

  private makeUnit (node: GraphNode, component: object | undefined, timeout: number | undefined, options: GraphEngineOptions): NodeUnit | undefined {
    const operations = nodeOperations(node.roles, node.children.length > 0)
    if (component !== undefined) {
      const runtime = new SeldonRuntime(component, this.runtimeOptions(node, options))
      checkComponent(node, runtime, operations)
      return new LocalUnit(node.name, runtime)
    }
    const endpoint = node.endpoint
    if (endpoint === undefined) {
      if (operations.length === 0) return undefined
      const calls = operations.map(op => `/${op.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`).join(', ')
      throw new GraphSpecError(`${node.path} (${JSON.stringify(node.name)}): ${describeNode(node)} calls ${calls}, but it has no in-process component and no endpoint`)
    }
    const grpc = endpoint.type === 'GRPC'
    const port = (grpc ? endpoint.grpcPort : endpoint.httpPort) ?? endpoint.servicePort
    if (port === undefined) {
      throw new GraphSpecError(`${node.path} (${JSON.stringify(node.name)}): endpoint has no port (${grpc ? 'grpcPort' : 'httpPort'} or service_port)`)
    }
    const host = endpoint.host.includes(':') && !endpoint.host.startsWith('[') ? `[${endpoint.host}]` : endpoint.host
    const annotation = this.spec.annotations[grpc ? 'seldon.io/grpc-timeout' : 'seldon.io/rest-timeout']
    const limit = timeout ?? (annotation !== undefined && /^\d+$/.test(annotation.trim()) ? Number(annotation) : 0)
    return grpc
      ? new GrpcUnit(node.name, `${host}:${port}`, this.channels, limit)
      : new RestUnit(node.name, `http://${host}:${port}`, this.pools, limit)
  }

  /**
   * A node's runtime options, as its own container would have them: its name as
   * PREDICTIVE_UNIT_ID, its container's image and environment from componentSpecs (the container's
   * INCLUDE_METRICS_IN_CLIENT_RESPONSE and SELDON_EXECUTOR_ENABLED over the engine's options).
   */
  private runtimeOptions (node: GraphNode, options: GraphEngineOptions): RuntimeOptions {
    const container = this.spec.containers.get(node.name)
    const containerEnv: Record<string, string> = {}
    for (const entry of container?.env ?? []) {
      if (typeof entry?.name === 'string' && typeof entry.value === 'string') containerEnv[entry.name] = entry.value
    }
    const own = optionsFromEnv(containerEnv)
    return {
      unitId: node.name,
      unitImage: typeof container?.image === 'string' && container.image !== '' ? container.image : containerEnv.PREDICTIVE_UNIT_IMAGE,
      includeMetricsInResponse: own.includeMetricsInResponse ?? options.includeMetricsInResponse ?? true,
      executorEnabled: own.executorEnabled ?? options.executorEnabled ?? true,
      modelMetadata: own.modelMetadata,
      tracing: options.tracing,
      log: options.log
    }
  }
}

/** The code label of a failed call: a gRPC node's status name, else the HTTP status it stands for. */
function failureCode (unit: NodeUnit, err: unknown): string {
  if (err instanceof NodeError && err.grpc !== undefined) return grpcCodeName(err.grpc.code)
  const status = err instanceof NodeError ? err.statusCode : errorStatus(err).statusCode
  return unit.kind === 'grpc' ? grpcCodeName(grpcCodeForHttp(status)) : String(status)
}

function describeNode (node: GraphNode): string {
  const type = node.type ?? 'untyped node'
  return node.methods.length > 0 ? `${type} with methods ${node.methods.join(', ')}` : type
}

/**
 * The component must have the method each of its calls needs (a transformer's is optional:
 * identity), and its own error handlers, if any, must be `{ error, handle }` entries.
 */
function checkComponent (node: GraphNode, runtime: SeldonRuntime, operations: readonly NodeOperation[]): void {
  try {
    componentErrorHandlers(runtime.component)
  } catch (err) {
    throw new GraphSpecError(`components.${node.name}: ${(err as Error).message}`)
  }
  const needs: Array<[NodeOperation, string]> = [['predict', 'predict()'], ['route', 'route()'], ['aggregate', 'aggregate()']]
  for (const [operation, method] of needs) {
    if (operations.includes(operation) && !runtime.has(operation)) {
      throw new GraphSpecError(`${node.path} (${JSON.stringify(node.name)}): ${describeNode(node)} calls /${operation}, but its component has no ${method} method`)
    }
  }
}

function componentMap (components: GraphEngineOptions['components'], spec: GraphSpec): Map<string, object> {
  if (components === undefined) return new Map()
  if (components === null || typeof components !== 'object') throw new GraphOptionError('option components must map node names to component objects')
  const entries = components instanceof Map ? [...components] : Object.entries(components)
  for (const [name, component] of entries) {
    if (!spec.nodes.has(name)) {
      throw new GraphSpecError(`components.${name}: the graph has no node named ${JSON.stringify(name)} (nodes: ${[...spec.nodes.keys()].join(', ')})`)
    }
    if (component === null || typeof component !== 'object') {
      throw new GraphOptionError(`components.${name} must be a component object (an instance of your class)`)
    }
  }
  return new Map(entries)
}

/**
 * The engine and the plugin take options only, as core's plugins do: the process environment is
 * the host's (the CLI maps the executor's variables onto options). An `env` option, which earlier
 * versions read, is refused rather than silently ignored.
 */
export function rejectEnvOption (options: object): void {
  if ((options as { env?: unknown }).env !== undefined) {
    throw new GraphOptionError('option env is not read: the graph takes options only (includeMetricsInResponse, executorEnabled, corsAllowedOrigins, corsAllowedHeaders)')
  }
}

function bool (value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new GraphOptionError(`option ${name} must be a boolean`)
  return value as boolean | undefined
}

function milliseconds (value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new GraphOptionError(`option ${name} must be a number of milliseconds (0 or more)`)
  return value
}

/** The answer with `meta.routing` set to every node's route (the executor's routing injection). */
function withRouting (message: unknown, routing: ReadonlyMap<string, number>): unknown {
  if (!isObject(message)) return message
  const table: Record<string, number> = {}
  for (const [name, route] of routing) setOwnKey(table, name, route)
  const meta = isObject(message.meta) ? { ...message.meta, routing: table } : { routing: table }
  return { ...message, meta }
}
