/**
 * The .proto files as a protobufjs Root: loaded once, on first use (about 10 ms), for what the
 * hand-written codec leaves to protobufjs (tensorflow.TensorProto) and for gRPC server reflection.
 * Runtime loading over a generated static module keeps a single source of truth (the .proto
 * files, shipped in the package) at the same speed (measured; docs/wire-format.md, "Protobuf
 * fast paths").
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

/** Absolute path of the package's `proto` folder (src/proto/ and dist/proto/ are both two levels down). */
export const PROTO_ROOT_DIR = fileURLToPath(new URL('../../proto', import.meta.url))

let root: protobuf.Root | undefined

/**
 * The Root holding seldon.protos (prediction.proto), the tensorflow protos it imports and the
 * google.protobuf types bundled with protobufjs. Names are kept as the .proto files write them
 * (`data_oneof`, `tensor_shape`), so descriptors built from it match Python's (except the
 * google.protobuf types bundled with protobufjs, whose Value fields are camelCase); each field's
 * proto-JSON name is its `jsonName`.
 */
export function loadSeldonRoot (): protobuf.Root {
  if (root !== undefined) return root
  const r = new protobuf.Root()
  // imports are relative to the proto folder (tensorflow/core/framework/...), not to the importing file
  r.resolvePath = (_origin: string, target: string): string => path.isAbsolute(target) ? target : path.join(PROTO_ROOT_DIR, target)
  r.loadSync('prediction.proto', { keepCase: true })
  root = r
  return r
}
