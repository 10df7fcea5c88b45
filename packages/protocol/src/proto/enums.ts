/**
 * The enum tables of prediction.proto (seldon-core v1.18.2
 * `python/seldon_core/proto/prediction.proto`), by number: read by the decoder (number → name)
 * and the encoder (name → number).
 */
export const METRIC_TYPES = ['COUNTER', 'GAUGE', 'TIMER'] as const
export const STATUS_FLAGS = ['SUCCESS', 'FAILURE'] as const
