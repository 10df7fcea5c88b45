/**
 * Seldon Core v1's graph resources as JSON/YAML carries them, with Seldon's own field names
 * (seldon-core v1.18.2 operator/apis/machinelearning.seldon.io/v1/seldondeployment_types.go):
 * a SeldonDeployment holds predictors, a PredictorSpec holds the root PredictiveUnit of its graph.
 * Only the fields the graph uses are typed; everything else is carried along untouched.
 */

export const PREDICTIVE_UNIT_TYPES = ['UNKNOWN_TYPE', 'ROUTER', 'COMBINER', 'MODEL', 'TRANSFORMER', 'OUTPUT_TRANSFORMER'] as const
export type PredictiveUnitType = typeof PREDICTIVE_UNIT_TYPES[number]

/**
 * The implementations the operator's types name. Any other string is a prepackaged model server
 * (SKLEARN_SERVER, TRITON_SERVER, ... — the operator's list is configurable), always a MODEL.
 */
export const KNOWN_IMPLEMENTATIONS = ['UNKNOWN_IMPLEMENTATION', 'SIMPLE_MODEL', 'SIMPLE_ROUTER', 'RANDOM_ABTEST', 'AVERAGE_COMBINER'] as const

export const PREDICTIVE_UNIT_METHODS = ['TRANSFORM_INPUT', 'TRANSFORM_OUTPUT', 'ROUTE', 'AGGREGATE', 'SEND_FEEDBACK'] as const
export type PredictiveUnitMethod = typeof PREDICTIVE_UNIT_METHODS[number]

export const ENDPOINT_TYPES = ['REST', 'GRPC'] as const
export type EndpointType = typeof ENDPOINT_TYPES[number]

export const PARAMETER_TYPES = ['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL'] as const
export type ParameterType = typeof PARAMETER_TYPES[number]

export const LOGGER_MODES = ['all', 'request', 'response'] as const
export type LoggerMode = typeof LOGGER_MODES[number]

export interface Endpoint {
  service_host?: string
  /** Used by the executor only for readiness; our fallback port when httpPort/grpcPort is missing. */
  service_port?: number
  type?: EndpointType
  httpPort?: number
  grpcPort?: number
}

export interface Parameter {
  name: string
  /** Always a string in the resource; `type` says how the component reads it. */
  value: string
  type: ParameterType
}

export interface Logger {
  url?: string
  mode?: LoggerMode
}

export interface PredictiveUnit {
  name: string
  children?: PredictiveUnit[]
  type?: PredictiveUnitType
  implementation?: string
  methods?: PredictiveUnitMethod[]
  endpoint?: Endpoint
  parameters?: Parameter[]
  logger?: Logger
  modelUri?: string
  serviceAccountName?: string
  envSecretRefName?: string
  storageInitializerImage?: string
  [other: string]: unknown
}

export interface Container {
  name?: string
  image?: string
  env?: Array<{ name?: string, value?: string, [other: string]: unknown }>
  [other: string]: unknown
}

export interface SeldonPodSpec {
  spec?: { containers?: Container[], [other: string]: unknown }
  [other: string]: unknown
}

export interface PredictorSpec {
  name?: string
  graph: PredictiveUnit
  componentSpecs?: SeldonPodSpec[]
  annotations?: Record<string, string>
  [other: string]: unknown
}

export interface SeldonDeployment {
  apiVersion?: string
  kind?: string
  metadata?: { name?: string, namespace?: string, annotations?: Record<string, string>, [other: string]: unknown }
  spec: {
    name?: string
    predictors: PredictorSpec[]
    annotations?: Record<string, string>
    [other: string]: unknown
  }
}
