/**
 * gRPC server reflection (grpc.reflection.v1alpha and v1), as the wrapper registers it: the
 * services listed are the seven seldon.protos services plus the v1alpha reflection service itself.
 * @grpc/reflection reads the file descriptors of a @grpc/proto-loader package definition; we load
 * the protocol package's `prediction.proto` (google/protobuf well-known imports resolve from
 * protobufjs's bundled definitions) together with the reflection proto shipped by @grpc/reflection.
 * The file descriptors are repaired first (descriptors.ts) so strict clients can link them.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Server } from '@grpc/grpc-js'
import { loadSync, type PackageDefinition } from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'
import { PROTO_ROOT_DIR } from '@fastify-seldon/protocol'
import { fixPackageDefinition } from './descriptors.js'
import { SELDON_PACKAGE, SELDON_SERVICE_NAMES, type SeldonServiceName } from './services.js'

const require = createRequire(import.meta.url)

export const REFLECTION_V1ALPHA = 'grpc.reflection.v1alpha.ServerReflection'

/** The names `list_services` answers for `services` (sorted as the wrapper prints them). */
export function listedServices (services: readonly SeldonServiceName[]): string[] {
  return [REFLECTION_V1ALPHA, ...services.map(s => `${SELDON_PACKAGE}.${s}`)].sort()
}

/** The wrapper's list: all seven seldon.protos services, what a component's server serves. */
export const LISTED_SERVICES: readonly string[] = listedServices(SELDON_SERVICE_NAMES)

let cached: PackageDefinition | undefined

/** prediction.proto and reflection.proto as one proto-loader package definition (loaded once). */
export function reflectionPackageDefinition (): PackageDefinition {
  if (cached !== undefined) return cached
  const reflectionRoot = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto')
  cached = fixPackageDefinition(loadSync(['prediction.proto', 'grpc/reflection/v1alpha/reflection.proto'], {
    includeDirs: [PROTO_ROOT_DIR, reflectionRoot],
    keepCase: true
  }))
  return cached
}

/**
 * Adds the reflection services to a server, listing the services it serves (a graph's server
 * serves `Seldon` only, as the executor: listing the other six would advertise RPCs that answer
 * UNIMPLEMENTED).
 */
export function addReflection (server: Server, services: readonly SeldonServiceName[] = SELDON_SERVICE_NAMES): void {
  new ReflectionService(reflectionPackageDefinition(), { services: listedServices(services) }).addToServer(server)
}
