/**
 * Registries shared by every installed copy of the packages. A host may end up with two copies of
 * one package (two versions, or a bundler's duplicate); a module-level WeakMap would then exist
 * twice and the copies would disagree (two runtimes for one component, two plugins both claiming a
 * prefix's health routes). These maps live on `globalThis` under a `Symbol.for` key instead, which
 * every copy resolves to the same symbol. The `v1` in the key is the shape of the entries: a copy
 * storing other shapes must use another key.
 */

/** The process-wide WeakMap called `name`, created by the first copy that asks for it. */
export function sharedWeakMap<K extends object, V> (name: string): WeakMap<K, V> {
  const key = Symbol.for(`@fastify-seldon/${name}.v1`)
  const holder = globalThis as unknown as Record<symbol, unknown>
  const existing = holder[key]
  if (existing instanceof WeakMap) return existing as WeakMap<K, V>
  const created = new WeakMap<K, V>()
  Object.defineProperty(holder, key, { value: created, enumerable: false, writable: false, configurable: false })
  return created
}
