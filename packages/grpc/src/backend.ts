/**
 * What a gRPC server serves: a backend answers each call's operation with the response bytes. The
 * server (server.ts) owns everything around it — codecs, limits, load shedding, the call hook for
 * metrics, reflection, the draining shutdown — so any source of answers gets the same machinery:
 *
 *   - {@link runtimeBackend}: one component behind a SeldonRuntime (the seven seldon.protos
 *     services, what `seldon-microservice <module>` serves);
 *   - a graph's backend (`@fastify-seldon/graph`'s `graphGrpcBackend`: the `Seldon` service, as the
 *     executor serves it), which this package does not know: it depends on this interface only.
 */
import { Metadata, status as Status, type ServerUnaryCall } from '@grpc/grpc-js'
import type { Answer, DispatchOptions, SeldonRuntime } from '@fastify-seldon/core'
import { encodeSeldonMessage, encodeSeldonModelMetadata, type SeldonModelMetadata } from '@fastify-seldon/protocol'
import type { GrpcEndpoint, SeldonServiceName } from './services.js'
import { grpcStatusFor, type GrpcErrorMapper, type GrpcStatusObject } from './status.js'

export interface GrpcBackend {
  /** The services served (every RPC of each); default all seven. */
  readonly services?: readonly SeldonServiceName[]
  /** Made ready before the port is bound (a component's load()); called once. */
  load (): Promise<void>
  /**
   * One call: `request` is the decoded request (message form), `call` the grpc-js call (its
   * metadata; `sendMetadata` for response headers). Resolves with the encoded response.
   */
  call (operation: GrpcEndpoint, request: unknown, call: ServerUnaryCall<unknown, unknown>, options?: DispatchOptions): Promise<Uint8Array>
  /**
   * Requests may wait in a queue (inference threads, batching): the server then passes a signal in
   * `options`, aborted when the call is cancelled or times out, so a waiting request is dropped.
   */
  readonly cancellable?: boolean
  /**
   * True when `operation`'s request may arrive with a numeric `data.ndarray` already an NDArray
   * (decoded from the wire straight into one Float64Array, never a JS array per row); absent or
   * false: nested arrays, the message form every consumer can read.
   */
  decodesArrays? (operation: GrpcEndpoint): boolean
  /** The status a failure is answered with. Never rejects. */
  status (err: unknown): Promise<GrpcStatusObject>
}

/** A status answered as it is, not through the error mapping. */
export class GrpcStatusError extends Error {
  constructor (readonly code: Status, details: string, readonly metadata: Metadata = new Metadata()) {
    super(details)
  }
}

/** Seldon's trailers of a status: the REST status and reason it stands for (COMPATIBILITY.md C-19). */
export function seldonTrailers (reason: string, httpStatus: number): Metadata {
  const metadata = new Metadata()
  metadata.set('seldon-reason', reason)
  metadata.set('seldon-http-status', String(httpStatus))
  return metadata
}

/** A component's runtime as a backend: the same dispatch as REST, its error handlers for statuses. */
export function runtimeBackend (runtime: SeldonRuntime, errorMapper?: GrpcErrorMapper): GrpcBackend {
  // An inference thread sends the answer already encoded.
  const message = async (answer: Promise<Answer>): Promise<Uint8Array> => {
    const a = await answer
    return a.encoded instanceof Uint8Array ? a.encoded : encodeSeldonMessage(a.message as never)
  }
  const run: Record<GrpcEndpoint, (request: any, options?: DispatchOptions) => Promise<Uint8Array>> = {
    predict: async (req, o) => await message(runtime.predict(req, 'grpc', o)),
    transformInput: async (req, o) => await message(runtime.transformInput(req, 'grpc', o)),
    transformOutput: async (req, o) => await message(runtime.transformOutput(req, 'grpc', o)),
    route: async (req, o) => await message(runtime.route(req, 'grpc', o)),
    aggregate: async (req, o) => await message(runtime.aggregate(req, 'grpc', o)),
    sendFeedback: async (req, o) => await message(runtime.sendFeedback(req, 'grpc', o)),
    // Invalid metadata: INTERNAL "Model metadata unavailable", as REST's 500 (the wrapper answers
    // an empty message; COMPATIBILITY.md C-31).
    metadata: async () => encodeSeldonModelMetadata(runtime.metadata() as SeldonModelMetadata),
    graphMetadata: async () => {
      throw new GrpcStatusError(Status.UNIMPLEMENTED, 'GraphMetadata not available on the Model level.', seldonTrailers('MICROSERVICE_BAD_DATA', 501))
    }
  }
  return {
    load: () => runtime.load(),
    get cancellable () { return runtime.cancellable },
    // As REST's numeric bodies: only where no raw method would be handed the message itself.
    decodesArrays: operation => runtime.takesDecodedArrays(operation),
    call: async (operation, request, _call, options) => await run[operation](request, options),
    status: async err => await grpcStatusFor(err, errorMapper, runtime.component)
  }
}

/** The status of a failure: a {@link GrpcStatusError} as it is, anything else by the backend. */
export async function statusOf (backend: GrpcBackend, err: unknown): Promise<GrpcStatusObject> {
  if (err instanceof GrpcStatusError) return { code: err.code, details: err.message, metadata: err.metadata }
  return await backend.status(err)
}
