/**
 * Finding, importing and instantiating the user's component: the analogue of the wrapper's
 * `interface_name` handling (docs/wrapper-behaviour.md, "Start-up and the command line"), for JavaScript and TypeScript modules.
 */
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  ENDPOINTS, SERVICE_TYPES, endpointSpellings, implementsEndpoint, requiredEndpoints, resolveMethods, type MethodSlot, type ServiceType, type ComponentModule
} from '@fastify-seldon/core'

/** A component that cannot be loaded or does not fit its service type: a start-up failure. */
export class ComponentError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ComponentError'
  }
}

export const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts'])

export interface ResolvedModule {
  /** Absolute path of the module file. */
  file: string
  /** An export implied by a dotted Seldon name (`pkg.module.MyModel`). */
  exportName?: string | undefined
}

function isFile (file: string): boolean {
  return existsSync(file) && statSync(file).isFile()
}

function withExtensions (base: string): string | undefined {
  for (const ext of MODULE_EXTENSIONS) {
    if (isFile(base + ext)) return base + ext
  }
  for (const ext of MODULE_EXTENSIONS) {
    const index = path.join(base, `index${ext}`)
    if (isFile(index)) return index
  }
  return undefined
}

/**
 * `./model.ts` / `dir/model.js` → that file (relative to cwd); `model` or `MyModel` → the first of
 * `./MyModel.{js,mjs,cjs,ts,mts,cts}` (the s2i MODEL_NAME convention); `pkg.module.MyModel` →
 * `./pkg/module.*`, export `MyModel` (the wrapper's dotted form).
 */
export function resolveModule (spec: string, cwd: string): ResolvedModule {
  const full = path.resolve(cwd, spec)
  if ((MODULE_EXTENSIONS as readonly string[]).includes(path.extname(spec).toLowerCase())) {
    if (isFile(full)) return { file: full }
    throw new ComponentError(`cannot find the component module ${full}`)
  }
  const direct = isFile(full) ? full : withExtensions(full)
  if (direct !== undefined) return { file: direct }
  const looksLikePath = spec.includes('/') || spec.includes(path.sep) || spec.startsWith('.')
  if (!looksLikePath && spec.includes('.')) {
    const dot = spec.lastIndexOf('.')
    const moduleBase = path.resolve(cwd, ...spec.slice(0, dot).split('.'))
    const file = withExtensions(moduleBase)
    if (file !== undefined) return { file, exportName: spec.slice(dot + 1) }
  }
  throw new ComponentError(`cannot find the component module ${JSON.stringify(spec)} in ${cwd} (tried ${spec}{${MODULE_EXTENSIONS.join(',')}})`)
}

let tsRegistered = false

/**
 * tsx's loader, registered once. tsx is an optional peer dependency (it brings esbuild, about half
 * of the CLI's install size), needed only for TypeScript modules: without it, a clear start-up error.
 */
async function registerTypeScript (file: string): Promise<void> {
  let api: typeof import('tsx/esm/api')
  try {
    api = await import('tsx/esm/api')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code !== 'ERR_MODULE_NOT_FOUND' || !e.message.includes("'tsx'")) throw err
    throw new ComponentError(`${file} is TypeScript, which needs the tsx package: npm install tsx (or compile it to JavaScript and give the .js file)`, { cause: err })
  }
  api.register()
  tsRegistered = true
}

/** Import a module file; TypeScript goes through tsx's loader. */
export async function importModule (file: string): Promise<Record<string, unknown>> {
  if (TS_EXTENSIONS.has(path.extname(file).toLowerCase()) && !tsRegistered) await registerTypeScript(file)
  try {
    return await import(pathToFileURL(file).href) as Record<string, unknown>
  } catch (err) {
    throw new ComponentError(`cannot import ${file}: ${(err as Error)?.stack ?? String(err)}`, { cause: err })
  }
}

/**
 * Which export is the component: `--export NAME` (or the dotted name's last part); else an export
 * named like the file (`MyModel.js` exporting `MyModel`, the Seldon convention); else `default`.
 */
export function pickExport (mod: Record<string, unknown>, file: string, exportName?: string): { value: unknown, name: string } {
  const fromDefault = (name: string): unknown => {
    const d = mod.default
    return d !== null && (typeof d === 'object' || typeof d === 'function') ? (d as Record<string, unknown>)[name] : undefined
  }
  if (exportName !== undefined) {
    const value = Object.hasOwn(mod, exportName) ? mod[exportName] : fromDefault(exportName)
    if (value === undefined) throw new ComponentError(`${file} has no export named ${JSON.stringify(exportName)} (exports: ${Object.keys(mod).join(', ') || 'none'})`)
    return { value, name: exportName }
  }
  const base = path.basename(file, path.extname(file))
  if (base !== 'default' && Object.hasOwn(mod, base) && mod[base] !== undefined) return { value: mod[base], name: base }
  if (mod.default !== undefined) return { value: mod.default, name: 'default' }
  throw new ComponentError(`${file} has no default export and no export named ${JSON.stringify(base)}; use --export NAME (exports: ${Object.keys(mod).join(', ') || 'none'})`)
}

/** A class is constructed with the parameters object; an object (or a promise of one) is used as is. */
export async function instantiate (value: unknown, parameters: Record<string, unknown>, label: string): Promise<object> {
  if (typeof value === 'function') {
    if (value.prototype === undefined) {
      throw new ComponentError(`${label} is a function that cannot be constructed: export a class or an instance`)
    }
    let instance: unknown
    try {
      instance = new (value as new (params: Record<string, unknown>) => unknown)(parameters)
    } catch (err) {
      throw new ComponentError(`the constructor of ${value.name || label} failed: ${(err as Error)?.stack ?? String(err)}`, { cause: err })
    }
    return instance as object
  }
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { then?: unknown }).then === 'function') return instantiate(await value, parameters, label)
    return value
  }
  throw new ComponentError(`${label} is ${value === null ? 'null' : typeof value}: export a component class or instance`)
}

/**
 * The methods each service type needs (any one spelling), in the order they are named in messages:
 * read from core's endpoint table (an endpoint's `requiredBy`). OUTLIER_DETECTOR, the Python
 * wrapper's legacy type, has no method contract of its own: nothing is checked.
 */
export const REQUIRED_METHODS: Readonly<Record<ServiceType, { slots: MethodSlot[], spellings: string[] } | undefined>> =
  Object.fromEntries(SERVICE_TYPES.map(serviceType => {
    const endpoints = requiredEndpoints(serviceType)
    if (endpoints.length === 0) return [serviceType, undefined]
    return [serviceType, {
      slots: endpoints.flatMap(endpoint => [...ENDPOINTS[endpoint].methods].reverse()),
      spellings: endpoints.flatMap(endpointSpellings)
    }]
  })) as Record<ServiceType, { slots: MethodSlot[], spellings: string[] } | undefined>

export function componentName (component: object, fallback: string): string {
  const ctor = (component as { constructor?: { name?: unknown } }).constructor
  return typeof ctor?.name === 'string' && ctor.name !== '' && ctor !== Object ? ctor.name : fallback
}

/**
 * The wrapper never checks the type (it serves every route whatever the type); we refuse a
 * component that lacks its type's method at start-up rather than answer 400s later.
 */
export function checkServiceType (component: object, serviceType: ServiceType, label: string): void {
  const need = REQUIRED_METHODS[serviceType]
  if (need === undefined) return
  const methods = resolveMethods(component)
  if (requiredEndpoints(serviceType).some(endpoint => implementsEndpoint(methods, endpoint))) return
  const [first, ...others] = need.spellings
  throw new ComponentError(`service type ${serviceType} needs a ${first ?? ''}() method on ${componentName(component, label)} (or one of ${others.join(', ')})`)
}

/** Resolve, import, pick, instantiate and check: the component a worker serves. */
export async function loadComponent (options: {
  module: string, cwd: string, exportName?: string | undefined, parameters: Record<string, unknown>, serviceType: ServiceType
}): Promise<{ component: object, file: string, name: string, constructed: boolean }> {
  const resolved = resolveModule(options.module, options.cwd)
  const mod = await importModule(resolved.file)
  const picked = pickExport(mod, resolved.file, options.exportName ?? resolved.exportName)
  const label = picked.name === 'default' ? path.basename(resolved.file) : picked.name
  const component = await instantiate(picked.value, options.parameters, label)
  checkServiceType(component, options.serviceType, label)
  return { component, file: resolved.file, name: componentName(component, label), constructed: typeof picked.value === 'function' }
}

/**
 * For inference threads: resolve, import (never construct) and pick the component, check its type
 * on its class, and give the module reference each thread builds its own instance from. A
 * TypeScript module gets tsx's loader in the threads too.
 */
export async function referenceComponent (options: {
  module: string, cwd: string, exportName?: string | undefined, parameters: Record<string, unknown>, serviceType: ServiceType
}): Promise<{ component: ComponentModule, file: string, name: string, constructed: boolean, threadExecArgv?: string[] | undefined }> {
  const resolved = resolveModule(options.module, options.cwd)
  const mod = await importModule(resolved.file)
  const picked = pickExport(mod, resolved.file, options.exportName ?? resolved.exportName)
  const label = picked.name === 'default' ? path.basename(resolved.file) : picked.name
  const value = picked.value
  const shape = typeof value === 'function' ? (value.prototype as object | undefined) : value
  if (shape === null || shape === undefined || typeof shape !== 'object') {
    throw new ComponentError(`${label} is ${value === null ? 'null' : typeof value}: export a component class or instance`)
  }
  checkServiceType(shape, options.serviceType, label)
  const name = typeof value === 'function' && value.name !== '' ? value.name : componentName(shape, label)
  const component: ComponentModule = { module: pathToFileURL(resolved.file).href, export: picked.name, parameters: options.parameters }
  const threadExecArgv = TS_EXTENSIONS.has(path.extname(resolved.file).toLowerCase())
    ? [...process.execArgv, '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href]
    : undefined
  return { component, file: resolved.file, name, constructed: typeof value === 'function', threadExecArgv }
}
