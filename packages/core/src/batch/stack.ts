/**
 * Stacking requests into one array along the first axis, and splitting a result back by rows: the
 * array side of adaptive batching (docs/inference-pool.md, "Adaptive batching").
 *
 * Requests join when their arrays have the same trailing shape (every dimension after the first),
 * the same names, and the same dtype. The same dtype, not merely numbers: JSON integers decode as
 * int64 and floats as float64, and a model that keeps its input's dtype (an identity, a scaler)
 * prints `[[1,2]]` for the one and `[[1.0,2.0]]` for the other; stacking them together would make
 * an answer's bytes depend on which requests happened to share its batch.
 */
import {
  InternalError, NDArray, isTypedNumberArray, type DecodedPayload, type FlatData, type TypedNumberArray
} from '@fastify-seldon/protocol'

/**
 * The batch key of a decoded request, or undefined when it cannot join a batch: only `data.ndarray`
 * and `data.tensor` arrays with at least one dimension and one row join.
 */
export function batchKey (request: DecodedPayload): string | undefined {
  if (request.kind !== 'data' || (request.dataKind !== 'ndarray' && request.dataKind !== 'tensor')) return undefined
  const array = request.features
  if (!(array instanceof NDArray) || array.ndim < 1 || (array.shape[0] ?? 0) < 1) return undefined
  return `${array.dtype}|${array.shape.slice(1).join(',')}|${JSON.stringify(request.names)}`
}

/** The arrays (same batch key, so the same dtype and data type) stacked along axis 0. */
export function stack (arrays: readonly NDArray[]): NDArray {
  const first = arrays[0] as NDArray
  let rows = 0
  let size = 0
  for (const a of arrays) { rows += a.shape[0] as number; size += a.size }
  let data: FlatData
  if (isTypedNumberArray(first.data)) {
    const Ctor = first.data.constructor as new (n: number) => TypedNumberArray
    const out = new Ctor(size)
    let offset = 0
    for (const a of arrays) {
      (out as Float64Array).set(a.data as Float64Array, offset)
      offset += a.size
    }
    data = out
  } else {
    data = arrays.flatMap(a => a.data as unknown[]) as FlatData
  }
  return new NDArray(data, [rows, ...first.shape.slice(1)], first.dtype)
}

/** How many rows a result has along its first axis (undefined: not an array, or 0-dimensional). */
export function resultRows (result: unknown): number | undefined {
  if (result instanceof NDArray) return result.ndim >= 1 ? result.shape[0] : undefined
  if (Array.isArray(result)) return result.length
  if (isTypedNumberArray(result)) return result.length
  return undefined
}

/** Rows [start, end) of a result (a view for typed data, a slice for nested lists). */
export function sliceRows (result: unknown, start: number, end: number): unknown {
  if (result instanceof NDArray) {
    const rowSize = result.shape.slice(1).reduce((n, d) => n * d, 1)
    const data = isTypedNumberArray(result.data)
      ? result.data.subarray(start * rowSize, end * rowSize)
      : (result.data as unknown[]).slice(start * rowSize, end * rowSize)
    return new NDArray(data as FlatData, [end - start, ...result.shape.slice(1)], result.dtype)
  }
  if (Array.isArray(result)) return result.slice(start, end)
  return (result as TypedNumberArray).subarray(start, end)
}

/** The error every request of a batch gets when the result does not have one row per stacked row (a 500). */
export function wrongRows (got: number | undefined, rows: number, requests: number): Error {
  const what = got === undefined ? 'a result that is not an array' : `${got} rows`
  return new InternalError(`batched predict returned ${what} for ${rows} stacked rows of ${requests} requests: ` +
    'a batched predict must answer one row per input row along the first axis (set batchable = false on a component that cannot)')
}
