/**
 * One own data property set on a plain object, whatever its key: `__proto__`, which JSON objects,
 * protobuf maps and form fields may carry, stays a plain key there instead of setting the object's
 * prototype. Every other key is assigned, which on an object whose prototype is Object.prototype
 * or null makes the same property: Object.prototype's only accessor is `__proto__`, and its other
 * properties are writable. `Object.defineProperty` for every key, as some copies did, costs a
 * descriptor object and a runtime call: 2.6 % of a worker's CPU on a small predict carrying a
 * graph's `meta`, about 0.4 µs a key (`--cpu-prof`, bench/profile.mjs, 2026-12-05).
 */
export function setOwnKey<T> (obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
  else obj[key] = value
}
