export * from './types.js'
export * from './errors.js'
export { JsonFloat, float, markFloat, isMarkedFloat, isFloatArray, floatMarksOf, type FloatMark } from './marks.js'
export { MAX_JSON_DEPTH, isJsonSyntaxError, parseJson, type JsonSyntaxError } from './json-parse.js'
export { jsonResponseText, stringifyJson, type StringifyOptions } from './json-stringify.js'
export { quoteJsonString } from './json-string.js'
export { formatFloat, shortestFloat32 } from './py-number.js'
export { pyRepr, pyStr } from './py-repr.js'
export {
  NDArray, dtypeOfTypedArray, isFloatDType, isNumericDType, isTypedNumberArray,
  type DType, type FlatData, type NumericDType, type TypedNumberArray
} from './ndarray.js'
export * from './schemas.js'
export * from './payload.js'
export * from './meta.js'
export * from './proto/index.js'
export { grpcCodeLabel, grpcCodeName } from './grpc-codes.js'
