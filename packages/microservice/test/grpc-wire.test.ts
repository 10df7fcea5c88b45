/**
 * The CLI over gRPC as Seldon's clients and Prometheus see it: failing calls counted under Go's
 * status spelling (the `grpc_code` label dashboards filter on), and invalid MODEL_METADATA answered
 * INTERNAL as REST answers 500 (COMPATIBILITY.md C-31).
 */
import http2 from 'node:http2'
import t from 'tap'
import { callGrpc, serveCli } from '@fastify-seldon/microservice/testing'
import { fixtures, request } from './helpers.js'

t.test('a failing gRPC call: its status on the wire, its grpc_code label on the metrics port', async t => {
  const server = await serveCli(t, ['EchoModel'], { cwd: fixtures, env: { MODEL_METADATA: '{"name": 1}' } })

  const ok = await callGrpc(server.grpcTarget, 'Model', 'Predict', { strData: 'x' })
  t.equal(ok.status, 'OK')
  t.equal(ok.message?.strData, 'x')

  const bad = await callGrpc(server.grpcTarget, 'Model', 'Predict', {})
  t.equal(bad.status, 'INVALID_ARGUMENT')
  t.equal(bad.details, 'Unknown data in SeldonMessage')
  t.equal(bad.trailers['seldon-http-status'], '400')

  const metadata = await callGrpc(server.grpcTarget, 'Model', 'Metadata', {})
  t.equal(metadata.status, 'INTERNAL', 'invalid MODEL_METADATA: not OK with an empty message')
  t.equal(metadata.details, 'Model metadata unavailable')
  t.equal(metadata.trailers['seldon-reason'], 'MICROSERVICE_BAD_METADATA')
  t.equal(metadata.trailers['seldon-http-status'], '500')
  const rest = await request(`${server.url}/metadata`)
  t.equal(rest.status, 500)
  t.equal(rest.body, '{"status":{"code":-1,"info":"Model metadata unavailable","reason":"MICROSERVICE_BAD_METADATA","status":1}}\n', 'the same answer over REST')

  const scrape = await request(server.metricsUrl)
  t.equal(scrape.status, 200)
  const handled = (code: string, method: string): RegExp =>
    new RegExp(`^seldon_grpc_server_handled_total\\{(?=[^}]*grpc_code="${code}")(?=[^}]*grpc_method="${method}")(?=[^}]*grpc_service="seldon\\.protos\\.Model")[^}]*\\} 1$`, 'm')
  t.match(scrape.body, handled('OK', 'Predict'))
  t.match(scrape.body, handled('InvalidArgument', 'Predict'), 'Go\'s spelling, as go-grpc-prometheus and the Seldon executor label it')
  t.match(scrape.body, handled('Internal', 'Metadata'))
  t.notMatch(scrape.body, /grpc_code="INVALID_ARGUMENT"|grpc_code="INTERNAL"/, 'never the canonical spelling in a label')
})

/** The SETTINGS a client receives from `target` (host:port), and the connection window it is granted. */
async function serverSettings (target: string): Promise<{ streamWindow: number | undefined, connectionWindow: number }> {
  const session = http2.connect(`http://${target}`)
  try {
    await new Promise<void>((resolve, reject) => { session.once('remoteSettings', () => { resolve() }); session.once('error', reject) })
    // the server's WINDOW_UPDATE for the connection follows its SETTINGS: give it a moment to land
    await new Promise(resolve => setTimeout(resolve, 200))
    return { streamWindow: session.remoteSettings.initialWindowSize, connectionWindow: session.state.remoteWindowSize ?? 0 }
  } finally {
    session.destroy()
  }
}

t.test('--grpc-receive-window: 1 MiB per stream and per connection by default; 0 keeps HTTP/2\'s 65535', async t => {
  const [byDefault, off] = await Promise.all([
    serveCli(t, ['EchoModel'], { cwd: fixtures }),
    serveCli(t, ['EchoModel', '--grpc-receive-window', '0'], { cwd: fixtures })
  ])
  t.same(await serverSettings(byDefault.grpcTarget), { streamWindow: 1024 * 1024, connectionWindow: 1024 * 1024 })
  t.same(await serverSettings(off.grpcTarget), { streamWindow: 65_535, connectionWindow: 65_535 })
  // a request larger than HTTP/2's window arrives whole through the larger one
  const big = 'x'.repeat(800_000)
  const echoed = await callGrpc(byDefault.grpcTarget, 'Model', 'Predict', { strData: big })
  t.equal(echoed.status, 'OK')
  t.equal(echoed.message?.strData?.length, big.length)
})
