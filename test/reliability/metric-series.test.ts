/**
 * Metric series a component can grow (RELIABILITY.md, guarantee 14), through the real CLI: a
 * `metrics()` whose tags come from the input gets at most `--max-metric-series` series (label
 * sets) per metric name; samples of further label sets are dropped, counted in
 * `seldon_metrics_errors_total{reason="series_limit"}` and logged once; the series already there
 * keep counting, and the scrape stays bounded.
 */
import http from 'node:http'
import t from 'tap'
import { freePorts, httpRequest, pool, startCli, waitForHttp } from './helpers.js'

t.setTimeout(240_000)

const REQUESTS = 10_000
const LIMIT = 1000

t.test(`${REQUESTS} requests with distinct tag values: ${LIMIT} series, the rest dropped and counted, the scrape bounded`, async t => {
  const [port, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  // the default --max-metric-series is 1000: no flag. No event-loop threshold: on a loaded machine
  // its 503s would leave requests unrecorded, and the counts are what this test checks.
  const cli = startCli(t, 'TagsModel', ['--http-port', String(port), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--max-event-loop-delay', '0'])
  await waitForHttp(port, cli)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
  t.teardown(() => { agent.destroy() })
  const post = async (client: string): Promise<number> => (await httpRequest(port, {
    path: '/api/v1.0/predictions', agent, body: JSON.stringify({ jsonData: { client } }), headers: { 'content-type': 'application/json' }, timeout: 30_000
  })).status

  const statuses = new Map<number, number>()
  const send = async (from: number, to: number): Promise<void> => {
    await pool(Array.from({ length: to - from }, (_, i) => from + i), 8, async i => {
      const status = await post(`client-${i}`)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    })
  }
  // the scrape once the cap is reached, then after nine times as many distinct values
  await send(0, LIMIT)
  const atCap = (await httpRequest(metrics, { path: '/metrics' })).body.length
  await send(LIMIT, REQUESTS)
  t.same([...statuses], [[200, REQUESTS]], 'every request is served (a dropped metric is not a failed request)')
  // a series that exists keeps counting past the cap
  for (let i = 0; i < 5; i++) t.equal(await post('client-0'), 200, 'a request with a known tag value is served')

  const scrape = (await httpRequest(metrics, { path: '/metrics' })).body
  const series = scrape.split('\n').filter(line => line.startsWith('tagged_requests_total{'))
  t.equal(series.length, LIMIT, `tagged_requests_total: ${LIMIT} series`)
  t.match(scrape, /^tagged_requests_total\{[^}]*client="client-0"[^}]*\} 6$/m, 'an existing series keeps counting')
  t.match(scrape, new RegExp(`^seldon_metrics_errors_total\\{[^}]*reason="series_limit"[^}]*\\} ${REQUESTS - LIMIT}$`, 'm'), `the drops counted: ${REQUESTS - LIMIT}`)
  // what may still grow: the digits of the request counts and histograms, the drop counter's line
  t.ok(scrape.length <= atCap + 2000, `the scrape stops growing at the cap: ${atCap} bytes after ${LIMIT} distinct values, ${scrape.length} after ${REQUESTS}`)

  const warnings = cli.stdout().split('\n').filter(line => line.includes('"reason":"series_limit"'))
  t.equal(warnings.length, 1, 'logged once')
  t.match(warnings[0] ?? '', /"level":40/, 'at warn')
  t.match(warnings[0] ?? '', /tagged_requests/, 'naming the metric')
  t.ok(cli.alive(), 'the server is alive')
})
