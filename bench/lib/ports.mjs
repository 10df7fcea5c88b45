// Servers the benchmarks start in child processes: a free loopback port for each, and the wait
// until a CLI answers its readiness probe.
import { freePorts } from '@fastify-seldon/microservice/testing'

/**
 * A loopback port free at the time of asking, drawn at random below the kernel's ephemeral range
 * (the microservice's test helper): a port 0 listener closed and asked again can be handed out
 * twice, and a CLI given the same port for REST and gRPC refuses to start.
 */
export async function freePort () {
  return (await freePorts(1))[0]
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
