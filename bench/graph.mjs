#!/usr/bin/env node
// Graph benchmark (issue 16): a 3-node chain (input transformer → model → output transformer)
// served by @fastify-seldon/graph with every node in-process, beside the single model plugin on
// the same model (the floor a graph is compared with) and the same chain with every node a remote
// REST microservice on loopback. Side by side in one run, alternating rounds; bounded: ROUNDS
// rounds of SECONDS s per contender, CONNECTIONS connections.
//
//   nice node bench/graph.mjs            # ROUNDS=3 SECONDS=3 CONNECTIONS=10
//
// The servers run in child processes (`--serve`), the load generator (autocannon) here: the graph
// and the model plugin in one child, the remote nodes in another.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 3)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10)
const BODY = '{"data":{"names":["a","b","c","d"],"ndarray":[[5.1,3.5,1.4,0.2]]}}'

class Centre { transformInput (X) { return X.map(v => v - 1) } }
class Model { predict (X) { return X.map(v => v * 2) } }
class Label { transformOutput (X) { return X } tags () { return { labelled: true } } }

const chain = endpoints => ({
  name: 'out',
  type: 'OUTPUT_TRANSFORMER',
  ...(endpoints ? { endpoint: { service_host: '127.0.0.1', type: 'REST', httpPort: endpoints.out } } : {}),
  children: [{
    name: 'in',
    type: 'TRANSFORMER',
    ...(endpoints ? { endpoint: { service_host: '127.0.0.1', type: 'REST', httpPort: endpoints.in } } : {}),
    children: [{ name: 'model', type: 'MODEL', ...(endpoints ? { endpoint: { service_host: '127.0.0.1', type: 'REST', httpPort: endpoints.model } } : {}) }]
  }]
})

async function listen (app) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app.server.address().port
}

async function serve (role, remotePorts) {
  const { default: Fastify } = await import('fastify')
  const { seldonGraph } = await import('@fastify-seldon/graph')
  const { seldonComponent } = await import('@fastify-seldon/component')
  const ports = {}
  if (role === 'nodes') {
    for (const [name, component] of [['in', new Centre()], ['model', new Model()], ['out', new Label()]]) {
      const app = Fastify()
      await app.register(seldonComponent, { component, unitId: name, openapi: false, docs: false })
      ports[name] = await listen(app)
    }
  } else {
    const single = Fastify()
    await single.register(seldonComponent, { component: new Model(), unitId: 'model', openapi: false, docs: false })
    ports.single = await listen(single)
    const local = Fastify()
    await local.register(seldonGraph, { graph: chain(), components: { in: new Centre(), model: new Model(), out: new Label() }, env: {} })
    ports.inProcess = await listen(local)
    const remote = Fastify()
    await remote.register(seldonGraph, { graph: chain(remotePorts), env: {} })
    ports.remote = await listen(remote)
  }
  process.send(ports)
}

function start (role, ports) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', role, JSON.stringify(ports ?? null)], { stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    child.once('message', p => resolve({ child, ports: p }))
    child.once('exit', code => reject(new Error(`${role} server exited ${code}`)))
  })
}

async function load (port, path) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections: CONNECTIONS,
    duration: SECONDS
  })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors on :${port}${path}`)
  return result.requests.average
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3], JSON.parse(process.argv[4]))
} else {
  const nodes = await start('nodes')
  const front = await start('front', nodes.ports)
  const contenders = [
    ['single model plugin (/predict)', front.ports.single, '/predict'],
    ['3-node chain in-process (graph)', front.ports.inProcess, '/api/v1.0/predictions'],
    ['3-node chain, every node remote REST', front.ports.remote, '/api/v1.0/predictions']
  ]
  const samples = contenders.map(() => [])
  try {
    for (const [, port, path] of contenders) await load(port, path) // warm-up (checks every answer is 200)
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, port, path]] of contenders.entries()) samples[i].push(await load(port, path))
    }
  } finally {
    nodes.child.kill()
    front.child.kill()
  }
  const median = list => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const [single, inProcess, remote] = samples.map(median)
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`)
  for (const [i, [name]] of contenders.entries()) console.log(`${name.padEnd(40)} ${median(samples[i]).toFixed(0).padStart(7)} req/s (rounds: ${samples[i].map(n => n.toFixed(0)).join(', ')})`)
  console.log(`in-process chain / single model: ${(inProcess / single).toFixed(2)} (floor 0.7)`)
  console.log(`in-process chain / remote chain: ${(inProcess / remote).toFixed(2)} (floor 5)`)
}
