/**
 * The fixture generator (fixtures/extract.mjs) on a small transcript written here, in the format of
 * the recording (fixtures/README.md): the committed JSON is only as good as its reading of that
 * format, and the recording itself is not in the repository.
 */
import t from 'tap'
import { buildFixture, extractRestTranscripts } from './fixtures/extract.mjs'

const FENCE = '```'
const sample = (contentLength: number): string => [
  '## identity — `IdentityModel` (MODEL)',
  '',
  'started with: `seldon-core-microservice IdentityModel --service-type MODEL`',
  '',
  '### identity.1 predict ndarray',
  '',
  '`POST /predict`  ',
  '`Content-Type: application/json`',
  FENCE,
  '{"data":{"ndarray":[[1,2]]}}',
  FENCE,
  '→ **200 OK**  ',
  '`Content-Type: application/json`  ',
  `\`Content-Length: ${contentLength}\``,
  FENCE,
  '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}',
  '',
  FENCE,
  '',
  '### identity.2 gRPC predict',
  '',
  'gRPC `/seldon.protos.Model/Predict` request (proto3 JSON):',
  '',
  '### identity.3 metrics',
  '',
  '`GET /metrics` (on the metrics port)',
  '→ **200 OK**',
  FENCE,
  '',
  FENCE,
  ''
].join('\n')

t.test('a REST case, a gRPC case listed by id, a metrics-port case', async t => {
  const [suite] = extractRestTranscripts(sample(61))
  t.match(suite, { name: 'identity', className: 'IdentityModel', serviceType: 'MODEL', grpcCases: ['identity.2'] })
  t.equal(suite?.cases.length, 2)
  t.same(suite?.cases[0], {
    id: 'identity.1',
    title: 'predict ndarray',
    port: 'http',
    request: { method: 'POST', url: '/predict', headers: { 'Content-Type': 'application/json' }, body: '{"data":{"ndarray":[[1,2]]}}', bodyEncoding: 'utf8' },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [['Content-Type', 'application/json'], ['Content-Length', '61']],
      body: '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n',
      bodyEncoding: 'utf8',
      elided: false,
      trimmed: false
    }
  }, 'the blank line before the closing fence is jsonify\'s trailing newline')
  t.match(suite?.cases[1], { id: 'identity.3', port: 'metrics', response: { status: 200, body: '' } })
})

t.test('a body that disagrees with its Content-Length fails loudly', async t => {
  t.throws(() => extractRestTranscripts(sample(62)), /identity\.1: body is 61 bytes but Content-Length says 62/)
})

t.test('buildFixture names its origin and hashes its input', async t => {
  const fixture = buildFixture(sample(61))
  t.match(fixture.comment, /Seldon Core 1\.18\.2's Python wrapper/)
  t.match(fixture.sha256, /^[0-9a-f]{64}$/)
  t.throws(() => extractRestTranscripts('# nothing here\n'), /no suites found/)
})
