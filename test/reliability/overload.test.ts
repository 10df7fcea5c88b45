/**
 * Overload: the real CLI with `--max-event-loop-delay 100`. A burst of requests that each keep
 * the worker busy for 200 ms pushes the event-loop delay past the threshold: requests are then
 * answered 503 with the Seldon envelope and `Retry-After`, `/health/ping` (liveness) still 200;
 * once the load drops the server answers normally again, by itself.
 */
import t from 'tap'
import { envelopeProblem, freePorts, httpRequest, poll, postJson, sleep, startCli, waitForHttp, type RestAnswer } from './helpers.js'

const OVERLOADED = '{"status":{"code":-1,"info":"Service Unavailable: server under pressure","reason":"MICROSERVICE_OVERLOADED","status":1}}\n'

t.test('event-loop delay past --max-event-loop-delay: 503 + envelope + Retry-After, then normal again', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'HostileModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--max-event-loop-delay', '100'])
  await waitForHttp(http, cli)
  // quiet: served
  t.equal((await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })).status, 200, 'served before the load')

  // the load: 20 requests of 200 ms of busy CPU each, all at once (4 s of work for one event loop)
  const load = Array.from({ length: 20 }, async () => await postJson(http, '/api/v1.0/predictions', { jsonData: { do: 'busy', ms: 200 } }, 30_000))
  const probes: RestAnswer[] = []
  const pings: RestAnswer[] = []
  let loaded = true
  const probing = (async () => {
    const end = Date.now() + 8000
    while (Date.now() < end && !probes.some(p => p.status === 503)) {
      probes.push(await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[2]] } }, 30_000))
      await sleep(50)
    }
  })()
  const pinging = (async () => {
    // a ping every 100 ms while the load lasts, without waiting for the previous one
    const sent: Array<Promise<void>> = []
    const end = Date.now() + 8000
    // eslint-disable-next-line no-unmodified-loop-condition -- the load task clears it meanwhile
    while (Date.now() < end && loaded) {
      sent.push(httpRequest(http, { path: '/health/ping', timeout: 30_000 }).then(p => { pings.push(p) }))
      await sleep(100)
    }
    await Promise.all(sent)
  })()
  const loadAnswers = await Promise.all(load)
  loaded = false
  await Promise.all([probing, pinging])

  const refused = [...probes, ...loadAnswers].filter(a => a.status === 503)
  t.ok(refused.length > 0, `requests refused under pressure (${refused.length}; load: ${loadAnswers.map(a => a.status).join(',')}; probes: ${probes.map(a => a.status).join(',')})`)
  for (const a of refused.slice(0, 3)) {
    t.equal(envelopeProblem(a), undefined, '503: the envelope')
    t.equal(a.body, OVERLOADED, '503: MICROSERVICE_OVERLOADED')
    t.equal(a.headers['retry-after'], '10', '503: Retry-After: 10')
  }
  t.ok([...probes, ...loadAnswers].every(a => a.status === 200 || a.status === 503), 'every answer is a 200 or the 503')
  t.ok(pings.every(p => p.status === 200 && p.body === 'pong'), `liveness never refused (${pings.length} pings)`)

  // the load is gone: back to normal by itself (the delay is sampled every second)
  let recovered: RestAnswer | undefined
  await poll(async () => {
    recovered = await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[3]] } })
    return recovered.status === 200
  }, 10_000, () => `still refused 10 s after the load: ${recovered?.status} ${recovered?.body ?? ''}`, 200)
  const after = await Promise.all(Array.from({ length: 10 }, async (_, i) => await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[i]] } })))
  t.same(after.map(a => a.status), Array(10).fill(200), 'once the load drops, every request is served again')
  t.ok(cli.alive(), 'the server is alive')
  t.notMatch(cli.stdout(), /"level":(?:50|60)/, 'no error log')
  t.match(cli.stdout(), /under pressure: 503/, 'the refusals are logged (warn)')
})
