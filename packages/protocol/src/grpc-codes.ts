/**
 * gRPC status codes by name: wire vocabulary shared by the gRPC server (which answers them) and the
 * metrics package (which counts them), so neither depends on the other and both spell a code the
 * same way.
 *
 * Two spellings exist and both are needed:
 *   - the canonical name, `INVALID_ARGUMENT` (google.rpc.Code, grpc-js's `status` enum, what the
 *     gRPC server's per-call hook and logs show);
 *   - Go's `codes.Code.String()`, `InvalidArgument`, which is the `grpc_code` label value of
 *     go-grpc-prometheus and of Seldon's own executor, so the one Prometheus dashboards filter on.
 * One table holds both; {@link grpcCodeLabel} is the one mapping between them.
 */

/** Index = the numeric code; [canonical name, Go's String()]. Note Go's `Canceled` (one L). */
const GRPC_CODES: ReadonlyArray<readonly [string, string]> = [
  ['OK', 'OK'],
  ['CANCELLED', 'Canceled'],
  ['UNKNOWN', 'Unknown'],
  ['INVALID_ARGUMENT', 'InvalidArgument'],
  ['DEADLINE_EXCEEDED', 'DeadlineExceeded'],
  ['NOT_FOUND', 'NotFound'],
  ['ALREADY_EXISTS', 'AlreadyExists'],
  ['PERMISSION_DENIED', 'PermissionDenied'],
  ['RESOURCE_EXHAUSTED', 'ResourceExhausted'],
  ['FAILED_PRECONDITION', 'FailedPrecondition'],
  ['ABORTED', 'Aborted'],
  ['OUT_OF_RANGE', 'OutOfRange'],
  ['UNIMPLEMENTED', 'Unimplemented'],
  ['INTERNAL', 'Internal'],
  ['UNAVAILABLE', 'Unavailable'],
  ['DATA_LOSS', 'DataLoss'],
  ['UNAUTHENTICATED', 'Unauthenticated']
]

/** The numeric code of a canonical or Go-style name, or of a numeric code (undefined when unknown). */
function codeOf (code: number | string): number | undefined {
  if (typeof code === 'number') return Number.isInteger(code) && code >= 0 && code < GRPC_CODES.length ? code : undefined
  const i = GRPC_CODES.findIndex(([canonical, go]) => canonical === code || go === code)
  return i < 0 ? undefined : i
}

/** The canonical name of a status code: `3` → `INVALID_ARGUMENT`; an unknown code prints as its number. */
export function grpcCodeName (code: number): string {
  return GRPC_CODES[code]?.[0] ?? String(code)
}

/**
 * The Prometheus `grpc_code` label of a status, as go-grpc-prometheus and Seldon's executor print
 * it (Go's `codes.Code.String()`): `3`, `'INVALID_ARGUMENT'` or `'InvalidArgument'` →
 * `InvalidArgument`; an unknown number → `Code(17)` as Go prints it; an unknown name stays as is.
 */
export function grpcCodeLabel (code: number | string): string {
  const i = codeOf(code)
  if (i !== undefined) return (GRPC_CODES[i] as readonly [string, string])[1]
  return typeof code === 'number' ? `Code(${code})` : code
}
