/**
 * What the runtime reads from a request message besides its payload (decodePayload reads that):
 * the meta handed to user methods, checked, and the payload kind a response mirrors. Shared by the
 * unbatched dispatch (runtime.ts), the response steps (response.ts) and batching (batch/).
 */
import { badData, type DecodedPayload, type Meta, type SeldonMessage, type Transport } from '@fastify-seldon/protocol'
import { validateRequestMetrics } from './custom-metrics.js'

/** An object field as a message may hold it: not null, not an array, not a typed array. */
export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)
}

/** meta as handed to user methods: the request's as is (undefined when absent) over REST, `{}` over gRPC. */
export function requestMeta (message: unknown, transport: Transport): Meta | undefined {
  return checkedMeta(message, transport, 'meta')
}

/** A message's meta, checked (an object, valid metrics); `where` names it in the 400 (aggregate: which message). */
export function checkedMeta (message: unknown, transport: Transport, where: string): Meta | undefined {
  const meta = isPlainObject(message) ? message.meta : undefined
  if (meta === undefined || meta === null) return transport === 'grpc' ? {} : undefined
  if (!isPlainObject(meta)) throw badData(`${where} must be an object`)
  validateRequestMetrics(meta.metrics, where)
  return meta as Meta
}

/** A request message's payload kind, for mirroring (feedback encodes relative to its request) and tracing. */
export function requestKind (message: SeldonMessage): Pick<DecodedPayload, 'kind' | 'dataKind'> {
  if (message.data !== undefined) {
    const d = message.data
    const dataKind = d.tensor !== undefined ? 'tensor' : d.ndarray !== undefined ? 'ndarray' : d.tftensor !== undefined ? 'tftensor' : 'none'
    return { kind: 'data', dataKind }
  }
  if (message.binData !== undefined) return { kind: 'binData', dataKind: 'none' }
  if (message.strData !== undefined) return { kind: 'strData', dataKind: 'none' }
  if (message.jsonData !== undefined) return { kind: 'jsonData', dataKind: 'none' }
  return { kind: 'customData', dataKind: 'none' }
}
