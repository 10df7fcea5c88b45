/**
 * Values crossing between the main thread and an inference thread. postMessage's structured clone
 * keeps plain data but drops prototypes and private fields, so what the codec relies on is packed
 * into tagged plain objects and unpacked on the other side:
 *
 *   - NDArray → its typed array, shape and dtype; the typed array's buffer is TRANSFERRED (moved,
 *     not copied) when the array owns it whole, else its bytes are copied once into a buffer that
 *     is then transferred (a view into Node's shared Buffer pool must never be moved);
 *   - Buffer → bytes, handed over the same way (structured clone makes a Buffer a Uint8Array);
 *   - JsonFloat (`float(3)`) and the parser's float marks on containers (a parsed `1.0`).
 *
 * Measured on this machine (docs/inference-pool.md): an 8 MB Float64Array round trip takes 2.7-5.6 ms
 * transferred and 65-119 ms copied.
 */
import { JsonFloat, NDArray, isSeldonError, isTypedNumberArray, type DType, type FlatData } from '@fastify-seldon/protocol'
import { floatMarksOf, markFloat } from '@fastify-seldon/protocol/internal'

const TAG = '\u0000seldon'

type Packed = Record<string, unknown>

/**
 * A typed array ready to be moved: the array owning its buffer whole, else a copy of its bytes (a
 * small Buffer is a view into Node's shared pool, which must stay where it is).
 */
export function movable<T extends ArrayBufferView> (view: T, transfer: ArrayBuffer[]): T {
  const buffer = view.buffer
  if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength) {
    if (!transfer.includes(buffer)) transfer.push(buffer)
    return view
  }
  const Ctor = (Buffer.isBuffer(view) ? Uint8Array : view.constructor) as new (b: ArrayBuffer) => T
  const copy = buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer
  transfer.push(copy)
  return new Ctor(copy)
}

/** `value` as structured-clone-safe data; buffers to move are pushed on `transfer`. */
export function pack (value: unknown, transfer: ArrayBuffer[]): unknown {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof NDArray) {
    const data = isTypedNumberArray(value.data) ? movable(value.data, transfer) : (pack(value.data, transfer) as unknown[])
    return { [TAG]: 'nd', data, shape: value.shape, dtype: value.dtype }
  }
  if (Buffer.isBuffer(value)) return { [TAG]: 'buf', data: movable(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), transfer) }
  if (ArrayBuffer.isView(value)) return movable(value, transfer)
  if (value instanceof JsonFloat) return { [TAG]: 'f', v: value.valueOf() }
  const mark = floatMarksOf(value)
  let out: unknown
  if (Array.isArray(value)) {
    out = value.map(v => pack(v, transfer))
  } else {
    const obj: Record<string, unknown> = {}
    for (const key of Object.keys(value)) obj[key] = pack((value as Record<string, unknown>)[key], transfer)
    out = obj
  }
  if (mark === undefined) return out
  return { [TAG]: 'm', mark: mark === true ? true : [...mark], v: out }
}

/** The inverse of {@link pack}. */
export function unpack (value: unknown): unknown {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value
  if (Array.isArray(value)) return value.map(unpack)
  const obj = value as Packed
  switch (obj[TAG]) {
    case 'nd': {
      const data = (isTypedNumberArray(obj.data) ? obj.data : unpack(obj.data)) as FlatData
      return new NDArray(data, obj.shape as number[], obj.dtype as DType)
    }
    case 'buf': {
      const bytes = obj.data as Uint8Array
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
    case 'f': return new JsonFloat(obj.v as number)
    case 'm': {
      const inner = unpack(obj.v) as object
      const mark = obj.mark
      if (mark === true) markFloat(inner)
      else for (const key of mark as Array<string | number>) markFloat(inner, key)
      return inner
    }
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(obj)) out[key] = unpack(obj[key])
  return out
}

/** An error as data: what the main thread needs to answer it exactly as the thread would have. */
export interface PackedError {
  name: string
  message: string
  stack?: string | undefined
  /** The class names of its prototype chain, most derived first (to find the class on the main side). */
  classes: string[]
  /** Own enumerable properties that survive a structured clone (statusCode, reason, code...). */
  props: Record<string, unknown>
  /** A SeldonError's HTTP status, reason and code. */
  seldon?: { statusCode: number, reason: string, code: string } | undefined
  /**
   * The component's own `errorHandlers` entry for it, already run in the thread: what `handle(err)`
   * answered (or the error it threw) and what `grpcStatus(err)` answered.
   */
  handled?: {
    rest?: { statusCode: number, body: unknown, headers?: Record<string, string> | undefined }
    restError?: PackedError
    grpc?: { code: number, details: string, metadata?: Record<string, string> } | undefined
  } | undefined
}

function cloneable (value: unknown): boolean {
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}

/** `err` (any thrown value) as a {@link PackedError}. */
export function packError (err: unknown): PackedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), classes: [], props: {} }
  const classes: string[] = []
  for (let proto = Object.getPrototypeOf(err); proto !== null && proto !== Error.prototype && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name
    if (typeof name === 'string' && name !== '') classes.push(name)
  }
  const props: Record<string, unknown> = {}
  for (const key of Object.keys(err)) {
    const v = (err as unknown as Record<string, unknown>)[key]
    if (typeof v !== 'function' && cloneable(v)) props[key] = v
  }
  const e = err as Error & { statusCode?: unknown, reason?: unknown, code?: unknown }
  const seldon = isSeldonError(err)
    ? { statusCode: err.statusCode, reason: err.reason, code: typeof e.code === 'string' ? e.code : 'SELDON_ERR_INTERNAL' }
    : undefined
  return { name: err.name, message: err.message, stack: err.stack, classes, props, seldon }
}
