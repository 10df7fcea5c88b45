/**
 * File descriptors that strict reflection clients accept. @grpc/proto-loader (protobufjs 7) writes
 * one descriptor per *package* (`seldon_protos.proto`, `google_protobuf.proto`, `tensorflow.proto`)
 * and three things that Python's descriptor pool (behind its reflection client) and grpcurl refuse:
 *
 *   1. no `dependency` lists: `"google.protobuf.Value" is not defined`;
 *   2. map entry messages named after the field (`Tags`), where protoc names them `TagsEntry`:
 *      `map_entry should not be set explicitly`;
 *   3. the well-known types come from protobufjs's bundled JSON, with camelCase field names
 *      (`stringValue`), where the real ones are snake_case (`string_value`): Python's json_format
 *      then fails on `Value`.
 *
 * {@link fixPackageDefinition} repairs all three, and splits the google.protobuf file into the
 * standard `google/protobuf/{any,struct,empty}.proto`, so clients that know the well-known types
 * by file name match them.
 */
import type { PackageDefinition } from '@grpc/proto-loader'
import descriptor from 'protobufjs/ext/descriptor.js'
import type { IDescriptorProto, IEnumDescriptorProto, IFileDescriptorProto } from 'protobufjs/ext/descriptor.generated.js'

const FileDescriptorProto = descriptor.FileDescriptorProto

/** Where each well-known type lives (the files prediction.proto imports, and a few more). */
const WELL_KNOWN_FILES: Record<string, string> = {
  Any: 'google/protobuf/any.proto',
  Struct: 'google/protobuf/struct.proto',
  Value: 'google/protobuf/struct.proto',
  ListValue: 'google/protobuf/struct.proto',
  NullValue: 'google/protobuf/struct.proto',
  Empty: 'google/protobuf/empty.proto',
  Timestamp: 'google/protobuf/timestamp.proto',
  Duration: 'google/protobuf/duration.proto'
}

/** Every message with its fully qualified name (`.pkg.Outer.Inner`), nested ones included. */
function * messages (prefix: string, list: IDescriptorProto[] | null | undefined): Generator<[string, IDescriptorProto]> {
  for (const m of list ?? []) {
    const name = `${prefix}.${m.name ?? ''}`
    yield [name, m]
    yield * messages(name, m.nestedType)
  }
}

/** protoc's name for a map field's entry message: `request_path` / `requestPath` → `RequestPathEntry`. */
export function mapEntryName (field: string): string {
  const camel = field.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase())
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`
}

/** `stringValue` → `string_value` */
export function snakeCase (name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}

function renameMapEntries (message: IDescriptorProto): void {
  for (const nested of message.nestedType ?? []) {
    if (nested.options?.mapEntry !== true || !nested.name) continue
    const old = nested.name
    const field = (message.field ?? []).find(f => f.typeName != null && (f.typeName === old || f.typeName.endsWith(`.${old}`)))
    if (field?.name == null) continue
    const name = mapEntryName(field.name)
    nested.name = name
    field.typeName = `${field.typeName!.slice(0, -old.length)}${name}`
  }
}

/** google.protobuf as protoc has it: snake_case fields (json names kept), one file per standard file. */
function splitWellKnown (file: IFileDescriptorProto): IFileDescriptorProto[] {
  for (const [, m] of messages('', file.messageType)) {
    for (const f of m.field ?? []) {
      if (f.name == null) continue
      const snake = snakeCase(f.name)
      if (snake !== f.name) { f.jsonName ??= f.name; f.name = snake }
    }
  }
  const out = new Map<string, IFileDescriptorProto>()
  const target = (name: string | null | undefined): IFileDescriptorProto => {
    const fileName = WELL_KNOWN_FILES[name ?? ''] ?? file.name ?? 'google_protobuf.proto'
    const existing = out.get(fileName)
    if (existing !== undefined) return existing
    const created: IFileDescriptorProto = { name: fileName, package: file.package ?? 'google.protobuf', syntax: file.syntax ?? 'proto3', messageType: [], enumType: [] }
    out.set(fileName, created)
    return created
  }
  for (const m of file.messageType ?? []) target(m.name).messageType!.push(m)
  for (const e of file.enumType ?? [] as IEnumDescriptorProto[]) target(e.name).enumType!.push(e)
  return [...out.values()]
}

/** The package definition with its file descriptors repaired (see the module comment). */
export function fixPackageDefinition (definition: PackageDefinition): PackageDefinition {
  // The distinct files, and which new files replace each original one.
  const files = new Map<string, IFileDescriptorProto>()
  const replacedBy = new Map<string, string[]>()
  const nameOf = new Map<Buffer, string>()
  for (const entry of Object.values(definition)) {
    const protos = (entry as { fileDescriptorProtos?: unknown }).fileDescriptorProtos
    if (!Array.isArray(protos)) continue
    for (const bytes of protos as Buffer[]) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes)) as IFileDescriptorProto
      const name = file.name ?? ''
      nameOf.set(bytes, name)
      if (replacedBy.has(name)) continue
      const parts = file.package === 'google.protobuf' ? splitWellKnown(file) : [file]
      replacedBy.set(name, parts.map(p => p.name ?? ''))
      for (const p of parts) files.set(p.name ?? '', p)
    }
  }
  for (const file of files.values()) for (const [, m] of messages('', file.messageType)) renameMapEntries(m)

  // Where each symbol is defined.
  const home = new Map<string, string>()
  for (const [fileName, file] of files) {
    const pkg = file.package ? `.${file.package}` : ''
    for (const [name, m] of messages(pkg, file.messageType)) {
      home.set(name, fileName)
      for (const e of m.enumType ?? []) home.set(`${name}.${e.name ?? ''}`, fileName)
    }
    for (const e of file.enumType ?? []) home.set(`${pkg}.${e.name ?? ''}`, fileName)
  }
  // A reference is absolute (`.google.protobuf.Value`) or relative to the referring scope.
  const resolve = (ref: string | null | undefined, scope: string): string | undefined => {
    if (!ref) return undefined
    if (ref.startsWith('.')) return home.get(ref)
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const found = home.get(`${s}.${ref}`)
      if (found !== undefined || s === '') return found
    }
  }

  const encoded = new Map<string, Buffer>()
  for (const [fileName, file] of files) {
    const pkg = file.package ? `.${file.package}` : ''
    const deps = new Set<string>()
    const add = (target: string | undefined): void => { if (target !== undefined && target !== fileName) deps.add(target) }
    for (const [name, m] of messages(pkg, file.messageType)) for (const f of m.field ?? []) add(resolve(f.typeName, name))
    for (const service of file.service ?? []) {
      for (const method of service.method ?? []) {
        add(resolve(method.inputType, pkg))
        add(resolve(method.outputType, pkg))
      }
    }
    file.dependency = [...deps].sort()
    encoded.set(fileName, Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject(file as Record<string, unknown>)).finish()))
  }

  const out: Record<string, unknown> = {}
  for (const [key, entry] of Object.entries(definition)) {
    const protos = (entry as { fileDescriptorProtos?: unknown }).fileDescriptorProtos
    if (!Array.isArray(protos)) { out[key] = entry; continue }
    const names = new Set((protos as Buffer[]).flatMap(bytes => replacedBy.get(nameOf.get(bytes) as string) as string[]))
    out[key] = { ...entry, fileDescriptorProtos: [...names].map(n => encoded.get(n) as Buffer) }
  }
  return out as PackageDefinition
}
