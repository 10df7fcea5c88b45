// What every bench server process does once listening: tell the bench its port, stop on
// SIGTERM/SIGINT, and answer memory questions over IPC (never through the server under test).
import v8 from 'node:v8'

export function serveBench (app) {
  process.send?.({ ready: true, http: app.server.address().port })
  const stop = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.on('message', (m) => {
    if (m?.memory !== true) return
    if (m.gc === true) globalThis.gc?.()
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map(s => [s.space_name, s.space_size]))
    process.send({ memory: { ...process.memoryUsage(), newSpace: spaces.new_space, oldSpace: spaces.old_space } })
  })
}
