/**
 * @fastify-seldon/protocol/internal: helpers for the sibling packages (core, rest, grpc, metrics,
 * graph), so that each concept keeps one home here instead of a copy there. Not for users: no
 * compatibility promise, any release may change them. The public surface is src/index.ts.
 */

// Error texts that must read as the Python wrapper's: core formats user values in
// `Invalid request data type: <repr>`, `Routing response must be int but got <str>`.
export { pyRepr, pyStr } from './py-repr.js'

// Python's float repr (core prints custom metric values with it); the float32 rendering of
// MessageToDict for `float` fields (metric values, Feedback.reward).
export { formatFloat, shortestFloat32 } from './py-number.js'

// The one JSON string quoting function (Python's ensure_ascii escapes), for any package that
// writes JSON text by hand.
export { quoteJsonString } from './json-string.js'

// Float marks: how a parsed `1.0` stays `1.0`. Read and written by the codecs; a sibling that
// builds or copies message objects carries them along with these.
export { floatMarksOf, isFloatArray, isMarkedFloat, markFloat, type FloatMark } from './marks.js'

// Proto-JSON rendering of a user's result (core: feedback answers and gRPC-shaped REST answers),
// the strict base64 reading of `bytes` fields, and the bound on elements a request may imply
// (COMPATIBILITY.md C-27).
export { MAX_IMPLIED_ELEMENTS, decodeBytes, floatNested } from './payload.js'

// REST's fast path: a body of only `data.ndarray` / `data.tensor` numbers, from bytes to an NDArray.
export { parseNumericDataBytes } from './json-bytes.js'

// An own data property whatever the key: `__proto__` from a client's JSON, a protobuf map, form
// fields or parameters stays a plain key.
export { setOwnKey } from './own-key.js'

// Coded SeldonError classes (status, reason, a stable code from @fastify/error): graph defines its
// own with the same maker as the protocol's.
export { defineSeldonError } from './errors.js'
