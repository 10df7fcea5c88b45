// Servers the benchmarks start in child processes: a free loopback port for each, and the wait
// until a CLI answers its readiness probe.
import net from 'node:net'

/** A loopback port free at the time of asking. */
export function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Resolves once `child` (named `name`) answers 200 on http://127.0.0.1:`port`/health/status, within
 * `timeoutMs`; `hint` is added to the error saying it exited (where its log is).
 */
export async function waitForReady (child, port, name, { timeoutMs = 60_000, hint = '' } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}${hint}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/status`)
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} not ready in ${timeoutMs / 1000} s`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}
