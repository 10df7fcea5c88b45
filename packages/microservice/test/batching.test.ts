/**
 * `--max-batch-size` / `--max-batch-time`: the CLI batching a REST and a gRPC predict request into
 * one call of the component (floats both: JSON integers would be int64, and join only int64), on
 * the event loop and in inference threads, with the batch metrics
 * on the metrics port (docs/inference-pool.md, "Adaptive batching"). The batch closes when its two
 * requests are in (the wait is a minute): nothing depends on the machine's speed.
 */
import t from 'tap'
// The built helper: it runs the built CLI (dist/cli.js), as the installed package does.
import { callGrpc, postJson, serveCli } from '../dist/testing.js'
import { fixtures } from './helpers.js'

// Threads start slowly on a loaded machine.
t.setTimeout(240_000)

for (const threads of [0, 1]) {
  t.test(`a REST and a gRPC request in one batch (inference threads: ${threads})`, async t => {
    const server = await serveCli(t, ['BatchModel.mjs', '--max-batch-size', '2', '--max-batch-time', '60000', '--inference-threads', String(threads)],
      { cwd: fixtures, readyMs: 120_000 })
    const [rest, grpc] = await Promise.all([
      postJson(`${server.url}/api/v1.0/predictions`, { meta: { puid: 'from-rest' }, data: { ndarray: [[1.5, 2]] } }),
      callGrpc(server.grpcTarget, 'Model', 'Predict', { meta: { puid: 'from-grpc' }, data: { tensor: { shape: [2, 2], values: [3, 4, 5, 6] } } })
    ])
    t.equal(rest.status, 200, rest.body)
    const body = JSON.parse(rest.body)
    t.same(body.data.ndarray, [[3.5]])
    t.same(body.meta.tags, { calls: 1, batch: 2 }, 'one predict call for both')
    t.equal(body.meta.puid, 'from-rest')
    t.equal(grpc.status, 'OK')
    t.same(grpc.message?.data?.tensor, { shape: [2, 1], values: [7, 11] })
    t.same(grpc.message?.meta?.tags, { calls: 1, batch: 2 })
    t.equal(grpc.message?.meta?.puid, 'from-grpc')
    const metrics = await (await fetch(server.metricsUrl)).text()
    t.match(metrics, /seldon_batch_size_count(\{[^}]*\})? 1\n/, 'one batch observed')
    t.match(metrics, /seldon_batch_size_sum(\{[^}]*\})? 2\n/, 'of two requests')
    t.match(metrics, /seldon_batch_wait_seconds_count(\{[^}]*\})? 2\n/, "each request's wait observed")
  })
}

t.test('without --max-batch-size: no batching, no batch metrics', async t => {
  const server = await serveCli(t, ['BatchModel.mjs'], { cwd: fixtures, readyMs: 120_000 })
  const answers = await Promise.all([1, 2].map(async v => await postJson(`${server.url}/predict`, { data: { ndarray: [[v]] } })))
  t.same(answers.map(a => JSON.parse(a.body).meta.tags.batch), [1, 1])
  t.notMatch(await (await fetch(server.metricsUrl)).text(), /seldon_batch_/)
})
