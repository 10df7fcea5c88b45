/**
 * The third-party plugins the packages run without some of their hooks (rest's `withoutHooks`:
 * @fastify/multipart in rest/src/body.ts, @fastify/under-pressure in microservice/src/pressure.ts)
 * are pinned exactly, and the installed version is the pinned one: each package's hooks test
 * (multipart-hooks.test.ts, pressure-hooks.test.ts) was written against that version, so an
 * upgrade is looked at before it ships.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const PINNED = [
  { dir: 'packages/rest', plugin: '@fastify/multipart', version: '10.1.9' },
  { dir: 'packages/microservice', plugin: '@fastify/under-pressure', version: '9.2.0' }
]

for (const { dir, plugin, version } of PINNED) {
  t.test(`${dir}: ${plugin} pinned at ${version}, and installed`, async t => {
    const manifestPath = path.join(root, dir, 'package.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies: Record<string, string> }
    t.equal(manifest.dependencies[plugin], version, 'pinned exactly')
    const installed = createRequire(manifestPath)(`${plugin}/package.json`) as { version: string }
    t.equal(installed.version, version)
  })
}
