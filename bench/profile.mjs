#!/usr/bin/env node
// Profile one server under one load: the server runs with --cpu-prof, the load generator in its own
// process, and the profile is summarised (self and total time per function) and folded for flame
// graphs (bench/results/profiles/<name>.folded: flamegraph.pl or speedscope read it; the
// .cpuprofile opens in Chrome DevTools / speedscope as is).
//
//   node bench/profile.mjs <ours|bare> <small|ndarray|tensor> [http|grpc] [seconds]
//   (ours over http is servers/ours.mjs, over grpc servers/ours-grpc.mjs)
//   node bench/profile.mjs --summary file.cpuprofile      (summarise an existing profile)
import { fork } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './lib/ports.mjs'
import { forkLoadGenerator } from './lib/load-generators.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const outDir = path.join(here, 'results', 'profiles')

/** Self and total milliseconds per function, and folded stacks, from a .cpuprofile. */
export function summarise (profile, top = 25) {
  const nodes = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const dt = new Map()
  const { samples, timeDeltas } = profile
  for (let i = 0; i < samples.length; i++) dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0))
  const name = n => {
    const f = n.callFrame
    const file = f.url ? f.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/.*\/packages\//, 'packages/') : ''
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`
  }
  const self = new Map()
  const total = new Map()
  const folded = new Map()
  let all = 0
  for (const [id, us] of dt) {
    all += us
    const stack = []
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(nodes.get(cur))
    const leaf = name(stack[0])
    self.set(leaf, (self.get(leaf) ?? 0) + us)
    const seen = new Set()
    for (const n of stack) {
      const k = name(n)
      if (seen.has(k)) continue
      seen.add(k)
      total.set(k, (total.get(k) ?? 0) + us)
    }
    const key = stack.reverse().map(n => (n.callFrame.functionName || '(anonymous)').replace(/;/g, ':')).join(';')
    folded.set(key, (folded.get(key) ?? 0) + us)
  }
  const fmt = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, us]) => `${(us / all * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`).join('\n')
  return {
    text: `total sampled ${(all / 1000).toFixed(0)} ms\n\nself time:\n${fmt(self)}\n\ntotal time (inclusive):\n${fmt(total)}\n`,
    folded: [...folded].map(([k, us]) => `${k} ${Math.round(us)}`).join('\n') + '\n'
  }
}

async function main () {
  if (process.argv[2] === '--summary') {
    const s = summarise(JSON.parse(readFileSync(process.argv[3], 'utf8')), Number(process.argv[4] ?? 30))
    console.log(s.text)
    return
  }
  const [server = 'ours', payload = 'small', kind = 'http', seconds = '10'] = process.argv.slice(2)
  const name = `${server}-${payload}-${kind}`
  mkdirSync(outDir, { recursive: true })
  const tmp = path.join(outDir, `tmp-${process.pid}`)
  mkdirSync(tmp, { recursive: true })
  const args = [await freePort(), await freePort()]
  const script = server === 'ours' && kind === 'grpc' ? 'ours-grpc.mjs' : `${server}.mjs`
  const child = fork(path.join(here, 'servers', script), args.map(String), {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${tmp}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const ready = await new Promise((resolve, reject) => {
    child.once('exit', code => reject(new Error(`server exited ${code}`)))
    child.on('message', m => { if (m?.ready) resolve(m) })
  })
  const job = kind === 'grpc'
    ? { target: `127.0.0.1:${ready.grpc}`, payload, concurrency: 16, channels: 16, duration: Number(seconds) }
    : { url: `http://127.0.0.1:${ready.http}/predict`, payload, connections: 16, duration: Number(seconds) }
  const loader = forkLoadGenerator(kind === 'grpc' ? 'grpc' : 'http')
  const result = await new Promise(resolve => { loader.on('message', resolve); loader.send(job) })
  console.log(`${name}: ${result.rps.toFixed(0)} req/s p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms errors ${result.errors} non2xx ${result.non2xx}`)
  child.removeAllListeners('exit')
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  const file = readdirSync(tmp).find(f => f.endsWith('.cpuprofile'))
  const profileText = readFileSync(path.join(tmp, file), 'utf8')
  rmSync(tmp, { recursive: true, force: true })
  writeFileSync(path.join(outDir, `${name}.cpuprofile`), profileText)
  const s = summarise(JSON.parse(profileText))
  writeFileSync(path.join(outDir, `${name}.folded`), s.folded)
  writeFileSync(path.join(outDir, `${name}.txt`), `${name}: ${result.rps.toFixed(0)} req/s\n\n${s.text}`)
  console.log(s.text)
  console.log(`profile: bench/results/profiles/${name}.cpuprofile (.folded, .txt)`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
