/**
 * The CLI's graph mode: `seldon-microservice --graph <file> --component <node>=<module>` serves an
 * inference graph as the executor does (docs/graph.md), with everything a single component gets
 * from the CLI — ports, workers, metrics, drain, under-pressure, the request timeout:
 *
 *   Fastify (the worker's base app: server.ts)
 *     ├─ seldonGraph   the executor's REST API at the root, CORS on, components loaded at ready
 *     └─ seldonGrpc    the `Seldon` service through graphGrpcBackend(engine), same limits as REST
 *
 * An in-process node's module is found, imported and constructed as `<module>` is (loader.ts), with
 * the node's `parameters` typed as PREDICTIVE_UNIT_PARAMETERS are (the operator hands a node's
 * parameters to its container that way); the engine gives it the node's name as PREDICTIVE_UNIT_ID.
 */
import path from 'node:path'
import type { GraphEngine } from '@fastify-seldon/graph'
import { graphNodeObserver, graphServerObserver, type GraphNodeMetricsOptions, type SeldonMetrics } from '@fastify-seldon/metrics'
import type { FastifyInstance } from 'fastify'
import type { GraphConfig } from './graph-options.js'
import { ComponentError, importModule, instantiate, pickExport, resolveModule } from './loader.js'
import { parseParameters } from './options.js'
import { buildBaseApp, environmentOptions, grpcLimits, type BuildServerOptions, type ServerConfig } from './server.js'

export interface LoadGraphEngineOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** Start-up notes of the engine (an in-process component's invalid metadata...). */
  log?: (message: string) => void
  /** Where per-node request metrics go (`seldon_api_executor_client_requests_seconds`, docs/graph.md). */
  metrics?: SeldonMetrics
}

/** The executor's labels of a graph's metrics: deployment, predictor, its version, the nodes' images. */
function metricLabels (graph: GraphEngine | GraphEngine['spec'], env: NodeJS.ProcessEnv): GraphNodeMetricsOptions {
  const spec = 'spec' in graph ? graph.spec : graph
  const images = new Map<string, string>()
  for (const [name, container] of spec.containers) if (typeof container.image === 'string') images.set(name, container.image)
  return {
    deploymentName: spec.deploymentName ?? env.SELDON_DEPLOYMENT_ID,
    predictorName: spec.name,
    predictorVersion: spec.annotations.version,
    images
  }
}

/** The graph of the config (its file, or ENGINE_PREDICTOR) with its in-process components constructed. */
export async function loadGraphEngine (graph: GraphConfig, options: LoadGraphEngineOptions): Promise<GraphEngine> {
  const { GraphEngine, graphFromEnv, readGraphFile } = await import('@fastify-seldon/graph')
  const predictor = graph.predictor !== undefined ? { predictor: graph.predictor } : {}
  const spec = graph.file !== undefined
    ? await readGraphFile(path.resolve(options.cwd, graph.file), predictor)
    : graphFromEnv(options.env)
  if (spec === undefined) throw new ComponentError('no graph: give --graph <file> or set ENGINE_PREDICTOR')
  const components: Record<string, object> = {}
  for (const { node, module, exportName } of graph.components) {
    const unit = spec.nodes.get(node)
    if (unit === undefined) {
      throw new ComponentError(`--component ${node}=${module}: the graph has no node named ${JSON.stringify(node)} (nodes: ${[...spec.nodes.keys()].join(', ')})`)
    }
    const parameters = parseParameters(JSON.stringify(unit.parameters))
    const resolved = resolveModule(module, options.cwd)
    const picked = pickExport(await importModule(resolved.file), resolved.file, exportName ?? resolved.exportName)
    const label = picked.name === 'default' ? path.basename(resolved.file) : picked.name
    Object.defineProperty(components, node, { value: await instantiate(picked.value, parameters, `${label} (node ${node})`), enumerable: true })
  }
  const onNodeCall = options.metrics === undefined ? undefined : graphNodeObserver(options.metrics, metricLabels(spec, options.env))
  // The graph process's INCLUDE_METRICS_IN_CLIENT_RESPONSE and SELDON_EXECUTOR_ENABLED: the
  // in-process nodes' defaults (their container env in componentSpecs still wins).
  const { includeMetricsInResponse, executorEnabled } = environmentOptions(options.env).plugins
  return new GraphEngine(spec, {
    components,
    ...(onNodeCall !== undefined ? { onNodeCall } : {}),
    ...(includeMetricsInResponse !== undefined ? { includeMetricsInResponse } : {}),
    ...(executorEnabled !== undefined ? { executorEnabled } : {}),
    routingInjection: graph.routingInjection,
    ...(graph.nodeTimeout !== undefined ? { timeout: graph.nodeTimeout } : {}),
    ...(options.log !== undefined ? { log: options.log } : {})
  })
}

/** A worker's app serving `engine` over REST (and gRPC unless disabled); not listening yet. Closes the engine on close. */
export async function buildGraphServer (engine: GraphEngine, config: ServerConfig, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const { app, metrics, fromEnv } = await buildBaseApp(config, options)
  const { seldonGraph, graphGrpcBackend } = await import('@fastify-seldon/graph')
  for (const name of engine.spec.nodes.keys()) engine.runtimeOf(name)?.setMetricsRecorder(metrics.recorder)
  const tracing = options.tracing !== undefined ? { tracing: options.tracing } : {}
  if (options.tracing !== undefined) engine.setTracing(options.tracing)
  // The executor's server histogram, for REST and gRPC alike (what Seldon's dashboards read).
  const onApiCall = graphServerObserver(metrics, metricLabels(engine, options.env ?? process.env))
  await app.register(seldonGraph, { engine, cors: true, ...fromEnv.graphCors, onApiCall, ...tracing })
  if (config.grpcEnabled) {
    const { seldonGrpc } = await import('@fastify-seldon/grpc')
    const limits = grpcLimits(app, config, metrics)
    const onCall = (service: string, method: string, code: string, seconds: number): void => {
      limits.onCall(service, method, code, seconds)
      onApiCall({ service: `/${service}/${method}`, method: 'unary', code, seconds })
    }
    await app.register(seldonGrpc, { backend: graphGrpcBackend(engine), ...limits, onCall, ...tracing })
  }
  app.addHook('onClose', async function closeGraphEngine () { await engine.close() })
  return app
}
