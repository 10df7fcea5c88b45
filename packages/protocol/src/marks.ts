/**
 * What JSON text says that plain JS values forget, kept beside the values:
 *
 *   - float marks: which integral numbers were written as floats (`1.0`), so that they print as
 *     floats again (Python keeps int and float apart; see docs/wire-format.md, "Numbers");
 *   - JsonFloat / float(): a boxed number that prints as a float, for values a user builds;
 *   - key order: the text's order of a parsed object whose keys JS would reorder, for pyRepr.
 *
 * The JSON parser writes marks and key order, the encoders (JSON and protobuf) and pyRepr read
 * them. This file imports nothing, so every other file may import it.
 */

/** A number that prints as a float even when integral (Python's `3.0`). Arithmetic works via valueOf. */
export class JsonFloat extends Number {
  toJSON (): number { return this.valueOf() }
}

/** Mark a number as a float for the JSON encoder: `float(3)` prints `3.0`. */
export function float (n: number): JsonFloat {
  return new JsonFloat(n)
}

/**
 * Float marks: for a container, `true` when every number in it was written as a float, or the
 * set of keys (indices for arrays) whose integral values were written as floats.
 *
 * The parser also registers an array holding only non-integral float literals among ints
 * (`[1, 0.5]`) with an empty set: nothing in it needs a mark to print right, but
 * {@link isFloatArray} must still see that numpy would make it float64.
 */
export type FloatMark = true | Set<string | number>

/**
 * Side data for parsed containers. A WeakMap would do, but parsing a large ndarray makes one
 * entry per row, and dead WeakMap entries are ephemerons that every major GC must process:
 * measured on 100k rows, parsing ran 3-4x slower and slowed the rest of the process. Instead the
 * value lives in a private class field installed on the container itself (a base constructor that
 * returns its argument makes `super()` bind `this` to it). It is invisible to Object.keys,
 * symbols, spread, JSON and deep-equality, and dies with the container. Objects that cannot take
 * a new field (frozen, sealed) fall back to a WeakMap.
 */
class Attached {
  constructor (target: object) {
    return target as Attached
  }
}

let frozenFloatMarks: WeakMap<object, FloatMark> | undefined

/** The float mark of a container (the parser and the encoders call these directly: hot paths). */
export class FloatMarkSlot extends Attached {
  #mark: FloatMark
  private constructor (target: object, mark: FloatMark) {
    super(target)
    this.#mark = mark
  }

  static get (target: object): FloatMark | undefined {
    return #mark in target ? target.#mark : frozenFloatMarks?.get(target)
  }

  static set (target: object, mark: FloatMark): void {
    if (#mark in target) target.#mark = mark
    else if (Object.isExtensible(target)) new FloatMarkSlot(target, mark) // eslint-disable-line no-new
    else (frozenFloatMarks ??= new WeakMap()).set(target, mark)
  }
}

/**
 * Insertion order of parsed objects whose keys JS would reorder: integer-like keys come first in
 * a JS object, while a Python dict keeps the text's order, which pyRepr shows. Recorded only for
 * objects with a key starting with a digit.
 */
export class KeyOrderSlot extends Attached {
  #order: string[]
  private constructor (target: object, order: string[]) {
    super(target)
    this.#order = order
  }

  static get (target: object): string[] | undefined {
    return #order in target ? target.#order : undefined
  }

  /** Only for an object the parser has just made: extensible, without an order yet. */
  static attach (target: object, order: string[]): void {
    new KeyOrderSlot(target, order) // eslint-disable-line no-new
  }
}

/** Remember that `container[key]` was written as a float (or, with no key, every number in it). */
export function markFloat (container: object, key?: string | number): void {
  if (key === undefined) { FloatMarkSlot.set(container, true); return }
  const mark = FloatMarkSlot.get(container)
  if (mark === true) return
  if (mark === undefined) FloatMarkSlot.set(container, new Set([key]))
  else mark.add(key)
}

/** True when the number at `container[key]` was written as a float. */
export function isMarkedFloat (container: object, key: string | number): boolean {
  const mark = FloatMarkSlot.get(container)
  return mark === true || (mark !== undefined && mark.has(key))
}

/** True when an array held at least one number written as a float (numpy would make it float64). */
export function isFloatArray (arr: readonly unknown[]): boolean {
  return FloatMarkSlot.get(arr) !== undefined
}

/** The float marks of a container, for encoders walking it. */
export function floatMarksOf (container: object): FloatMark | undefined {
  return FloatMarkSlot.get(container)
}

/** Own keys in Python dict order: as parsed when recorded, else Object.keys order. */
export function insertionOrder (obj: object): string[] {
  const keys = Object.keys(obj)
  const recorded = KeyOrderSlot.get(obj)
  if (recorded === undefined) return keys
  const ordered = recorded.filter((k) => Object.hasOwn(obj, k))
  if (ordered.length !== keys.length) for (const k of keys) if (!ordered.includes(k)) ordered.push(k)
  return ordered
}
