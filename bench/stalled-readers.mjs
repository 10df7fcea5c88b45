#!/usr/bin/env node
// Memory per stalled reader (RELIABILITY.md, guarantee 13): the real CLI (one worker, identity
// model); CONNECTIONS clients each pipeline PIPELINED requests of BODY_BYTES and never read an
// answer. Prints the worker's RSS and heap before and once it stops growing, and the cost per
// connection. Bounded: at most ~40 s.
//   nice node bench/stalled-readers.mjs [connections=50] [bodyBytes=800000] [pipelined=4]
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './lib/ports.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const cli = path.join(here, '..', 'packages', 'microservice', 'bin', 'seldon-microservice.mjs')
const [CONNECTIONS = 50, BODY_BYTES = 800_000, PIPELINED = 4] = process.argv.slice(2).map(Number)
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()]
const primary = spawn(process.execPath, [cli, path.join(here, 'servers', 'identity-model.mjs'),
  '--http-port', String(http), '--grpc-port', String(grpc), '--metrics-port', String(metrics), '--log-level', 'ERROR', '--max-event-loop-delay', '0'],
{ stdio: ['ignore', 'ignore', 'inherit'] })
const sockets = []
try {
  let worker
  for (let i = 0; i < 200 && worker === undefined; i++) {
    await sleep(100)
    try {
      const children = readFileSync(`/proc/${primary.pid}/task/${primary.pid}/children`, 'utf8').trim()
      if (children !== '') worker = Number(children.split(' ')[0])
    } catch {}
  }
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker}/status`, 'utf8'))[1]) / 1024
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise(resolve => {
      const s = net.connect(http, '127.0.0.1', () => { s.end('GET /health/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n') })
      s.on('data', () => { resolve(true); s.destroy() }); s.on('error', () => resolve(false))
    })
    if (ok) break
    await sleep(100)
  }
  await sleep(1000)
  const before = rssMb()

  const values = []
  for (let i = 0; values.length * 9 < BODY_BYTES; i++) values.push(((i % 1000) / 1000 + 0.1).toFixed(6))
  const body = `{"data":{"ndarray":[[${values.join(',')}]]}}`
  const request = `POST /api/v1.0/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  for (let c = 0; c < CONNECTIONS; c++) {
    const s = net.connect(http, '127.0.0.1')
    s.on('error', () => {})
    s.pause() // never read
    for (let i = 0; i < PIPELINED; i++) s.write(request)
    sockets.push(s)
  }
  let last = 0
  let peak = before
  for (let i = 0; i < 60; i++) {
    await sleep(500)
    const now = rssMb()
    peak = Math.max(peak, now)
    if (Math.abs(now - last) < 1 && i > 6) break
    last = now
  }
  const after = rssMb()
  console.log(JSON.stringify({
    connections: CONNECTIONS,
    bodyBytes: body.length,
    pipelined: PIPELINED,
    rssBeforeMb: +before.toFixed(1),
    rssAfterMb: +after.toFixed(1),
    rssPeakMb: +peak.toFixed(1),
    perConnectionMb: +((after - before) / CONNECTIONS).toFixed(2),
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  }))
} finally {
  for (const s of sockets) s.destroy()
  primary.kill('SIGTERM')
}
