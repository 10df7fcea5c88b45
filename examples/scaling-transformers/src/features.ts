import { NDArray } from '@fastify-seldon/protocol'

/** What a transformer received, for error messages: `shape [1,3] of int64`, `jsonData`... */
export function describeFeatures (X: unknown): string {
  if (X instanceof NDArray) return `shape [${X.shape.join(',')}] of ${X.dtype}`
  if (typeof X === 'string') return 'strData'
  if (X instanceof Uint8Array) return 'binData'
  return 'jsonData'
}
