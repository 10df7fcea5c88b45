#!/usr/bin/env node
// HTTP load generator child: autocannon (programmatic API) against one URL with one body, bounded
// in time (and in count when `amount` is given). Receives its job over IPC, answers the result.
//   { url, payload (or body: the JSON text), connections, pipelining, duration, amount?, rate?, maxSeconds, latencies, progressMs?, headers? }
// `rate`: requests per second over all connections (autocannon's overallRate), instead of as many as answered.
// With progressMs it also sends { progress: <2xx answers so far> } that often.
import autocannon from 'autocannon'
import { jsonBody } from './payloads.mjs'
import { Samples } from './stats.mjs'

process.once('message', async (job) => {
  const body = job.body ?? jsonBody(job.payload)
  const samples = new Samples(job.latencies === false ? 1 : 4_000_000)
  let ok = 0
  const t0 = process.hrtime.bigint()
  const instance = autocannon({
    url: job.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...job.headers },
    body,
    connections: job.connections,
    pipelining: job.pipelining ?? 1,
    duration: job.duration,
    ...(job.amount !== undefined ? { amount: job.amount } : {}),
    ...(job.rate !== undefined ? { overallRate: job.rate } : {}),
    timeout: 30
  }, (err, result) => {
    clearTimeout(guard)
    if (progress) clearInterval(progress)
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    if (err) { process.send({ error: String(err?.stack ?? err) }, () => process.exit(1)); return }
    const [p50, p99] = samples.percentiles(50, 99)
    process.send({
      requests: ok,
      seconds,
      rps: ok / seconds,
      p50,
      p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx
    }, () => process.exit(0))
  })
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) { ok++; samples.add(responseTime) }
  })
  // Progress for the bench (E samples the server's memory against the count reached).
  const progress = job.progressMs ? setInterval(() => { process.send({ progress: ok }) }, job.progressMs) : undefined
  instance.on('done', () => { if (progress) clearInterval(progress) })
  // The hard bound: a count-bounded run stops after maxSeconds whatever it reached.
  const guard = setTimeout(() => { instance.stop() }, (job.maxSeconds ?? job.duration + 30) * 1000)
})
