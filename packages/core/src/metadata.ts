/**
 * Model metadata (seldon-core v1.18.2 python/seldon_core/metadata.py): initMetadata() merged with the MODEL_METADATA env var
 * (YAML, so JSON too; env wins per top-level key), defaults from the image name, then validated
 * against the wrapper's schema. Invalid metadata is `null`: REST answers 500
 * MICROSERVICE_BAD_METADATA, gRPC an empty message.
 */
import AjvModule from 'ajv'
import { parse as parseYaml } from 'yaml'
import { setOwnKey } from '@fastify-seldon/protocol/internal'

const Ajv = AjvModule.default ?? AjvModule

const V2_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']

const tensorMetadata = {
  anyOf: [
    {
      type: 'object',
      properties: {
        messagetype: { enum: ['tensor', 'ndarray', 'tftensor'] },
        schema: {
          type: 'object',
          properties: { names: { type: 'array', items: { type: 'string' } }, shape: { type: 'array', items: { type: 'integer' } } },
          additionalProperties: false
        }
      },
      required: ['messagetype'],
      additionalProperties: false
    },
    {
      type: 'object',
      properties: { messagetype: { const: 'jsonData' }, schema: { type: 'object' } },
      required: ['messagetype'],
      additionalProperties: false
    },
    { type: 'object', properties: { messagetype: { const: 'strData' } }, required: ['messagetype'], additionalProperties: false },
    { type: 'object', properties: { messagetype: { const: 'binData' } }, required: ['messagetype'], additionalProperties: false },
    {
      type: 'object',
      properties: {
        messagetype: { type: 'string', not: { enum: ['tensor', 'ndarray', 'tftensor', 'jsonData', 'strData', 'binData'] } },
        schema: { type: 'object' }
      },
      required: ['messagetype'],
      additionalProperties: false
    },
    {
      type: 'object',
      properties: {
        name: { type: 'string' },
        datatype: { enum: V2_DATATYPES },
        shape: { type: 'array', items: { type: 'integer' } }
      },
      additionalProperties: false
    }
  ]
}

/** The wrapper's model-metadata schema. */
export const modelMetadataSchema = {
  $id: 'SeldonModelMetadata',
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorMetadata },
    outputs: { type: 'array', items: tensorMetadata },
    custom: { type: 'object', additionalProperties: { type: 'string' } }
  },
  additionalProperties: false
} as const

const validate = new Ajv({ strict: false }).compile(modelMetadataSchema)

/** `image:tag` split at the last colon, as the wrapper does (no colon: name "", version = all). */
export function splitImage (image: string | undefined): { name: string, version: string } {
  if (image === undefined || image === '') return { name: '', version: '' }
  const at = image.lastIndexOf(':')
  if (at < 0) return { name: '', version: image }
  return { name: image.slice(0, at), version: image.slice(at + 1) }
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

export interface MetadataInput {
  fromComponent: unknown
  modelMetadataEnv?: string | undefined
  unitImage?: string | undefined
  log?: (message: string) => void
}

export interface MetadataResult {
  metadata: Record<string, unknown> | null
  /** Why the metadata is unavailable, for the log. */
  problem?: string
}

export function buildMetadata (input: MetadataInput): MetadataResult {
  const fromComponent = isPlainObject(input.fromComponent) ? input.fromComponent : {}
  let fromEnv: Record<string, unknown> = {}
  if (input.modelMetadataEnv !== undefined && input.modelMetadataEnv !== '') {
    try {
      const parsed: unknown = parseYaml(input.modelMetadataEnv)
      if (isPlainObject(parsed)) fromEnv = parsed
    } catch (err) {
      input.log?.(`MODEL_METADATA is not valid YAML/JSON: ${(err as Error).message}`)
    }
  }
  const merged: Record<string, unknown> = {}
  for (const source of [fromComponent, fromEnv]) {
    for (const key of Object.keys(source)) {
      setOwnKey(merged, key, source[key])
    }
  }
  const image = splitImage(input.unitImage)
  merged.name ??= image.name
  merged.versions ??= [image.version]
  merged.platform ??= ''
  merged.inputs ??= []
  merged.outputs ??= []
  merged.custom ??= {}
  if (!validate(merged)) {
    const problem = (validate.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')
    return { metadata: null, problem }
  }
  return { metadata: merged }
}
