/**
 * docs/architecture.md is kept true: its package table lists every package under packages/, and no
 * package depends (dependencies, peer or optional) on a workspace package the table does not allow
 * (core on anything but protocol, grpc on rest...). Test-only devDependencies are not checked.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SCOPE = '@fastify-seldon/'

/** The table rows: package → the workspace packages it may depend on. */
function allowedByDocument (): Map<string, Set<string>> {
  const text = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8')
  const rows = new Map<string, Set<string>>()
  for (const line of text.split('\n')) {
    const cells = line.split('|').map(c => c.trim())
    if (cells.length < 6 || !(cells[1] ?? '').startsWith(SCOPE)) continue
    const allowed = cells[4] === '—' ? [] : (cells[4] ?? '').split(',').map(name => SCOPE + name.trim())
    rows.set(cells[1] as string, new Set(allowed))
  }
  return rows
}

interface Manifest { name: string, dependencies?: Record<string, string>, peerDependencies?: Record<string, string>, optionalDependencies?: Record<string, string> }

function packages (): Manifest[] {
  const dir = path.join(root, 'packages')
  return readdirSync(dir, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => JSON.parse(readFileSync(path.join(dir, entry.name, 'package.json'), 'utf8')) as Manifest)
}

const table = allowedByDocument()
const manifests = packages()

t.test('the document lists every package, and only those', async t => {
  t.ok(table.size >= 10, 'the table was read')
  t.same([...table.keys()].sort(), manifests.map(m => m.name).sort())
})

t.test('no package depends on one the document forbids', async t => {
  for (const manifest of manifests) {
    const allowed = table.get(manifest.name) ?? new Set<string>()
    const used = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies })
      .filter(name => name.startsWith(SCOPE))
    const forbidden = used.filter(name => !allowed.has(name))
    t.same(forbidden, [], `${manifest.name} depends only on what docs/architecture.md allows`)
  }
})

t.test('the rules the document states are in its table', async t => {
  t.same([...(table.get(SCOPE + 'core') ?? [])], [SCOPE + 'protocol'], 'core depends on protocol only')
  t.same([...(table.get(SCOPE + 'protocol') ?? [])], [], 'protocol depends on nothing')
  for (const name of ['grpc', 'metrics', 'tracing', 'errors', 'graph']) {
    t.notOk(table.get(SCOPE + name)?.has(SCOPE + 'rest'), `${name} may not depend on rest`)
  }
})
