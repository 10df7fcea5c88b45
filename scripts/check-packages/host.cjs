// A CommonJS host (require): the packages are ES modules, loaded by Node 20.19+'s require(esm).
// Metrics are registered after the model here, the other order: the model finds them when the app
// gets ready.
'use strict'
const assert = require('node:assert/strict')
const Fastify = require('fastify')
const { seldonModel } = require('@fastify-seldon/model')
const { seldonMetrics } = require('@fastify-seldon/metrics')

class Doubler {
  predict (X) { return X.map(v => v * 2) }
  metrics () { return [{ type: 'GAUGE', key: 'cjs_gauge', value: 7 }] }
}

async function main () {
  const app = Fastify()
  await app.register(seldonModel, { component: new Doubler(), prefix: '/m' })
  await app.register(seldonMetrics)
  const res = await app.inject({ method: 'POST', url: '/m/predict', payload: { data: { ndarray: [[1, 2]] } } })
  assert.equal(res.statusCode, 200)
  assert.deepEqual(res.json().data.ndarray, [[2, 4]])
  const scrape = await app.inject('/metrics')
  assert.match(scrape.body, /^cjs_gauge\{[^}]*method="predict"[^}]*\} 7$/m)
  await app.close()
  console.log('ok - CommonJS host (require), metrics registered after the model')
}

main().catch(err => { console.log(`not ok - CommonJS host: ${err.message}`); process.exitCode = 1 })
