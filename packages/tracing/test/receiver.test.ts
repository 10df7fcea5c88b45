/** The test receiver itself: what it refuses, and the JSON encodings of ids it reads. */
import t from 'tap'
import { decodeExportRequest, startOtlpReceiver } from '../src/testing.js'

t.test('other paths are 404, undecodable bodies 400, and neither is kept', async t => {
  const receiver = await startOtlpReceiver()
  t.teardown(() => receiver.close())
  t.equal((await fetch(`${receiver.url}/v1/metrics`, { method: 'POST', body: '{}' })).status, 404)
  t.equal((await fetch(`${receiver.url}/v1/traces`)).status, 404)
  t.equal((await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status, 400)
  t.same(receiver.requests, [])
  await t.rejects(receiver.waitForSpans(s => s.length > 0, 50), /condition not met within 50 ms/)
})

t.test('ids as hex (the JS exporter) or base64 (proto3 JSON), attribute kinds, status', async t => {
  const body = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'm' } }] },
      scopeSpans: [{
        scope: { name: 's' },
        spans: [
          { traceId: 'AAECAwQFBgcICQoLDA0ODw==', spanId: 'AAECAwQFBgc=', name: 'b64', kind: 2, status: { code: 2, message: 'bad' } },
          {
            traceId: '0102030405060708090a0b0c0d0e0f10',
            spanId: '0102030405060708',
            parentSpanId: '0000000000000000',
            name: 'hex',
            attributes: [
              { key: 'i', value: { intValue: '42' } }, { key: 'd', value: { doubleValue: 0.5 } }, { key: 'b', value: { boolValue: true } },
              { key: 'y', value: { bytesValue: 'AQI=' } }, { key: 'none', value: {} }, { key: 'missing' }
            ],
            events: [{ name: 'exception' }]
          }
        ]
      }]
    }]
  }
  const [b64, hex] = decodeExportRequest(Buffer.from(JSON.stringify(body)), 'application/json')
  t.match(b64, { traceId: '000102030405060708090a0b0c0d0e0f', spanId: '0001020304050607', name: 'b64', kind: 2, status: { code: 2, message: 'bad' }, resource: { 'service.name': 'm' }, scope: 's' })
  t.match(hex, { parentSpanId: undefined, attributes: { i: 42, d: 0.5, b: true, y: '0102', none: '', missing: '' }, events: ['exception'], status: { code: 0 } })
})
