/**
 * Overload: the real CLI with `--max-event-loop-delay 100`. A burst of requests that each keep
 * the worker busy for 200 ms pushes the event-loop delay past the threshold: requests are then
 * answered 503 with the Seldon envelope and `Retry-After`, `/health/ping` (liveness) still 200;
 * once the load drops the server answers normally again, by itself.
 *
 * Heap pressure: with `--max-heap-used-bytes`, requests that hold memory while in flight push the
 * heap past the threshold (503); once the load stops the server answers 200 again within 2 s —
 * although a server that only refuses allocates almost nothing and V8 would not collect on its own.
 */
import t, { type Test } from 'tap'
import { envelopeProblem, freePorts, httpRequest, poll, postJson, sleep, startCli, waitForHttp, type Child, type RestAnswer } from './helpers.js'

t.setTimeout(120_000)

const OVERLOADED = '{"status":{"code":-1,"info":"Service Unavailable: server under pressure","reason":"MICROSERVICE_OVERLOADED","status":1}}\n'

t.test('event-loop delay past --max-event-loop-delay: 503 + envelope + Retry-After, then normal again', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'HostileModel', ['--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--max-event-loop-delay', '100'])
  await waitForHttp(http, cli)
  // quiet: served
  t.equal((await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[1]] } })).status, 200, 'served before the load')

  // the load: one client posting requests of 2 s of busy CPU, one after another, for 8 s. under-pressure
  // judges the mean of each 1 s sample of its event-loop delay histogram (10 ms resolution), in which
  // every idle 10 ms between two blocks counts as a delay of 0. Blocks of 200 ms with admission's
  // settling pauses between them (up to 100 ms while connections arrive) averaged out near the
  // threshold: 1 to 12 refusals in four runs of 30 such requests, none in 2 of about 10 CI runs. A
  // sample that holds a 2 s block is one delay of ~2,000 ms against at most ten of 0: a mean far
  // above 100 ms, whatever the pauses.
  const loadAnswers: RestAnswer[] = []
  const loading = (async () => {
    const end = Date.now() + 8000
    while (Date.now() < end) {
      const answer = await postJson(http, '/api/v1.0/predictions', { jsonData: { do: 'busy', ms: 2000 } }, 30_000)
      loadAnswers.push(answer)
      if (answer.status === 503) await sleep(100)
    }
  })()
  const probes: RestAnswer[] = []
  const pings: RestAnswer[] = []
  let loaded = true
  const probing = (async () => {
    const end = Date.now() + 10_000
    while (Date.now() < end && !probes.some(p => p.status === 503)) {
      probes.push(await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[2]] } }, 30_000))
      await sleep(50)
    }
  })()
  const pinging = (async () => {
    // a ping every 100 ms while the load lasts, without waiting for the previous one
    const sent: Array<Promise<void>> = []
    const end = Date.now() + 10_000
    // eslint-disable-next-line no-unmodified-loop-condition -- the load task clears it meanwhile
    while (Date.now() < end && loaded) {
      sent.push(httpRequest(http, { path: '/health/ping', timeout: 30_000 }).then(p => { pings.push(p) }))
      await sleep(100)
    }
    await Promise.all(sent)
  })()
  await loading
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

/**
 * The CLI serving HeapModel with these parameters and `--max-heap-used-bytes`; only the heap is
 * judged (no event-loop threshold, no admission limit: every request of the load is in flight).
 */
async function heapServer (t: Test, maxHeapUsedBytes: number, params: Record<string, number>): Promise<{ cli: Child, request: () => Promise<RestAnswer> }> {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'HeapModel', [
    '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics),
    '--max-heap-used-bytes', String(maxHeapUsedBytes), '--max-event-loop-delay', '0', '--max-concurrent-requests', '0',
    '--parameters', JSON.stringify(Object.entries(params).map(([name, value]) => ({ name, value: String(value), type: 'INT' })))
  ])
  await waitForHttp(http, cli)
  return { cli, request: async () => await postJson(http, '/api/v1.0/predictions', { data: { ndarray: [[1]] } }, 60_000) }
}

/** `clients` clients send requests until `enough` answers are in or `ms` pass; then every answer. */
async function loadUntil (request: () => Promise<RestAnswer>, clients: number, ms: number, enough: (answers: RestAnswer[]) => boolean): Promise<RestAnswer[]> {
  const answers: RestAnswer[] = []
  const end = Date.now() + ms
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end && !enough(answers)) answers.push(await request())
  }))
  return answers
}

/**
 * After the load (every answer in): a request sent every 100 ms until one is served; the time from
 * the end of the load to the sending of the first request served.
 */
async function recovery (request: () => Promise<RestAnswer>): Promise<{ ms: number | undefined, statuses: number[] }> {
  const stopped = performance.now()
  const statuses: number[] = []
  while (performance.now() - stopped < 10_000) {
    const sent = performance.now()
    const answer = await request()
    statuses.push(answer.status)
    if (answer.status === 200) return { ms: sent - stopped, statuses }
    await sleep(100)
  }
  return { ms: undefined, statuses }
}

t.test('a model answering 200,000 floats under --max-heap-used-bytes 150 MB: served within 2 s after the load', async t => {
  // The scenario of the report: the garbage of 20 answers at once lifted the sampled heap past
  // the threshold and a server that only refused stayed at 503 for 30 s to 150 s. Now heavy
  // dispatches take turns (guarantee 12), so the load may or may not be refused; either way the
  // server must serve within 2 s after it. The next test forces the heap over the threshold.
  const { cli, request } = await heapServer(t, 150_000_000, {})
  t.equal((await request()).status, 200, 'served before the load')
  const answers = await loadUntil(request, 20, 8000, () => false)
  t.ok(answers.every(a => a.status === 200 || a.status === 503), `every answer is a 200 or the 503 (${answers.filter(a => a.status === 503).length} of ${answers.length} refused)`)
  const after = await recovery(request)
  t.ok(after.ms !== undefined && after.ms <= 2000, `served again ${after.ms?.toFixed(0) ?? 'never'} ms after the load (statuses meanwhile: ${after.statuses.join(',')})`)
  t.ok(cli.alive(), 'the server is alive')
})

t.test('heap in use past --max-heap-used-bytes: 503 under the load, served again within 2 s after it', async t => {
  // 10 requests in flight hold 16 MB each for 500 ms: ~160 MB in use, over the 100 MB threshold;
  // an idle worker uses 30–50 MB (with the model's own 16 MB), one request in flight 16 MB more
  const { cli, request } = await heapServer(t, 100_000_000, { holdMb: 16, holdMs: 500, answerFloats: 10 })
  t.equal((await request()).status, 200, 'served before the load')
  const answers = await loadUntil(request, 10, 30_000, a => a.filter(x => x.status === 503).length >= 5)
  const refused = answers.filter(a => a.status === 503)
  t.ok(refused.length > 0, `refused under heap pressure (${refused.length} of ${answers.length})`)
  t.ok(answers.every(a => a.status === 200 || a.status === 503), 'every answer is a 200 or the 503')
  const first = refused[0]
  if (first !== undefined) {
    t.equal(envelopeProblem(first), undefined, '503: the envelope')
    t.equal(first.body, OVERLOADED, '503: MICROSERVICE_OVERLOADED')
    t.equal(first.headers['retry-after'], '10', '503: Retry-After: 10')
  }
  const after = await recovery(request)
  t.ok(after.ms !== undefined && after.ms <= 2000, `served again ${after.ms?.toFixed(0) ?? 'never'} ms after the load (statuses meanwhile: ${after.statuses.join(',')})`)
  t.match(cli.stdout(), /heap over --max-heap-used-bytes: refusing with 503/, 'the refusal is logged')
  await poll(() => /heap back under --max-heap-used-bytes: serving/.test(cli.stdout()), 5000, () => 'the recovery is not logged')
  t.ok(cli.alive(), 'the server is alive')
})
