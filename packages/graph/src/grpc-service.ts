/**
 * The executor's gRPC API for a graph: the `seldon.protos.Seldon` service (Predict, SendFeedback,
 * ModelMetadata, GraphMetadata; seldon-core v1.18.2 executor/api/grpc/seldon/server.go), as a
 * backend of @fastify-seldon/grpc's server — so a graph gets that server's limits, load shedding,
 * call metrics, reflection and draining shutdown, and the gRPC package knows nothing of graphs:
 *
 *   app.register(seldonGrpc, { backend: graphGrpcBackend(engine), port: 5000 })
 *
 * Each call is a thin adapter over the engine with messages in the protobuf form (docs/graph.md,
 * "The gRPC API"). `seldon-puid` is read from the call's metadata (generated when absent), sent
 * back as a response header on Predict and SendFeedback, and forwarded with the rest of the
 * metadata to remote nodes.
 */
import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js'
import { grpcCodeForHttp, grpcStatusFor, seldonTrailers, type GrpcBackend, type GrpcStatusObject, type GrpcEndpoint } from '@fastify-seldon/grpc'
import {
  encodeSeldonGraphMetadata, encodeSeldonMessage, encodeSeldonModelMetadata, parseJson,
  type SeldonGraphMetadata, type SeldonMessage, type SeldonModelMetadata
} from '@fastify-seldon/protocol'
import { randomUUID } from 'node:crypto'
import type { CallContext, GraphEngine } from './engine.js'
import { NodeError, NodeUnsupportedError } from './errors.js'
import { PUID_HEADER, type IncomingHeaders } from './scope.js'
import { setOwnKey } from '@fastify-seldon/protocol/internal'

const EMPTY_MESSAGE = encodeSeldonMessage({})

/** The `Seldon` service of `engine`, for `createGrpcServer(backend)` or `seldonGrpc`'s `backend` option. */
export function graphGrpcBackend (engine: GraphEngine): GrpcBackend {
  return new GraphGrpcBackend(engine)
}

class GraphGrpcBackend implements GrpcBackend {
  readonly services = ['Seldon'] as const

  constructor (private readonly engine: GraphEngine) {}

  async load (): Promise<void> {
    await this.engine.load()
  }

  async call (operation: GrpcEndpoint, request: unknown, call: ServerUnaryCall<unknown, unknown>): Promise<Uint8Array> {
    const context = callContext(call.metadata)
    switch (operation) {
      case 'predict': {
        sendPuid(call, context.puid as string)
        return encodeSeldonMessage(sortedMaps(await this.engine.predict(request, context) as SeldonMessage))
      }
      case 'sendFeedback': {
        sendPuid(call, context.puid as string)
        const result = await this.engine.feedback(request, context)
        // No node of the root sends feedback: over REST the executor echoes the request, which is
        // no SeldonMessage over gRPC; an empty one is the answer (COMPATIBILITY.md E-21).
        return result.echo ? EMPTY_MESSAGE : encodeSeldonMessage(sortedMaps(result.message as SeldonMessage))
      }
      case 'metadata': {
        const name = (request as { name?: unknown } | null)?.name
        return encodeSeldonModelMetadata(await this.engine.nodeMetadata(typeof name === 'string' ? name : '', context) as SeldonModelMetadata)
      }
      case 'graphMetadata': {
        const result = await this.engine.graphMetadata(context)
        const message: SeldonGraphMetadata = { name: result.name, models: result.models as SeldonGraphMetadata['models'] }
        if (result.inputs !== undefined) message.inputs = result.inputs as SeldonGraphMetadata['inputs']
        if (result.outputs !== undefined) message.outputs = result.outputs as SeldonGraphMetadata['outputs']
        return encodeSeldonGraphMetadata(message)
      }
      default:
        throw new NodeUnsupportedError(`${operation} is not a call of the graph's Seldon service`)
    }
  }

  async status (err: unknown): Promise<GrpcStatusObject> {
    return err instanceof NodeError ? await nodeStatus(err) : await grpcStatusFor(err)
  }
}

/**
 * The answer with its map fields in key order (`meta.tags`, `meta.requestPath`, `meta.routing`, the
 * keys of `jsonData`), as protobuf's deterministic serialisation writes maps. A node's answer that
 * crossed a REST hop has its keys sorted (JSON answers are written sorted, as the Python wrapper
 * writes them), one that did not has them in merge order: sorted, the same graph answers the same
 * bytes whether its nodes run in-process, behind gRPC or behind REST.
 */
function sortedMaps (message: SeldonMessage): SeldonMessage {
  if (message === null || typeof message !== 'object') return message
  const out: SeldonMessage = { ...message }
  const meta = message.meta
  if (meta !== null && typeof meta === 'object') {
    const sortedMeta: Record<string, unknown> = { ...meta }
    for (const key of ['tags', 'requestPath', 'routing'] as const) {
      const map = meta[key]
      if (map !== null && typeof map === 'object') sortedMeta[key] = sortKeys(map as Record<string, unknown>, false)
    }
    out.meta = sortedMeta as SeldonMessage['meta']
  }
  if (message.jsonData !== null && typeof message.jsonData === 'object') out.jsonData = sortKeys(message.jsonData, true) as SeldonMessage['jsonData']
  return out
}

function sortKeys (value: unknown, deep: boolean): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return deep ? value.map(v => sortKeys(v, true)) : value
  if (Object.getPrototypeOf(value) !== Object.prototype) return value // JsonFloat and other boxed values
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    setOwnKey(out, key, deep ? sortKeys(v, true) : v)
  }
  return out
}

/** The engine's call context from gRPC metadata: its puid (or a new one), its text entries as headers. */
function callContext (metadata: Metadata): CallContext & { puid: string } {
  const headers: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value !== 'string') continue
    const all = metadata.get(key).filter((v): v is string => typeof v === 'string')
    setOwnKey(headers, key, all.length > 1 ? all : value)
  }
  const given = metadata.get(PUID_HEADER)[0]
  const puid = typeof given === 'string' && given !== '' ? given : randomUUID()
  return { transport: 'grpc', puid, headers: headers as IncomingHeaders }
}

function sendPuid (call: ServerUnaryCall<unknown, unknown>, puid: string): void {
  const header = new Metadata()
  header.set(PUID_HEADER, puid)
  call.sendMetadata(header)
}

/**
 * A node's failure over gRPC: a gRPC node's status unchanged (as the executor passes it on); an
 * in-process node's error as its own gRPC server would answer it (its error handlers first); a REST
 * node's (or a raw method's) HTTP status as its gRPC code, the envelope's `info` as details.
 */
async function nodeStatus (error: NodeError): Promise<GrpcStatusObject> {
  if (error.grpc !== undefined) {
    const metadata = new Metadata()
    for (const [key, value] of Object.entries(error.grpc.metadata)) metadata.set(key, value)
    return { code: error.grpc.code, details: error.grpc.details, metadata }
  }
  if (error.body === undefined) return await grpcStatusFor(error.cause, undefined, error.component)
  const { info, reason } = envelopeOf(error.body)
  const fallbackReason = error.statusCode < 500 ? 'MICROSERVICE_BAD_DATA' : 'MICROSERVICE_INTERNAL_ERROR'
  return {
    code: grpcCodeForHttp(error.statusCode),
    details: info ?? `node ${error.node} answered ${error.statusCode}: ${error.body.toString('utf8')}`,
    metadata: seldonTrailers(reason ?? fallbackReason, error.statusCode)
  }
}

/** `status.info` and `status.reason` of a Seldon error envelope, when the body is one. */
function envelopeOf (body: Buffer): { info?: string, reason?: string } {
  try {
    const status = (parseJson(body) as { status?: { info?: unknown, reason?: unknown } } | null)?.status
    return {
      ...(typeof status?.info === 'string' ? { info: status.info } : {}),
      ...(typeof status?.reason === 'string' && status.reason !== '' ? { reason: status.reason } : {})
    }
  } catch {
    return {}
  }
}
