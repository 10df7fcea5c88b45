/**
 * The metadata messages of seldon.protos (SeldonModelMetadataRequest, SeldonModelMetadata,
 * SeldonGraphMetadata), message form → wire bytes, with the rules of encode.ts. int64 `shape`
 * entries accept numbers, decimal strings and bigints.
 */
import { badData } from '../errors.js'
import type {
  SeldonGraphMetadata, SeldonMessageMetadata, SeldonModelMetadata, SeldonModelMetadataRequest
} from '../types.js'
import {
  entries, expectObject, isSet, sizeString, sizeStringMap, str, stringList, typeName, writeString, writeStringMap
} from './encode-fields.js'
import { sizeValue, writeValue } from './struct.js'
import { type Plan, type Writer, delimited, int64Halves, reserve, utf8Length, varint64Length } from './wire.js'

export function sizeSeldonModelMetadataRequest (m: SeldonModelMetadataRequest, _plan: Plan, path: string): number {
  expectObject(m, path)
  return sizeString(str(m.name, `${path}.name`))
}

export function writeSeldonModelMetadataRequest (m: SeldonModelMetadataRequest, w: Writer): void {
  writeString(0x0a, m.name ?? undefined, w)
}

function shapeHalves (v: unknown, path: string): Array<[number, number]> {
  if (!Array.isArray(v)) throw badData(`${path} must be an array of integers, got ${typeName(v)}`)
  return v.map((x: unknown, i) => {
    if (typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'string') throw badData(`${path}[${i}] must be an integer, got ${typeName(x)}`)
    return int64Halves(x, `${path}[${i}]`)
  })
}

function sizeMessageMetadata (m: SeldonMessageMetadata, plan: Plan, path: string): number {
  expectObject(m, path)
  let n = sizeString(str(m.messagetype, `${path}.messagetype`))
  if (m.schema !== undefined) {
    const s = reserve(plan)
    const len = sizeValue(m.schema, plan, 1, `${path}.schema`)
    plan.lens[s] = len
    n += delimited(len)
  }
  n += sizeString(str(m.name, `${path}.name`))
  n += sizeString(str(m.datatype, `${path}.datatype`))
  if (isSet(m.shape)) {
    let len = 0
    for (const [lo, hi] of shapeHalves(m.shape, `${path}.shape`)) len += varint64Length(lo, hi)
    if (len > 0) n += delimited(len)
  }
  return n
}

function writeMessageMetadata (m: SeldonMessageMetadata, w: Writer): void {
  writeString(0x0a, m.messagetype ?? undefined, w)
  if (m.schema !== undefined) { w.nested(0x12); writeValue(m.schema, w) }
  writeString(0x1a, m.name ?? undefined, w)
  writeString(0x22, m.datatype ?? undefined, w)
  if (isSet(m.shape)) {
    const halves = shapeHalves(m.shape, '')
    let len = 0
    for (const [lo, hi] of halves) len += varint64Length(lo, hi)
    if (len > 0) {
      w.byte(0x2a)
      w.varint(len)
      for (const [lo, hi] of halves) w.varint64(lo, hi)
    }
  }
}

function sizeMetadataList (list: unknown, plan: Plan, path: string): number {
  if (!isSet(list)) return 0
  if (!Array.isArray(list)) throw badData(`${path} must be an array, got ${typeName(list)}`)
  let n = 0
  for (let i = 0; i < list.length; i++) {
    const s = reserve(plan)
    const len = sizeMessageMetadata(list[i] as SeldonMessageMetadata, plan, `${path}[${i}]`)
    plan.lens[s] = len
    n += delimited(len)
  }
  return n
}

function writeMetadataList (tag: number, list: SeldonMessageMetadata[] | undefined | null, w: Writer): void {
  if (!isSet(list)) return
  for (const m of list as SeldonMessageMetadata[]) { w.nested(tag); writeMessageMetadata(m, w) }
}

export function sizeSeldonModelMetadata (m: SeldonModelMetadata, plan: Plan, path: string): number {
  expectObject(m, path)
  let n = sizeString(str(m.name, `${path}.name`))
  if (isSet(m.versions)) {
    for (const v of stringList(m.versions, `${path}.versions`)) n += delimited(utf8Length(v))
  }
  n += sizeString(str(m.platform, `${path}.platform`))
  n += sizeMetadataList(m.inputs, plan, `${path}.inputs`)
  n += sizeMetadataList(m.outputs, plan, `${path}.outputs`)
  if (isSet(m.custom)) n += sizeStringMap(m.custom, plan, `${path}.custom`)
  return n
}

export function writeSeldonModelMetadata (m: SeldonModelMetadata, w: Writer): void {
  writeString(0x0a, m.name ?? undefined, w)
  if (isSet(m.versions)) {
    for (const v of m.versions as string[]) { w.byte(0x12); w.string(v) }
  }
  writeString(0x1a, m.platform ?? undefined, w)
  writeMetadataList(0x22, m.inputs, w)
  writeMetadataList(0x2a, m.outputs, w)
  if (isSet(m.custom)) writeStringMap(0x32, m.custom as Record<string, string>, w)
}

export function sizeSeldonGraphMetadata (g: SeldonGraphMetadata, plan: Plan, path: string): number {
  expectObject(g, path)
  let n = sizeString(str(g.name, `${path}.name`))
  if (isSet(g.models)) {
    for (const [k, v] of entries(g.models, `${path}.models`)) {
      const entrySlot = reserve(plan)
      const valueSlot = reserve(plan)
      const vlen = sizeSeldonModelMetadata(v as SeldonModelMetadata, plan, `${path}.models.${k}`)
      plan.lens[valueSlot] = vlen
      const len = delimited(utf8Length(k)) + delimited(vlen)
      plan.lens[entrySlot] = len
      n += delimited(len)
    }
  }
  n += sizeMetadataList(g.inputs, plan, `${path}.inputs`)
  n += sizeMetadataList(g.outputs, plan, `${path}.outputs`)
  return n
}

export function writeSeldonGraphMetadata (g: SeldonGraphMetadata, w: Writer): void {
  writeString(0x0a, g.name ?? undefined, w)
  if (isSet(g.models)) {
    for (const [k, v] of entries(g.models, '')) {
      w.nested(0x12)
      w.byte(0x0a); w.string(k)
      w.nested(0x12)
      writeSeldonModelMetadata(v as SeldonModelMetadata, w)
    }
  }
  writeMetadataList(0x1a, g.inputs, w)
  writeMetadataList(0x22, g.outputs, w)
}
