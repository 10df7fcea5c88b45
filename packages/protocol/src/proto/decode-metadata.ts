/**
 * The metadata messages of seldon.protos (SeldonModelMetadataRequest, SeldonModelMetadata,
 * SeldonGraphMetadata), wire bytes → message form, with the rules of decode.ts. int64 `shape`
 * entries come out as numbers, bigint beyond 2^53.
 */
import { markFloat } from '../marks.js'
import type {
  JsonValue, SeldonGraphMetadata, SeldonMessageMetadata, SeldonModelMetadata, SeldonModelMetadataRequest
} from '../types.js'
import { decodeEntry, endCheck } from './decode.js'
import { decodeValue } from './struct.js'
import { setOwnKey } from '../own-key.js'
import { type Reader, malformed } from './wire.js'

export function decodeSeldonModelMetadataRequestAt (r: Reader, end: number): SeldonModelMetadataRequest {
  let name = ''
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag === 0x0a) name = r.string(end)
    else r.skip(tag, end)
  }
  endCheck(r, end, 'SeldonModelMetadataRequest')
  return name !== '' ? { name } : {}
}

function decodeMessageMetadata (r: Reader, end: number): SeldonMessageMetadata {
  let messagetype = ''
  let schema: JsonValue | undefined
  let name = ''
  let datatype = ''
  let shape: Array<number | bigint> | undefined
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: messagetype = r.string(end); break
      case 0x12: schema = decodeValue(r, r.sub(end), 1); break
      case 0x1a: name = r.string(end); break
      case 0x22: datatype = r.string(end); break
      case 0x28: (shape ??= []).push(r.int64()); break
      case 0x2a: {
        const e = r.sub(end)
        shape ??= []
        while (r.pos < e) shape.push(r.int64())
        if (r.pos !== e) throw malformed('truncated packed shape')
        break
      }
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonMessageMetadata')
  const out: SeldonMessageMetadata = {}
  if (messagetype !== '') out.messagetype = messagetype
  if (schema !== undefined) {
    out.schema = schema
    if (typeof schema === 'number') markFloat(out, 'schema')
  }
  if (name !== '') out.name = name
  if (datatype !== '') out.datatype = datatype
  if (shape !== undefined && shape.length > 0) out.shape = shape
  return out
}

export function decodeSeldonModelMetadataAt (r: Reader, end: number): SeldonModelMetadata {
  let name = ''
  let platform = ''
  let versions: string[] | undefined
  let inputs: SeldonMessageMetadata[] | undefined
  let outputs: SeldonMessageMetadata[] | undefined
  let custom: Record<string, string> | undefined
  const readString = (e: number): string => r.string(e)
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: name = r.string(end); break
      case 0x12: (versions ??= []).push(r.string(end)); break
      case 0x1a: platform = r.string(end); break
      case 0x22: (inputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      case 0x2a: (outputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      case 0x32: {
        custom ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x12, readString, '')
        setOwnKey(custom, k, v)
        break
      }
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonModelMetadata')
  const out: SeldonModelMetadata = {}
  if (name !== '') out.name = name
  if (versions !== undefined) out.versions = versions
  if (platform !== '') out.platform = platform
  if (inputs !== undefined) out.inputs = inputs
  if (outputs !== undefined) out.outputs = outputs
  if (custom !== undefined) out.custom = custom
  return out
}

export function decodeSeldonGraphMetadataAt (r: Reader, end: number): SeldonGraphMetadata {
  let name = ''
  let models: Record<string, SeldonModelMetadata> | undefined
  let inputs: SeldonMessageMetadata[] | undefined
  let outputs: SeldonMessageMetadata[] | undefined
  const readModel = (e: number): SeldonModelMetadata => decodeSeldonModelMetadataAt(r, r.sub(e))
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: name = r.string(end); break
      case 0x12: {
        models ??= {}
        const [k, v] = decodeEntry<SeldonModelMetadata>(r, r.sub(end), 0x12, readModel, {})
        setOwnKey(models, k, v)
        break
      }
      case 0x1a: (inputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      case 0x22: (outputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonGraphMetadata')
  const out: SeldonGraphMetadata = {}
  if (name !== '') out.name = name
  if (models !== undefined) out.models = models
  if (inputs !== undefined) out.inputs = inputs
  if (outputs !== undefined) out.outputs = outputs
  return out
}
