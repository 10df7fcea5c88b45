import t from 'tap'
import { grpcCodeLabel, grpcCodeName } from '../src/index.js'

// google.rpc.Code, numbered; Go's codes.Code.String() beside each (grpc-go codes/code_string.go)
const CODES: Array<[number, string, string]> = [
  [0, 'OK', 'OK'], [1, 'CANCELLED', 'Canceled'], [2, 'UNKNOWN', 'Unknown'], [3, 'INVALID_ARGUMENT', 'InvalidArgument'],
  [4, 'DEADLINE_EXCEEDED', 'DeadlineExceeded'], [5, 'NOT_FOUND', 'NotFound'], [6, 'ALREADY_EXISTS', 'AlreadyExists'],
  [7, 'PERMISSION_DENIED', 'PermissionDenied'], [8, 'RESOURCE_EXHAUSTED', 'ResourceExhausted'],
  [9, 'FAILED_PRECONDITION', 'FailedPrecondition'], [10, 'ABORTED', 'Aborted'], [11, 'OUT_OF_RANGE', 'OutOfRange'],
  [12, 'UNIMPLEMENTED', 'Unimplemented'], [13, 'INTERNAL', 'Internal'], [14, 'UNAVAILABLE', 'Unavailable'],
  [15, 'DATA_LOSS', 'DataLoss'], [16, 'UNAUTHENTICATED', 'Unauthenticated']
]

t.test('one table, two spellings, one mapping between them', async t => {
  for (const [code, canonical, go] of CODES) {
    t.equal(grpcCodeName(code), canonical, `${code} → ${canonical}`)
    t.equal(grpcCodeLabel(code), go, `${code} → ${go}`)
    t.equal(grpcCodeLabel(canonical), go, `${canonical} → ${go}`)
    t.equal(grpcCodeLabel(go), go, `${go} stays`)
  }
})

t.test('codes outside the table', async t => {
  t.equal(grpcCodeName(17), '17')
  t.equal(grpcCodeName(-1), '-1')
  t.equal(grpcCodeLabel(17), 'Code(17)', 'as Go prints an unknown code')
  t.equal(grpcCodeLabel(1.5), 'Code(1.5)')
  t.equal(grpcCodeLabel('SOMETHING'), 'SOMETHING', 'an unknown name is kept')
})
