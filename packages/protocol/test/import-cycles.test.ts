/**
 * No import circles in src/: every relative import (type-only ones included, `export ... from`
 * too) of every file under src/ is followed, and a cycle fails the test with its path. A circle
 * works in ESM only while the modules involved touch each other's bindings late, which a later
 * edit can break silently; and it makes the files impossible to read in order.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../src', import.meta.url))

/** `from './x.js'`, `import './x.js'`, `import('./x.js')`: the relative specifiers of a file. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

/** The import graph of src/: file → the files it imports (paths relative to src/). */
function importGraph (): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    const targets = [...text.matchAll(SPECIFIER)].map((m) =>
      relative(SRC, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))))
    graph.set(relative(SRC, file), targets)
  }
  return graph
}

/** The first cycle found, as a path that starts and ends at the same file; undefined when there is none. */
function findCycle (graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>()
  const stack: string[] = []
  const visit = (node: string): string[] | undefined => {
    const at = stack.indexOf(node)
    if (at >= 0) return [...stack.slice(at), node]
    if (done.has(node)) return undefined
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle !== undefined) return cycle
    }
    stack.pop()
    done.add(node)
    return undefined
  }
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

t.test('the cycle finder finds a cycle and only a cycle', async (t) => {
  t.same(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a'])
  t.same(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), undefined, 'a diamond is no cycle')
  t.same(findCycle(new Map([['a', ['a']]])), ['a', 'a'])
})

t.test('src/ imports every file it names and has no import circle', async (t) => {
  const graph = importGraph()
  t.ok(graph.size > 10, `read ${graph.size} files`)
  for (const [file, targets] of graph) {
    for (const target of targets) t.ok(graph.has(target), `${file} imports ${target}, a file of src/`)
  }
  t.ok(graph.get('index.ts')?.includes('json-parse.ts'), 'the graph sees index.ts\'s re-exports')
  t.ok(graph.get('types.ts')?.includes('ndarray.ts'), 'the graph sees type-only imports')
  const cycle = findCycle(graph)
  t.equal(cycle, undefined, cycle === undefined ? 'no cycle' : `import cycle: ${cycle.join(' → ')}`)
})
