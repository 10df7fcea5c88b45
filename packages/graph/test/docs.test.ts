/**
 * The executor differences stay documented: every E- row named in the sources and docs exists in
 * COMPATIBILITY.md, and every row that names a test file names one that exists here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import t from 'tap'

const root = new URL('../../../', import.meta.url)
const compatibility = readFileSync(new URL('COMPATIBILITY.md', root), 'utf8')
const section = compatibility.slice(compatibility.indexOf('## Executor differences'))
const rows = [...section.matchAll(/^\| (E-\d+) \|(.*)$/gm)].map(m => ({ id: m[1] as string, text: m[2] as string }))

t.test('COMPATIBILITY.md has the executor differences, numbered in order', async t => {
  t.ok(rows.length >= 20, `${rows.length} rows`)
  t.same(rows.map(r => r.id), rows.map((_, i) => `E-${i + 1}`), 'E-1, E-2, ... without gaps')
})

t.test('rows name tests that exist; ids cited in sources and docs exist', async t => {
  for (const row of rows) {
    for (const [, file] of row.text.matchAll(/\(([a-z-]+\.test\.ts)/g)) {
      t.ok(existsSync(new URL(`./${file as string}`, import.meta.url)), `${row.id}: ${file as string} exists`)
    }
  }
  const ids = new Set(rows.map(r => r.id))
  const cited = new Set<string>()
  const sources = readdirSync(new URL('../src/', import.meta.url)).map(f => readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8'))
  for (const text of [...sources, readFileSync(new URL('docs/graph.md', root), 'utf8')]) {
    for (const [id] of text.matchAll(/\bE-\d+\b/g)) cited.add(id)
  }
  t.ok(cited.size > 10)
  for (const id of cited) t.ok(ids.has(id), `${id} is a row`)
})
