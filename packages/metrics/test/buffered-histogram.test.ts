import t from 'tap'
import promClient from 'prom-client'
import { BufferedHistogram } from '../src/buffered-histogram.js'

const BUCKETS = [0.001, 0.01, 0.1, 1]
type Label = 'route' | 'status_code'

function pair () {
  const registry = new promClient.Registry()
  const buffered = new BufferedHistogram<Label>({ name: 'h', help: 'h', labelNames: ['route', 'status_code'], buckets: BUCKETS, registers: [registry] })
  const plainRegistry = new promClient.Registry()
  const plain = new promClient.Histogram<Label>({ name: 'h', help: 'h', labelNames: ['route', 'status_code'], buckets: BUCKETS, registers: [plainRegistry] })
  return { registry, buffered, plainRegistry, plain }
}

t.test('reads exactly what prom-client would hold, across full batches and a partial one', async t => {
  const { registry, buffered, plainRegistry, plain } = pair()
  const a = buffered.series({ route: '/a', status_code: 200 })
  const b = buffered.series({ route: '/b', status_code: 500 })
  for (let i = 0; i < 1000; i++) { // 3 full batches of 256 and 232 more
    const seconds = (i % 17) / 1000 + (i % 5 === 0 ? 0.5 : 0)
    a.add(seconds)
    plain.observe({ route: '/a', status_code: 200 }, seconds)
  }
  for (const seconds of [0.0005, 2, 0.05]) {
    b.add(seconds)
    plain.observe({ route: '/b', status_code: 500 }, seconds)
  }
  t.same(await registry.getMetricsAsJSON(), await plainRegistry.getMetricsAsJSON())
  t.equal(await registry.metrics(), await plainRegistry.metrics(), 'the same exposition text')
  a.add(0.002)
  plain.observe({ route: '/a', status_code: 200 }, 0.002)
  t.equal(await registry.metrics(), await plainRegistry.metrics(), 'and again after a read')
})

t.test('observations made on the histogram directly, for the same label set, add up with the waiting ones', async t => {
  const { registry, buffered, plainRegistry, plain } = pair()
  const a = buffered.series({ route: '/a', status_code: 200 })
  for (const seconds of [0.005, 0.3, 7]) {
    a.add(seconds)
    buffered.observe({ route: '/a', status_code: '200' }, seconds / 2)
    plain.observe({ route: '/a', status_code: 200 }, seconds)
    plain.observe({ route: '/a', status_code: 200 }, seconds / 2)
  }
  const text = await registry.metrics()
  t.match(text, /h_count\{route="\/a",status_code="200"\} 6\n/)
  t.match(text, /h_bucket\{le="0.01",route="\/a",status_code="200"\} 2\n/)
  const sum = (out: string): number => Number(/h_sum\{[^}]*\} (\S+)/.exec(out)?.[1])
  t.ok(Math.abs(sum(text) - sum(await plainRegistry.metrics())) < 1e-12, 'the same sum (up to the order of the additions)')
})

t.test('reset drops what was waiting too', async t => {
  const { registry, buffered } = pair()
  const a = buffered.series({ route: '/a', status_code: 200 })
  for (let i = 0; i < 10; i++) a.add(0.001)
  registry.resetMetrics()
  t.notMatch(await registry.metrics(), /h_count/, 'nothing left after the reset')
  a.add(0.001)
  t.match(await registry.metrics(), /h_count\{route="\/a",status_code="200"\} 1\n/)
})

t.test("the cluster's aggregation reads each worker's waiting observations", async t => {
  const workers = [pair(), pair()]
  workers.forEach((w, i) => { for (let n = 0; n <= i; n++) w.buffered.series({ route: '/a', status_code: 200 }).add(0.01) })
  const aggregated = promClient.AggregatorRegistry.aggregate(await Promise.all(workers.map(async w => await w.registry.getMetricsAsJSON())))
  t.match(await aggregated.metrics(), /h_count\{route="\/a",status_code="200"\} 3\n/)
})
