/**
 * The Seldon microservice API in one table: each endpoint with the user methods that serve it (in
 * dispatch precedence, every accepted spelling), its REST paths and verbs, its gRPC methods, the
 * `method` label of the metrics it records, and the service types that must implement it. REST
 * routes, gRPC services, the CLI's service-type check, the kind plugins' registration checks and
 * the runtime's method lookup all read it (docs/dispatch.md explains the rules; docs/architecture.md
 * who reads what).
 *
 * Names, one per concept:
 *   - Endpoint: one operation of the API (`predict`, `sendFeedback`, `health`...), whatever the transport;
 *   - PayloadEndpoint: an endpoint that carries a request message to a user method, the ones a
 *     plugin chooses to serve (health and metadata come with every plugin);
 *   - MethodSlot: one user method the runtime resolves (`predictRaw`), under any of its spellings
 *     (`predictRaw`, `predict_raw`);
 *   - MethodLabel: the `method` label of a recorded custom metric (the Python wrapper's name for
 *     the endpoint: `inputtransform`, `router`...);
 *   - ServiceType: the kind of a component (`MODEL`, `ROUTER`...), as Seldon Core names it.
 */

/** Every operation of the Seldon microservice API. */
export type Endpoint =
  | 'predict' | 'transformInput' | 'transformOutput' | 'route' | 'aggregate' | 'sendFeedback'
  | 'ping' | 'health' | 'metadata' | 'graphMetadata'

/** The endpoints that carry a request message to a user method: what a plugin chooses to serve. */
export type PayloadEndpoint = 'predict' | 'transformInput' | 'transformOutput' | 'route' | 'aggregate' | 'sendFeedback'

export const PAYLOAD_ENDPOINTS: readonly PayloadEndpoint[] = ['predict', 'transformInput', 'transformOutput', 'route', 'aggregate', 'sendFeedback']

/** The `method` label of recorded metrics: the Python wrapper's name for the endpoint. */
export type MethodLabel = 'predict' | 'inputtransform' | 'outputtransform' | 'router' | 'aggregate' | 'feedback' | 'health'

/** A component kind, as Seldon Core's `SERVICE_TYPE` names it. */
export type ServiceType = 'MODEL' | 'ROUTER' | 'TRANSFORMER' | 'OUTPUT_TRANSFORMER' | 'COMBINER' | 'OUTLIER_DETECTOR'

export const SERVICE_TYPES: readonly ServiceType[] = ['MODEL', 'ROUTER', 'TRANSFORMER', 'OUTPUT_TRANSFORMER', 'COMBINER', 'OUTLIER_DETECTOR']

/** One user method the runtime looks up once per component. */
export type MethodSlot =
  | 'predictRaw' | 'predict' | 'transformInputRaw' | 'transformInput' | 'transformOutputRaw' | 'transformOutput'
  | 'routeRaw' | 'route' | 'aggregateRaw' | 'aggregate' | 'sendFeedbackRaw' | 'sendFeedback'
  | 'healthStatusRaw' | 'healthStatus' | 'classNames' | 'tags' | 'metrics' | 'initMetadata' | 'load'

/**
 * The names a method is found under, camelCase first: when a component has both spellings the
 * camelCase one wins. The Python names are those of seldon-core v1.18.2
 * python/seldon_core/user_model.py.
 */
export const METHOD_SPELLINGS: Readonly<Record<MethodSlot, readonly string[]>> = {
  predictRaw: ['predictRaw', 'predict_raw'],
  predict: ['predict'],
  transformInputRaw: ['transformInputRaw', 'transform_input_raw'],
  transformInput: ['transformInput', 'transform_input'],
  transformOutputRaw: ['transformOutputRaw', 'transform_output_raw'],
  transformOutput: ['transformOutput', 'transform_output'],
  routeRaw: ['routeRaw', 'route_raw'],
  route: ['route'],
  aggregateRaw: ['aggregateRaw', 'aggregate_raw'],
  aggregate: ['aggregate'],
  sendFeedbackRaw: ['sendFeedbackRaw', 'send_feedback_raw'],
  sendFeedback: ['sendFeedback', 'send_feedback'],
  healthStatusRaw: ['healthStatusRaw', 'health_status_raw'],
  healthStatus: ['healthStatus', 'health_status'],
  classNames: ['classNames', 'class_names'],
  tags: ['tags'],
  metrics: ['metrics'],
  initMetadata: ['initMetadata', 'init_metadata'],
  load: ['load']
}

/** An HTTP path of an endpoint and the verbs it answers. */
export interface RestPath {
  readonly url: string
  readonly verbs: readonly ('GET' | 'POST')[]
}

/** The seldon.protos services (prediction.proto of seldon-core v1.18.2). */
export type SeldonServiceName = 'Generic' | 'Model' | 'Router' | 'Transformer' | 'OutputTransformer' | 'Combiner' | 'Seldon'

/** The seldon.protos message types on the wire (`Empty` is google.protobuf.Empty). */
export type WireType =
  | 'SeldonMessage' | 'SeldonMessageList' | 'Feedback' | 'Empty'
  | 'SeldonModelMetadataRequest' | 'SeldonModelMetadata' | 'SeldonGraphMetadata'

/** A gRPC method serving an endpoint. */
export interface GrpcMethod {
  readonly service: SeldonServiceName
  readonly rpc: string
  readonly request: WireType
  readonly response: WireType
}

export interface EndpointSpec {
  /**
   * The user methods, in dispatch precedence: the raw method first (it gets the whole message and
   * wins when present), then the high-level one (it gets the decoded payload).
   */
  readonly methods: readonly MethodSlot[]
  readonly rest: readonly RestPath[]
  readonly grpc: readonly GrpcMethod[]
  /** The `method` label of the custom metrics recorded while serving it (none: records none). */
  readonly metricsLabel?: MethodLabel
  /** The service types whose component must implement one of `methods`. */
  readonly requiredBy: readonly ServiceType[]
  /**
   * The Python name of the endpoint's user method (seldon-core v1.18.2 python/seldon_core/user_model.py),
   * `_raw` appended for the raw one: the name of its span when tracing is on.
   */
  readonly pythonMethod?: string
  /**
   * The Python wrapper's Flask view name of its REST paths (seldon-core v1.18.2
   * python/seldon_core/wrapper.py): the name of the REST trace span, so traces keep the shape
   * `predictions → /predict → Predict` (docs/tracing.md). None: no REST path.
   */
  readonly restView?: string
}

const message = (service: SeldonServiceName, rpc: string, request: WireType = 'SeldonMessage'): GrpcMethod =>
  ({ service, rpc, request, response: 'SeldonMessage' })

/**
 * The table. REST paths and gRPC methods are those of the Python wrapper (seldon-core v1.18.2
 * python/seldon_core/wrapper.py and proto/prediction.proto); their order here is the order routes
 * are registered and services listed.
 */
export const ENDPOINTS: Readonly<Record<Endpoint, EndpointSpec>> = {
  predict: {
    methods: ['predictRaw', 'predict'],
    rest: [
      { url: '/predict', verbs: ['GET', 'POST'] },
      { url: '/api/v1.0/predictions', verbs: ['POST'] },
      { url: '/api/v0.1/predictions', verbs: ['POST'] }
    ],
    grpc: [message('Model', 'Predict'), message('Seldon', 'Predict')],
    metricsLabel: 'predict',
    requiredBy: ['MODEL'],
    pythonMethod: 'predict',
    restView: 'Predict'
  },
  transformInput: {
    methods: ['transformInputRaw', 'transformInput'],
    rest: [{ url: '/transform-input', verbs: ['GET', 'POST'] }],
    grpc: [message('Generic', 'TransformInput'), message('Transformer', 'TransformInput')],
    metricsLabel: 'inputtransform',
    requiredBy: ['TRANSFORMER'],
    pythonMethod: 'transform_input',
    restView: 'TransformInput'
  },
  transformOutput: {
    methods: ['transformOutputRaw', 'transformOutput'],
    rest: [{ url: '/transform-output', verbs: ['GET', 'POST'] }],
    grpc: [message('Generic', 'TransformOutput'), message('OutputTransformer', 'TransformOutput')],
    metricsLabel: 'outputtransform',
    requiredBy: ['OUTPUT_TRANSFORMER'],
    pythonMethod: 'transform_output',
    restView: 'TransformOutput'
  },
  route: {
    methods: ['routeRaw', 'route'],
    rest: [{ url: '/route', verbs: ['GET', 'POST'] }],
    grpc: [message('Generic', 'Route'), message('Router', 'Route')],
    metricsLabel: 'router',
    requiredBy: ['ROUTER'],
    pythonMethod: 'route',
    restView: 'Route'
  },
  aggregate: {
    methods: ['aggregateRaw', 'aggregate'],
    rest: [{ url: '/aggregate', verbs: ['GET', 'POST'] }],
    grpc: [message('Generic', 'Aggregate', 'SeldonMessageList'), message('Combiner', 'Aggregate', 'SeldonMessageList')],
    metricsLabel: 'aggregate',
    requiredBy: ['COMBINER'],
    pythonMethod: 'aggregate',
    restView: 'Aggregate'
  },
  sendFeedback: {
    methods: ['sendFeedbackRaw', 'sendFeedback'],
    rest: [
      { url: '/send-feedback', verbs: ['GET', 'POST'] },
      { url: '/api/v1.0/feedback', verbs: ['POST'] },
      { url: '/api/v0.1/feedback', verbs: ['POST'] }
    ],
    grpc: [
      message('Generic', 'SendFeedback', 'Feedback'), message('Model', 'SendFeedback', 'Feedback'),
      message('Router', 'SendFeedback', 'Feedback'), message('Seldon', 'SendFeedback', 'Feedback')
    ],
    metricsLabel: 'feedback',
    requiredBy: [],
    pythonMethod: 'send_feedback',
    restView: 'SendFeedback'
  },
  ping: {
    methods: [],
    rest: [{ url: '/health/ping', verbs: ['GET'] }],
    grpc: [],
    requiredBy: [],
    restView: 'HealthPing'
  },
  health: {
    methods: ['healthStatusRaw', 'healthStatus'],
    rest: [{ url: '/health/status', verbs: ['GET'] }, { url: '/api/v1.0/health/status', verbs: ['GET'] }],
    grpc: [],
    metricsLabel: 'health',
    requiredBy: [],
    pythonMethod: 'health_status',
    restView: 'HealthStatus'
  },
  metadata: {
    methods: ['initMetadata'],
    rest: [{ url: '/metadata', verbs: ['GET'] }, { url: '/api/v1.0/metadata', verbs: ['GET'] }],
    grpc: [
      { service: 'Model', rpc: 'Metadata', request: 'Empty', response: 'SeldonModelMetadata' },
      { service: 'Seldon', rpc: 'ModelMetadata', request: 'SeldonModelMetadataRequest', response: 'SeldonModelMetadata' }
    ],
    requiredBy: [],
    restView: 'Metadata'
  },
  graphMetadata: {
    methods: [],
    rest: [],
    grpc: [{ service: 'Seldon', rpc: 'GraphMetadata', request: 'Empty', response: 'SeldonGraphMetadata' }],
    requiredBy: []
  }
}

/**
 * The names that satisfy an endpoint, in the order error messages list them: the high-level
 * method's spellings, then the raw method's (`transformInput`, `transform_input`,
 * `transformInputRaw`, `transform_input_raw`).
 */
export function endpointSpellings (endpoint: Endpoint): string[] {
  return [...ENDPOINTS[endpoint].methods].reverse().flatMap(slot => METHOD_SPELLINGS[slot])
}

/** The endpoints served over gRPC (those with a `grpc` method in the table). */
export type GrpcEndpoint = Exclude<Endpoint, 'ping' | 'health'>

/** Every {@link GrpcEndpoint}, in table order (a test checks it against the table). */
export const GRPC_ENDPOINTS: readonly GrpcEndpoint[] = (Object.keys(ENDPOINTS) as Endpoint[])
  .filter((endpoint): endpoint is GrpcEndpoint => ENDPOINTS[endpoint].grpc.length > 0)

/** The Python name of the user method behind each metrics label (the method span's name). */
export const PYTHON_METHOD_NAMES: Readonly<Record<MethodLabel, string>> = Object.fromEntries(
  Object.values(ENDPOINTS).flatMap(spec =>
    spec.metricsLabel !== undefined && spec.pythonMethod !== undefined ? [[spec.metricsLabel, spec.pythonMethod]] : [])
) as Record<MethodLabel, string>

/** The endpoints a service type's component must implement (none for OUTLIER_DETECTOR). */
export function requiredEndpoints (serviceType: ServiceType): PayloadEndpoint[] {
  return PAYLOAD_ENDPOINTS.filter(endpoint => ENDPOINTS[endpoint].requiredBy.includes(serviceType))
}
