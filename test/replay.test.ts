/**
 * Replays every REST exchange recorded from Seldon Core 1.18.2's Python wrapper
 * (the committed fixture fixtures/rest-transcripts.json; fixtures/README.md says what it holds
 * and how it was generated) against `seldonComponent` serving the TypeScript ports of the
 * recorded user classes (models/), and asserts status, Content-Type, CORS header and body byte for byte.
 *
 * - One fresh Fastify app per suite (as the recording started one server per suite); the cases of
 *   a suite run in order (FeedbackModel and RichModel are stateful).
 * - OUT_OF_SCOPE names each exchange replayed elsewhere, with the reason: nothing is skipped
 *   silently, and a metrics-port case missing from the list fails the test.
 * - DEVIATIONS names each exchange where we answer differently on purpose; it asserts OUR
 *   documented answer, and points at its row of COMPATIBILITY.md (which must exist).
 */
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { suiteComponents } from '@fastify-seldon/test-models'
import { DEVIATIONS, OUT_OF_SCOPE, checkOpenApi, fixture, replayDeviation, replayExact, writeMismatchReport } from './replay-helpers.js'

async function buildApp (suite: string): Promise<FastifyInstance> {
  const make = suiteComponents[suite]
  if (make === undefined) throw new Error(`no TypeScript model for suite ${suite}`)
  const app = Fastify()
  // No options from the environment: the Python wrapper ran with none of its variables set.
  await app.register(seldonComponent, { component: make() })
  await app.ready()
  return app
}

t.test('the fixture covers the transcripts', async t => {
  const ids = new Set(fixture.suites.flatMap(s => s.cases.map(c => c.id)))
  t.equal(fixture.suites.length, 7, 'seven suites')
  for (const id of [...Object.keys(OUT_OF_SCOPE), ...Object.keys(DEVIATIONS)]) t.ok(ids.has(id), `${id} exists`)
  for (const s of fixture.suites) {
    for (const c of s.cases) {
      if (c.port === 'metrics') t.ok(OUT_OF_SCOPE[c.id] !== undefined, `${c.id} (metrics port) is listed as out of scope`)
    }
    t.ok(suiteComponents[s.name] !== undefined, `a TypeScript model for ${s.name} (${s.className})`)
  }
})

for (const suite of fixture.suites) {
  t.test(`${suite.name}: ${suite.className} (${suite.serviceType})`, async t => {
    const app = await buildApp(suite.name)
    t.teardown(() => app.close())
    for (const c of suite.cases) {
      const name = `${c.id} ${c.title}`
      const outOfScope = OUT_OF_SCOPE[c.id]
      if (outOfScope !== undefined) {
        if (c.id === 'identity.38') {
          await t.test(name, async t => { await checkOpenApi(t, app) })
        } else {
          t.comment(`${name}: ${outOfScope}`)
        }
        continue
      }
      const deviation = DEVIATIONS[c.id]
      if (deviation !== undefined) {
        await t.test(`${name} [deviation ${deviation.compat}]`, async t => { await replayDeviation(t, app, c, deviation) })
      } else {
        await t.test(name, async t => { await replayExact(t, app, c) })
      }
    }
  })
}

t.teardown(() => { writeMismatchReport('replay') })
