/**
 * The endpoint table is the one home of the names the transports and tracing read: the gRPC
 * endpoints, the Python method names (method spans) and the wrapper's REST view names (route spans)
 * are derived from it, so a row added to the table reaches each of them.
 */
import t from 'tap'
import { ENDPOINTS, GRPC_ENDPOINTS, PYTHON_METHOD_NAMES, REST_OPERATION_NAMES, type Endpoint, type GrpcEndpoint, type MethodLabel } from '../src/index.js'

t.test('GRPC_ENDPOINTS are exactly the rows with gRPC methods', async t => {
  const withGrpc = (Object.keys(ENDPOINTS) as Endpoint[]).filter(e => ENDPOINTS[e].grpc.length > 0)
  t.same(GRPC_ENDPOINTS, withGrpc)
  // Every member of the GrpcEndpoint type is listed (the record must name each one to compile).
  const all: Record<GrpcEndpoint, true> = {
    predict: true, transformInput: true, transformOutput: true, route: true, aggregate: true, sendFeedback: true, metadata: true, graphMetadata: true
  }
  t.same([...GRPC_ENDPOINTS].sort(), Object.keys(all).sort())
})

t.test('every metrics label has its Python method name (seldon-core v1.18.2 user_model.py)', async t => {
  const expected: Record<MethodLabel, string> = {
    predict: 'predict',
    inputtransform: 'transform_input',
    outputtransform: 'transform_output',
    router: 'route',
    aggregate: 'aggregate',
    feedback: 'send_feedback',
    health: 'health_status'
  }
  t.same(PYTHON_METHOD_NAMES, expected)
})

t.test('REST span names come from the table, one per endpoint with REST paths', async t => {
  t.same(REST_OPERATION_NAMES, {
    predict: 'Predict',
    transformInput: 'TransformInput',
    transformOutput: 'TransformOutput',
    route: 'Route',
    aggregate: 'Aggregate',
    sendFeedback: 'SendFeedback',
    ping: 'HealthPing',
    health: 'HealthStatus',
    metadata: 'Metadata',
    openapi: 'openAPI'
  })
  for (const [endpoint, spec] of Object.entries(ENDPOINTS)) {
    t.equal(spec.rest.length > 0, spec.restView !== undefined, `${endpoint}: a REST view name iff REST paths`)
  }
})
