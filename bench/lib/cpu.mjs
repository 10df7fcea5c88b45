// CPU time of a server under load, read from /proc (Linux): what the benchmarks quote per request,
// because on these shared 2-core machines it is steadier than req/s.
import { readdirSync, readFileSync } from 'node:fs'

const CLOCK_TICKS = 100 // USER_HZ on Linux

/** CPU time (µs, user + system) used so far by a process and its descendants (a CLI's workers). */
export function cpuMicros (pid) {
  const { user, system } = cpuSplitMicros(pid)
  return user + system
}

/** The same, as user and system time apart (a server's system time is mostly its socket writes). */
export function cpuSplitMicros (pid) {
  let user = 0
  let system = 0
  const visit = (p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      user += Number(fields[11]) * (1e6 / CLOCK_TICKS)
      system += Number(fields[12]) * (1e6 / CLOCK_TICKS)
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim()
        if (kids !== '') for (const kid of kids.split(' ')) visit(Number(kid))
      }
    } catch {}
  }
  visit(pid)
  return { user, system }
}
