// Runs the host of host.ts on a loopback port and checks what a user of the installed packages sees.
// Prints one line per check; exits 1 when one fails.
import assert from 'node:assert/strict'
import * as grpc from '@grpc/grpc-js'
import Fastify from 'fastify'
import { seldonServices } from '@fastify-seldon/grpc'
import { seldonModel } from '@fastify-seldon/model'
import { buildHost, Iris } from './host.js'

const app = await buildHost()
const base = await app.listen({ port: 0, host: '127.0.0.1' })
let failed = 0

async function check (name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn()
    console.log(`ok - ${name}`)
  } catch (err) {
    failed++
    console.log(`not ok - ${name}: ${(err as Error).message}`)
  }
}

async function post (path: string, body: unknown): Promise<{ status: number, json: any }> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: await res.json() }
}

await check('REST predict under the prefix', async () => {
  const { status, json } = await post('/iris/api/v1.0/predictions', { data: { ndarray: [[10, 20, 30]] } })
  assert.equal(status, 200)
  assert.deepEqual(json.data, { names: ['setosa', 'versicolor', 'virginica'], ndarray: [[1, 2, 3]] })
})
await check('router', async () => {
  const { status, json } = await post('/router/route', { data: { ndarray: [[1]] } })
  assert.equal(status, 200)
  assert.deepEqual(json.data.ndarray, [[0]])
})
await check('health', async () => {
  const ping = await fetch(`${base}/iris/health/ping`)
  assert.equal(ping.status, 200)
  assert.equal((await ping.text()).trim(), 'pong')
  assert.equal((await fetch(`${base}/iris/health/status`)).status, 200)
})
await check('a Seldon 404 under the prefix', async () => {
  const res = await fetch(`${base}/iris/nowhere`)
  assert.equal(res.status, 404)
  const json = await res.json() as { status?: { reason?: string } }
  assert.equal(typeof json.status?.reason, 'string')
})
await check("the host's own route, hook and 404", async () => {
  const hello = await fetch(`${base}/hello`)
  assert.deepEqual([hello.status, await hello.json()], [200, { hello: 'world' }])
  const missing = await fetch(`${base}/nowhere`)
  assert.deepEqual([missing.status, await missing.json()], [404, { host: 'not found' }])
  const denied = await fetch(`${base}/iris/health/ping`, { headers: { 'x-deny': 'yes' } })
  assert.equal(denied.status, 401)
})
await check('gRPC predict', async () => {
  const Model = grpc.makeGenericClientConstructor(seldonServices.Model, 'Model')
  const client = new Model(`127.0.0.1:${app.seldonGrpc.port ?? 0}`, grpc.credentials.createInsecure()) as any
  try {
    const answer = await new Promise<any>((resolve, reject) => {
      client.Predict({ data: { tensor: { shape: [1, 3], values: [10, 20, 30] } } }, (err: Error | null, res: unknown) => {
        if (err !== null) reject(err); else resolve(res)
      })
    })
    assert.deepEqual(answer.data.names, ['setosa', 'versicolor', 'virginica'])
    assert.deepEqual([...answer.data.tensor.values], [1, 2, 3])
  } finally {
    client.close()
  }
})
await check('custom metrics and request metrics on the scrape', async () => {
  const text = await (await fetch(`${base}/metrics`)).text()
  assert.match(text, /^host_iris_predictions_total\{[^}]*method="predict"[^}]*\} 2$/m, 'the COUNTER of REST and gRPC predict')
  assert.match(text, /^seldon_grpc_server_handled_total\{[^}]*grpc_method="Predict"[^}]*\} 1$/m, 'the gRPC call counted')
  assert.match(text, /^http_request_duration_seconds_count\{[^}]*route="\/iris\/api\/v1.0\/predictions"/m)
})

await app.close()

await check('docs: true without @fastify/swagger-ui fails at registration, naming it', async () => {
  const other = Fastify()
  await assert.rejects(async () => {
    await other.register(seldonModel, { component: new Iris(), docs: true })
    await other.ready()
  }, (err: Error & { code?: string }) => err.code === 'SELDON_ERR_MISSING_PEER' && err.message.includes('npm install @fastify/swagger-ui'))
  await other.close()
})
console.log(failed === 0 ? 'host: all checks passed' : `host: ${failed} check(s) failed`)
process.exitCode = failed === 0 ? 0 : 1
