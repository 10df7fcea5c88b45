// Contenders measured side by side: each round loads every server once, the order rotated from
// round to round so that none always runs first (a busy shared machine drifts during a run); each
// ratio is then taken within a round (BENCHMARKS.md, "Method").
import { readFileSync } from 'node:fs'
import { cpuSplitMicros } from './cpu.mjs'

/** The machine's load average (1, 5, 15 minutes), as BENCHMARKS.md quotes it beside each run. */
export function loadAverage () {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
}

/**
 * `rounds` rounds of `seconds` each over `servers` ({ name, child }), after a warm-up of
 * `warmupSeconds` each; `load(server, seconds)` answers autocannon-like totals ({ rps, requests,
 * non2xx, errors }). A non-2xx or an error fails the run. Returns { [name]: { rps: [], cpu: [] } },
 * the server's CPU per request in µs, one entry per round.
 */
export async function alternatingRounds (servers, { rounds, seconds, warmupSeconds, load }) {
  const results = Object.fromEntries(servers.map(s => [s.name, { rps: [], cpu: [] }]))
  for (const server of servers) await load(server, warmupSeconds)
  for (let round = 0; round < rounds; round++) {
    const order = servers.slice(round % servers.length).concat(servers.slice(0, round % servers.length))
    for (const server of order) {
      const cpu0 = cpuSplitMicros(server.child.pid)
      const r = await load(server, seconds)
      const cpu1 = cpuSplitMicros(server.child.pid)
      const [user, system] = [cpu1.user - cpu0.user, cpu1.system - cpu0.system]
      const cpu = user + system
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${server.name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
      results[server.name].rps.push(r.rps)
      results[server.name].cpu.push(cpu / r.requests)
      process.stderr.write(`round ${round + 1} ${server.name}: ${r.rps.toFixed(0)} req/s, ${(cpu / r.requests).toFixed(1)} µs CPU/req (user ${(user / r.requests).toFixed(1)}, system ${(system / r.requests).toFixed(1)})\n`)
    }
  }
  return results
}
