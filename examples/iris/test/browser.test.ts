/**
 * A person's path through the docs page, in a real browser: the iris model served by
 * seldonComponent on a free port, Debian's Chromium (driven by playwright-core, never a
 * downloaded browser) opens /docs, expands POST /api/v1.0/predictions, clicks "Try it out", sends
 * a flower and reads the class probabilities in Swagger UI's response panel. The screenshot is
 * kept in test-artifacts/iris-docs.png at the repository root (gitignored).
 *
 * Chromium is required, not optional: without it the test fails and says how to install it
 * (`.ci/run` installs the Debian package). CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import t from 'tap'
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import { chromium, type Browser } from 'playwright-core'
import IrisClassifier, { CLASS_NAMES } from '../src/model.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** This machine's network is closed: no background traffic, no first-run or sync or component updates. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url))
const SCREENSHOT = `${ARTIFACTS}iris-docs.png`
const FLOWER = '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}'

t.test('Swagger UI at /docs sends a prediction and shows the probabilities', async t => {
  t.setTimeout(60_000)
  if (!existsSync(CHROMIUM)) {
    t.fail(`Chromium not found at ${CHROMIUM}: install the Debian package (apt-get install -y chromium), as .ci/run does, or set CHROMIUM_PATH`)
    return
  }

  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(seldonComponent, { component: new IrisClassifier() })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  // What the page should show: the same request sent directly.
  const direct = await fetch(`${base}/api/v1.0/predictions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: FLOWER })
  const expected = await direct.json() as { data: { names: string[], ndarray: number[][] } }

  // playwright-core gives every launch a new, empty profile directory of its own
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.setDefaultTimeout(20_000)
  const pageErrors: string[] = []
  page.on('pageerror', err => { pageErrors.push(err.message) })

  await page.goto(`${base}/docs`)
  const operation = page.locator('.opblock.opblock-post').filter({
    has: page.locator('.opblock-summary-path[data-path="/api/v1.0/predictions"]')
  })
  await operation.locator('.opblock-summary').click()
  await operation.getByRole('button', { name: 'Try it out' }).click()
  const body = operation.locator('textarea.body-param__text')
  await body.fill(FLOWER)
  await operation.getByRole('button', { name: 'Execute' }).click()

  const response = operation.locator('.live-responses-table .response').first()
  await response.locator('.response-col_description pre').first().waitFor()
  const status = (await response.locator('.response-col_status').textContent())?.trim()
  const shown = (await response.locator('.response-col_description pre').first().textContent()) ?? ''

  // The page from its title down to the live response (the schema docs below it left out).
  mkdirSync(ARTIFACTS, { recursive: true })
  const bottom = await operation.locator('.live-responses-table').first()
    .evaluate(el => el.getBoundingClientRect().bottom + window.scrollY)
  const height = Math.ceil(bottom + 16)
  await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1280, height } })
  t.ok(existsSync(SCREENSHOT), `screenshot kept at ${SCREENSHOT}`)

  t.equal(status, '200', 'the response panel shows 200')
  t.match(shown, /setosa/, 'the response panel names setosa')
  const answer = JSON.parse(shown) as { data: { names: string[], ndarray: number[][] } }
  t.same(answer.data.names, [...CLASS_NAMES], '"names":["setosa","versicolor","virginica"]')
  const probabilities = answer.data.ndarray[0] ?? []
  t.equal(probabilities.length, 3)
  t.ok(probabilities.every(p => p >= 0 && p <= 1), 'probabilities')
  t.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'summing to 1')
  t.equal(probabilities.indexOf(Math.max(...probabilities)), 0, 'setosa the most likely')
  t.same(answer, expected, 'what the page shows is what the server answers')
  t.same(pageErrors, [], 'no script error on the page')
})
