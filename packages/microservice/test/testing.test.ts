import { readFileSync } from 'node:fs'
import net from 'node:net'
import t from 'tap'
import { freePorts } from '../src/testing.js'

t.test('freePorts: distinct, bindable ports below the range outgoing connections use', async t => {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
  const ports = await freePorts(8)
  t.equal(new Set(ports).size, 8, 'distinct')
  for (const port of ports) {
    t.ok(port >= 1024 && port < low, `${port} lies below ${low}`)
    const server = net.createServer()
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve) })
    await new Promise(resolve => server.close(resolve))
  }
})
