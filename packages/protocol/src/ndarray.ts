/**
 * NDArray: the one array type handed to user methods for every `data` payload (ndarray, tensor,
 * tftensor), the analogue of the numpy array Seldon's Python wrapper hands to Python users.
 *
 * Storage is flat and row-major. Numbers live in a typed array (a Float64Array for float64 and for
 * int64 while every value is a safe integer; a BigInt64Array for int64 beyond 2^53; the matching
 * typed array for the other numeric dtypes). Strings, booleans and mixed values live in a plain array.
 */
import { badData } from './errors.js'
import { isFloatArray, JsonFloat } from './marks.js'

export type NumericDType =
  | 'float64' | 'float32'
  | 'int64' | 'int32' | 'int16' | 'int8'
  | 'uint64' | 'uint32' | 'uint16' | 'uint8'
export type DType = NumericDType | 'bool' | 'string' | 'object'

export type TypedNumberArray =
  | Float64Array | Float32Array
  | Int32Array | Int16Array | Int8Array
  | Uint32Array | Uint16Array | Uint8Array
  | BigInt64Array | BigUint64Array

export type FlatData = TypedNumberArray | unknown[]

const NUMERIC = new Set<DType>(['float64', 'float32', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8'])

export function isNumericDType (dtype: DType): dtype is NumericDType {
  return NUMERIC.has(dtype)
}

export function isFloatDType (dtype: DType): boolean {
  return dtype === 'float64' || dtype === 'float32'
}

/** The dtype a typed array stands for (Float64Array is float64; use the constructor to say int64). */
export function dtypeOfTypedArray (data: TypedNumberArray): NumericDType {
  if (data instanceof Float64Array) return 'float64'
  if (data instanceof Float32Array) return 'float32'
  if (data instanceof Int32Array) return 'int32'
  if (data instanceof Int16Array) return 'int16'
  if (data instanceof Int8Array) return 'int8'
  if (data instanceof Uint32Array) return 'uint32'
  if (data instanceof Uint16Array) return 'uint16'
  if (data instanceof BigInt64Array) return 'int64'
  if (data instanceof BigUint64Array) return 'uint64'
  return 'uint8'
}

export function isTypedNumberArray (value: unknown): value is TypedNumberArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView)
}

/**
 * How an NDArray's elements print, by dtype (the JSON encoder and pyRepr): floats, ints,
 * booleans, or values printed as they are (strings, objects). Small integers, compared in loops.
 */
export const ELEMENT_FLOAT = 0
export const ELEMENT_INT = 1
export const ELEMENT_BOOL = 2
export const ELEMENT_VALUE = 3

export function elementKind (a: NDArray): number {
  switch (a.dtype) {
    case 'float64': case 'float32': return ELEMENT_FLOAT
    case 'bool': return ELEMENT_BOOL
    case 'string': case 'object': return ELEMENT_VALUE
    default: return ELEMENT_INT
  }
}

function product (shape: readonly number[]): number {
  let n = 1
  for (let i = 0; i < shape.length; i++) n *= shape[i] as number
  return n
}

function shapeText (shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`
}

export class NDArray {
  readonly data: FlatData
  readonly shape: readonly number[]
  readonly dtype: DType

  /**
   * @param data flat row-major values
   * @param shape defaults to `[data.length]`
   * @param dtype defaults to the typed array's own dtype, or `object` for a plain array
   */
  constructor (data: FlatData, shape?: readonly number[], dtype?: DType) {
    const size = data.length
    const dims = shape ?? [size]
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 0) throw badData(`invalid shape ${JSON.stringify(dims)}: dimensions must be non-negative integers`)
    }
    if (product(dims) !== size) {
      throw badData(`cannot reshape array of size ${size} into shape ${shapeText(dims)}`)
    }
    this.data = data
    this.shape = dims
    this.dtype = dtype ?? (isTypedNumberArray(data) ? dtypeOfTypedArray(data) : 'object')
  }

  get size (): number { return this.data.length }
  get ndim (): number { return this.shape.length }
  /** True for number dtypes (not bool, string or object), as numpy's `issubdtype(number)`. */
  get isNumeric (): boolean { return isNumericDType(this.dtype) }

  /** The element at a multi-dimensional index (row-major). */
  at (...index: number[]): unknown {
    let offset = 0
    for (let i = 0; i < this.shape.length; i++) offset = offset * (this.shape[i] as number) + (index[i] ?? 0)
    return this.data[offset]
  }

  /** A new view of the same data with another shape of the same size. */
  reshape (shape: readonly number[]): NDArray {
    let dims = shape
    const free = shape.indexOf(-1)
    if (free >= 0) {
      if (shape.indexOf(-1, free + 1) >= 0) throw badData('can only specify one unknown dimension')
      const known = shape.filter((_, i) => i !== free)
      const rest = product(known)
      // numpy's words, which name the known dimensions only
      if (rest === 0 ? this.size !== 0 : this.size % rest !== 0) {
        throw badData(`cannot reshape array of size ${this.size} into shape (${known.join(',')})`)
      }
      dims = shape.map((d, i) => (i === free ? (rest === 0 ? 0 : this.size / rest) : d))
    }
    return new NDArray(this.data, dims, this.dtype)
  }

  /** Element-wise map into a new float64 array of the same shape. */
  map (fn: (value: number, index: number) => number): NDArray {
    const out = new Float64Array(this.size)
    const src = this.data
    for (let i = 0; i < out.length; i++) out[i] = fn(Number(src[i]), i)
    return new NDArray(out, this.shape, 'float64')
  }

  /** Values as numbers in a Float64Array (a copy unless already float64-backed). */
  toFloat64 (): Float64Array {
    if (this.data instanceof Float64Array) return this.data
    const out = new Float64Array(this.size)
    for (let i = 0; i < out.length; i++) out[i] = Number(this.data[i])
    return out
  }

  /** Nested JS arrays, as numpy's `tolist()`. A 0-d array gives its scalar. */
  toNested (): unknown {
    const { data, shape } = this
    if (shape.length === 0) return data[0]
    if (shape.length === 1) return Array.from(data as ArrayLike<unknown>)
    let pos = 0
    const build = (dim: number): unknown[] => {
      const n = shape[dim] as number
      const out = new Array<unknown>(n)
      if (dim === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = data[pos++]
      } else {
        for (let i = 0; i < n; i++) out[i] = build(dim + 1)
      }
      return out
    }
    return build(0)
  }

  toJSON (): unknown { return this.toNested() }

  /** Rows along the first axis, each an NDArray view of the same buffer where possible. */
  * rows (): Generator<NDArray> {
    const n = this.shape[0] ?? 0
    const rowShape = this.shape.slice(1)
    const rowSize = product(rowShape)
    for (let i = 0; i < n; i++) {
      const start = i * rowSize
      const part = isTypedNumberArray(this.data)
        ? this.data.subarray(start, start + rowSize)
        : this.data.slice(start, start + rowSize)
      yield new NDArray(part, rowShape, this.dtype)
    }
  }

  /**
   * Build from nested JS arrays the way `numpy.array(list)` does: rectangular or refused (a ragged
   * list is the client's mistake: 400), numbers → int64 or float64 (float if any value is
   * fractional or was written as a float), all strings → string, all booleans → bool, else object.
   */
  static fromNested (value: unknown): NDArray {
    if (!Array.isArray(value)) {
      if (isTypedNumberArray(value)) return new NDArray(value)
      if (value instanceof NDArray) return value
      return new NDArray([value], [], typeof value === 'string' ? 'string' : 'object')
    }
    const shape = firstChainShape(value)
    const size = product(shape)
    if (size === 0) {
      checkEmptyRectangular(value, shape, 0)
      return new NDArray(new Float64Array(0), shape, 'float64')
    }

    const scan = new LeafScan(shape, size)
    scan.visit(value, 0)
    return scan.toNDArray()
  }

  /** Any array-like input a user may return: NDArray, typed array, nested arrays. */
  static from (value: NDArray | TypedNumberArray | unknown[], shape?: readonly number[]): NDArray {
    if (value instanceof NDArray) return shape ? value.reshape(shape) : value
    if (isTypedNumberArray(value)) return new NDArray(value, shape)
    const a = NDArray.fromNested(value)
    return shape ? a.reshape(shape) : a
  }
}

/**
 * fromNested's pass over the leaves of a nested list: checks that it is rectangular and collects
 * the values into a Float64Array while they are numbers, a plain array once they are not, noting
 * what numpy would make of them (float if any value is fractional or was written as a float).
 */
class LeafScan {
  readonly shape: number[]
  numbers: Float64Array | null
  bigs: bigint[] | null = null
  plain: unknown[] | null = null
  sawFloat = false
  allBool = true
  allString = true
  pos = 0

  constructor (shape: number[], size: number) {
    this.shape = shape
    this.numbers = new Float64Array(size)
  }

  visit (arr: unknown[], dim: number): void {
    if (arr.length !== this.shape[dim]) throw ragged(this.shape, dim)
    if (dim === this.shape.length - 1) { this.row(arr, dim); return }
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]
      if (!Array.isArray(v)) throw ragged(this.shape, dim + 1)
      this.visit(v, dim + 1)
    }
  }

  /** The innermost level: the leaves themselves. */
  row (arr: unknown[], dim: number): void {
    if (isFloatArray(arr)) this.sawFloat = true
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]
      if (Array.isArray(v)) throw ragged(this.shape, dim + 1)
      const numbers = this.numbers
      if (typeof v === 'number') {
        this.allBool = false; this.allString = false
        if (numbers !== null) numbers[this.pos] = v
        if (!this.sawFloat && !Number.isInteger(v)) this.sawFloat = true
      } else if (v instanceof JsonFloat) {
        this.allBool = false; this.allString = false; this.sawFloat = true
        if (numbers !== null) numbers[this.pos] = v.valueOf()
      } else if (typeof v === 'bigint') {
        this.allBool = false; this.allString = false
        this.bigs ??= []
        this.bigs[this.pos] = v
        if (numbers !== null) numbers[this.pos] = Number(v)
      } else {
        if (typeof v !== 'boolean') this.allBool = false
        if (typeof v !== 'string') this.allString = false
        if (numbers !== null) {
          this.plain = Array.from(numbers.subarray(0, this.pos)) as unknown[]
          this.numbers = null
        }
      }
      if (this.plain !== null) this.plain[this.pos] = v
      this.pos++
    }
  }

  toNDArray (): NDArray {
    const { numbers, bigs, shape } = this
    if (numbers !== null) {
      if (bigs !== null) {
        if (this.sawFloat) throw badData('an integer beyond 2^53 cannot be mixed with floats without losing precision')
        return bigIntegerArray(numbers, bigs, shape)
      }
      return new NDArray(numbers, shape, this.sawFloat ? 'float64' : 'int64')
    }
    const dtype: DType = this.allBool ? 'bool' : this.allString ? 'string' : 'object'
    return new NDArray(this.plain as unknown[], shape, dtype)
  }
}

const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

/** The shape of nested arrays read down the first element of each level (fromNested checks the rest). */
function firstChainShape (value: unknown[]): number[] {
  const shape: number[] = []
  let probe: unknown = value
  while (Array.isArray(probe)) {
    shape.push(probe.length)
    if (probe.length === 0) break
    probe = probe[0]
  }
  return shape
}

/**
 * Integers some of which are beyond 2^53 (`bigs[i]`, the others in `numbers[i]`): an exact int64
 * array, or beyond int64, where a typed array would wrap, an object array of the exact values
 * (numpy makes it uint64 or object; either way no value changes).
 */
function bigIntegerArray (numbers: Float64Array, bigs: bigint[], shape: number[]): NDArray {
  const size = numbers.length
  if (bigs.some(b => b !== undefined && (b > INT64_MAX || b < INT64_MIN))) {
    const exact: unknown[] = new Array(size)
    for (let i = 0; i < size; i++) exact[i] = bigs[i] ?? numbers[i]
    return new NDArray(exact, shape, 'object')
  }
  const out = new BigInt64Array(size)
  for (let i = 0; i < size; i++) out[i] = bigs[i] ?? BigInt(numbers[i] as number)
  return new NDArray(out, shape, 'int64')
}

function ragged (shape: number[], dim: number): Error {
  return badData(`ragged ndarray: the requested array has an inhomogeneous shape after ${dim} dimensions (detected shape ${shapeText(shape.slice(0, dim))} + inhomogeneous part)`)
}

function checkEmptyRectangular (value: unknown[], shape: number[], dim: number): void {
  if (value.length !== shape[dim]) throw ragged(shape, dim)
  if (dim < shape.length - 1) {
    for (const v of value) {
      if (!Array.isArray(v)) throw ragged(shape, dim + 1)
      checkEmptyRectangular(v, shape, dim + 1)
    }
  } else {
    for (const v of value) if (Array.isArray(v)) throw ragged(shape, dim + 1)
  }
}
