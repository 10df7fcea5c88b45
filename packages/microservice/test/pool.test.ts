/**
 * `--inference-threads`: the CLI serving a component from worker threads, over REST and gRPC,
 * with /health/ping answered while every thread computes and `--request-timeout` dropping a
 * request that still waits for a thread (RELIABILITY.md, "Inference threads").
 */
import t from 'tap'
// The built helper: it runs the built CLI (dist/cli.js), as the installed package does.
import { callGrpc, postJson, serveCli } from '../dist/testing.js'
import { fixtures } from './helpers.js'

// Threads start slowly on a loaded machine (each loads the component and, under tap, its loaders).
t.setTimeout(240_000)

const busy = (ms: number): unknown => ({ meta: { tags: { cmd: 'busy', ms } }, data: { ndarray: [[1, 2]] } })

t.test('REST and gRPC served from two threads; own errors handled; liveness while busy; queued timeout', async t => {
  const server = await serveCli(t, ['PoolModel.mjs', '--inference-threads', '2', '--request-timeout', '700'], { cwd: fixtures, readyMs: 120_000 })

  const rest = await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1.5, 2]] } })
  t.equal(rest.status, 200)
  const restBody = JSON.parse(rest.body)
  t.same(restBody.data.ndarray, [[1.5, 2]])
  t.ok(restBody.meta.tags.thread >= 1, 'served by a worker thread')
  t.ok(rest.body.includes('[[1.5,2.0]]'), 'numbers typed as numpy types them (a float row is float64)')

  const grpc = await callGrpc(server.grpcTarget, 'Model', 'Predict', { data: { tensor: { shape: [1, 2], values: [3, 4] } } })
  t.equal(grpc.status, 'OK')
  t.same(grpc.message?.data?.tensor?.shape, [1, 2])
  t.ok(grpc.message?.meta?.tags?.thread >= 1)

  const failed = await postJson(`${server.url}/predict`, { meta: { tags: { cmd: 'fail' } }, data: { ndarray: [[1]] } })
  t.equal(failed.status, 422, "the component's own handler, run in its thread, answers REST")
  t.same(JSON.parse(failed.body), { custom: 'bad input here' })
  const grpcFailed = await callGrpc(server.grpcTarget, 'Model', 'Predict', { meta: { tags: { cmd: 'fail' } }, data: { ndarray: [[1]] } })
  t.equal(grpcFailed.status, 'FAILED_PRECONDITION', 'and its grpcStatus() answers gRPC')
  t.equal(grpcFailed.details, 'grpc bad input here')

  // Both threads compute for 1.5 s; a third request waits for one of them.
  const running = [postJson(`${server.url}/predict`, busy(1500)), postJson(`${server.url}/predict`, busy(1500))]
  // Wait until both threads are computing (a fixed delay lets the queued request overtake a busy one
  // on a slow machine).
  // Both run at once: admission control's cost estimate leaves them two slots (it once counted the
  // threads' start-up as the cost of the first request, and ran them one after the other).
  const deadline = Date.now() + 10_000
  while ((server.output().match(/PREDICT busy/g) ?? []).length < 2 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
  t.equal((server.output().match(/PREDICT busy/g) ?? []).length, 2, 'both threads compute at once')
  const busySince = Date.now()
  const queued = postJson(`${server.url}/predict`, { meta: { tags: { cmd: 'queued' } }, data: { ndarray: [[1]] } })
  const started = Date.now()
  const ping = await fetch(`${server.url}/health/ping`, { signal: AbortSignal.timeout(5000) })
  t.equal(ping.status, 200, '/health/ping answers while every thread computes')
  t.ok(Date.now() - started < 500, `within ${Date.now() - started} ms`)
  t.equal((await queued).status, 504, 'the queued request times out')
  for (const r of await Promise.all(running)) t.equal(r.status, 504, 'so do the running ones (their results are dropped)')
  // Once the threads are free again (their 1.5 s are over), the queued request was taken out of the
  // queue, never run.
  await new Promise(resolve => setTimeout(resolve, Math.max(0, busySince + 1600 - Date.now())))
  const after = await postJson(`${server.url}/predict`, { data: { ndarray: [[9]] } })
  t.equal(after.status, 200)
  t.notOk(/PREDICT queued/.test(server.output()), 'the request that timed out while queued never reached a thread')
})
