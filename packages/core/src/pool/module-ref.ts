/**
 * A component given as a module rather than an instance: what an inference thread needs to build
 * its own instance (an instance cannot be sent to another thread; its methods and state live in
 * the thread that made it).
 *
 *   app.register(seldonModel, { component: { module: new URL('./model.js', import.meta.url), parameters: { k: 1 } }, threads: 2 })
 */
import { pathToFileURL } from 'node:url'

export interface ComponentModule {
  /** The module: a file URL (`new URL('./model.js', import.meta.url)`), its href, or an absolute path. */
  module: string | URL
  /** The export holding the component class (or instance); default: the default export. */
  export?: string | undefined
  /** The constructor's argument (PREDICTIVE_UNIT_PARAMETERS in the CLI); default `{}`. */
  parameters?: Record<string, unknown> | undefined
}

/** A plain object with a `module` (string or URL) and no methods: a module reference, not an instance. */
export function isComponentModule (value: unknown): value is ComponentModule {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  const m = (value as { module?: unknown }).module
  return typeof m === 'string' || m instanceof URL
}

/** The module's URL as a string (absolute paths become file URLs). */
export function moduleUrl (ref: ComponentModule): string {
  const m = ref.module
  if (m instanceof URL) return m.href
  return /^[a-z][a-z0-9+.-]*:/i.test(m) && !/^[a-z]:[\\/]/i.test(m) ? m : pathToFileURL(m).href
}

/** The export named by the reference (or the default export) of an imported module. */
export function exportOf (mod: Record<string, unknown>, ref: Pick<ComponentModule, 'export'>): unknown {
  const name = ref.export ?? 'default'
  if (Object.hasOwn(mod, name)) return mod[name]
  const d = mod.default as Record<string, unknown> | undefined
  return d !== null && typeof d === 'object' ? d[name] : undefined
}

/** Import the module and construct the component (a class gets the parameters; an object is used as is). */
export async function instantiateModule (ref: ComponentModule): Promise<object> {
  const mod = await import(moduleUrl(ref)) as Record<string, unknown>
  const value = exportOf(mod, ref)
  const label = `${moduleUrl(ref)}#${ref.export ?? 'default'}`
  if (typeof value === 'function' && value.prototype !== undefined) {
    return new (value as new (p: Record<string, unknown>) => object)(ref.parameters ?? {})
  }
  const resolved: unknown = await value
  if (resolved !== null && typeof resolved === 'object') return resolved
  throw new TypeError(`${label} is ${resolved === null ? 'null' : typeof resolved}: export a component class or instance`)
}
