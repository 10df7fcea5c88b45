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

/** Resolves once `child` (named `name`) answers 200 on http://127.0.0.1:`port`/health/status; 60 s at most. */
export async function waitForReady (child, port, name) {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/status`)
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} not ready in 60 s`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}
