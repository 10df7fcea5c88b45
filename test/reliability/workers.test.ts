/**
 * Workers: the real CLI with `--workers 2`, 40 requests in flight across both (each 1.5 s inside
 * the component), one worker killed with SIGKILL. At most the requests in flight on that worker
 * are lost — every request that had reached the other one is answered — the primary restarts the
 * killed worker, the new one serves, and one scrape of the metrics port counts exactly the
 * requests the live workers answered (the killed worker's counts leave with it).
 */
import t from 'tap'
import {
  freePorts, httpRequest, poll, postJson, startCli, type RestAnswer
} from './helpers.js'

t.setTimeout(90_000)

const COUNT_200 = /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\.0\/predictions",status_code="200"\} (\d+)\n/

function pidOf (answer: RestAnswer): number {
  return (JSON.parse(answer.body) as { jsonData: { pid: number } }).jsonData.pid
}

t.test('--workers 2: killing one loses at most its own in-flight requests; it is restarted; metrics stay consistent', async t => {
  const [http, grpcPort, metrics] = await freePorts(3) as [number, number, number]
  const cli = startCli(t, 'SlowModel', [
    '--http-port', String(http), '--grpc-port', String(grpcPort), '--metrics-port', String(metrics), '--workers', '2',
    '--parameters', JSON.stringify([{ name: 'delayMs', value: '1500', type: 'INT' }, { name: 'announce', value: 'true', type: 'BOOL' }])
  ])
  await cli.waitForOutput(/"msg":"serving SlowModel as MODEL: .*; 2 workers"/, 1, 20_000)

  const served: RestAnswer[] = []
  const send = async (id: number): Promise<RestAnswer | Error> => {
    try {
      const answer = await postJson(http, '/api/v1.0/predictions', { jsonData: { id } }, 20_000)
      if (answer.status === 200) served.push(answer)
      return answer
    } catch (err) {
      return err as Error
    }
  }

  // both workers serve (fresh connections go round robin)
  const warm = await Promise.all(Array.from({ length: 10 }, async (_, i) => await send(i)))
  const pids = new Set(warm.flatMap(a => a instanceof Error || a.status !== 200 ? [] : [pidOf(a)]))
  t.equal(pids.size, 2, `both workers answered (${[...pids].join(', ')})`)

  // 40 in flight, then kill the worker that holds some of them
  const ids = Array.from({ length: 40 }, (_, i) => 100 + i)
  const inFlight = ids.map(async id => await send(id))
  await cli.waitForOutput(/PREDICT_START \d+ 1\d\d\n/, 40, 10_000)
  const startedOn = new Map<number, number>()
  for (const m of cli.stderr().matchAll(/PREDICT_START (\d+) (\d+)\n/g)) startedOn.set(Number(m[2]), Number(m[1]))
  const [victim, survivor] = [...pids] as [number, number]
  const victimIds = ids.filter(id => startedOn.get(id) === victim)
  const survivorIds = ids.filter(id => startedOn.get(id) === survivor)
  t.ok(victimIds.length > 0 && survivorIds.length > 0, `in flight: ${victimIds.length} on the victim ${victim}, ${survivorIds.length} on ${survivor}`)
  t.equal(victimIds.length + survivorIds.length, 40, 'every request is inside one of the two workers')
  process.kill(victim, 'SIGKILL')

  const answers = await Promise.all(inFlight)
  const failed = ids.filter((id, i) => { const a = answers[i]; return a instanceof Error || a === undefined || a.status !== 200 })
  t.same(failed.filter(id => !victimIds.includes(id)), [], 'no request lost but those in flight on the killed worker')
  t.same(survivorIds.filter(id => failed.includes(id)), [], `all ${survivorIds.length} on the survivor answered`)
  answers.forEach((a, i) => {
    if (!(a instanceof Error) && a.status === 200) t.equal((JSON.parse(a.body) as { jsonData: { id: number } }).jsonData.id, ids[i], `request ${ids[i]} got its own answer`)
  })
  t.comment(`lost ${failed.length} of the ${victimIds.length} in flight on the killed worker`)

  // restarted, and the new worker serves
  await cli.waitForOutput(new RegExp(`worker \\d \\(pid ${victim}\\) exited with signal SIGKILL; restarting it in \\d+ ms`), 1, 10_000)
  let replacement: number | undefined
  let tries = 0
  await poll(async () => {
    const a = await send(1000 + tries++)
    if (!(a instanceof Error) && a.status === 200 && pidOf(a) !== survivor && pidOf(a) !== victim) replacement = pidOf(a)
    return replacement !== undefined
  }, 20_000, () => `no answer from a new worker after ${tries} requests`, 0)
  t.pass(`a new worker (pid ${replacement}) serves after ${tries} requests`)
  const after = await Promise.all(Array.from({ length: 10 }, async (_, i) => await send(2000 + i)))
  t.same(after.map(a => a instanceof Error ? a.message : a.status), Array(10).fill(200), 'ten more requests: all served')
  t.same(new Set(after.flatMap(a => a instanceof Error ? [] : [pidOf(a)])), new Set([survivor, replacement]), 'by the survivor and the new worker')

  // one scrape = what the live workers answered (the killed worker's counts left with it)
  const live = served.filter(a => pidOf(a) !== victim).length
  let scraped = -1
  await poll(async () => {
    const scrape = await httpRequest(metrics, { path: '/metrics' })
    scraped = Number(COUNT_200.exec(scrape.body)?.[1] ?? -1)
    return scraped === live
  }, 5000, () => `the scrape counts ${scraped} answered predictions, the live workers answered ${live}`)
  t.equal(scraped, live, `the scrape counts the ${live} predictions the live workers answered`)
  const scrape = await httpRequest(metrics, { path: '/metrics' })
  t.equal(scrape.status, 200, 'the metrics port answers')
  t.notMatch(scrape.body, /status_code="5\d\d"/, 'no 5xx recorded')

  cli.child.kill('SIGTERM')
  t.same(await cli.exited(20_000), { code: 0, signal: null }, 'a clean exit afterwards')
})
