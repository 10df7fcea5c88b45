/**
 * Replays every gRPC exchange recorded from Seldon Core 1.18.2's Python wrapper
 * (the recorded fixture fixtures/grpc-transcripts.json): the recorded request bytes are sent as they are to a real server
 * (one fresh component per suite, cases in order), and the answer is compared with the recorded one:
 * decoded message forms always, the exact bytes wherever the response has no map entries (map
 * order on the wire is the encoder's choice). Error cases answer with meaning on purpose (the
 * wrapper sends UNKNOWN with an empty or bare message): DEVIATIONS states our answer exactly.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { status as Status } from '@grpc/grpc-js'
import { decodeSeldonMessage, decodeSeldonModelMetadata } from '@fastify-seldon/protocol'
import {
  AverageCombiner, ErrorModel, FeedbackModel, IdentityModel, RichModel, RouterModel, ScaleTransformer,
  hex, plain, rawCall, serve
} from './fixtures/helpers.js'

interface GrpcCase {
  id: string
  suite: string
  title: string
  path: string
  request: unknown
  requestHex: string
  status: string
  details?: string
  response?: unknown
  responseHex?: string
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/grpc-transcripts.json', import.meta.url), 'utf8')) as {
  cases: GrpcCase[]
  reflection: { id: string, services: string[] }
}

const COMPONENTS: Record<string, () => object> = {
  identity: () => new IdentityModel(),
  rich: () => new RichModel({ multiplier: 3 }),
  router: () => new RouterModel(),
  combiner: () => new AverageCombiner(),
  transformer: () => new ScaleTransformer(),
  error: () => new ErrorModel(),
  feedback: () => new FeedbackModel()
}

/** Responses with map entries (Struct, tags, custom...): compared decoded, not byte for byte. */
const HAS_MAPS = new Set(['identity.45', 'identity.47', 'rich.8', 'rich.9'])

/** Our answer where the wrapper's is UNKNOWN: code, details, seldon-reason, seldon-http-status. */
const DEVIATIONS: Record<string, { code: Status, details: string, reason?: string, httpStatus?: string }> = {
  'identity.48': { code: Status.INVALID_ARGUMENT, details: 'Unknown data in SeldonMessage', reason: 'MICROSERVICE_BAD_DATA', httpStatus: '400' },
  'identity.52': { code: Status.UNIMPLEMENTED, details: 'GraphMetadata not available on the Model level.', reason: 'MICROSERVICE_BAD_DATA', httpStatus: '501' },
  // rendered by the component's errorHandlers entry (402 on REST, error.2): the code of that status
  'error.4': { code: Status.INVALID_ARGUMENT, details: 'Test-Error-Msg', reason: 'MICROSERVICE_BAD_DATA', httpStatus: '402' },
  'error.5': { code: Status.INTERNAL, details: 'zero is not allowed', reason: 'MICROSERVICE_INTERNAL_ERROR', httpStatus: '500' }
}

/** proto3 JSON of the recorded answer vs our decoded message form: same numbers, same keys. */
function expectedForm (json: unknown): unknown {
  return JSON.parse(JSON.stringify(json))
}

const suites = [...new Set(fixture.cases.map(c => c.suite))]

t.test('every recorded gRPC case is replayed', async t => {
  t.equal(fixture.cases.length, 25)
  for (const id of Object.keys(DEVIATIONS)) t.ok(fixture.cases.some(c => c.id === id && c.status !== 'OK'), `${id} is an error case`)
  for (const c of fixture.cases) if (c.status !== 'OK') t.ok(DEVIATIONS[c.id], `${c.id} has a stated answer`)
  for (const s of suites) t.ok(COMPONENTS[s], `suite ${s} has a component`)
})

for (const suite of suites) {
  t.test(`suite ${suite}`, async t => {
    const server = await serve((COMPONENTS[suite] as () => object)())
    t.teardown(server.close)
    for (const c of fixture.cases.filter(x => x.suite === suite)) {
      await t.test(`${c.id} ${c.title}`, async t => {
        const result = await rawCall(server.client, c.path, hex(c.requestHex || '(empty)'))
        const deviation = DEVIATIONS[c.id]
        if (deviation !== undefined) {
          t.ok(result.error, 'fails')
          t.equal(result.error?.code, deviation.code, `code ${Status[deviation.code]}`)
          t.equal(result.error?.details, deviation.details)
          t.same(result.error?.metadata.get('seldon-reason'), [deviation.reason])
          t.same(result.error?.metadata.get('seldon-http-status'), [deviation.httpStatus])
          return
        }
        t.equal(result.error, undefined, 'OK')
        const bytes = result.bytes as Buffer
        const expectedBytes = hex(c.responseHex ?? '')
        const isMetadata = c.path.endsWith('/Metadata') || c.path.endsWith('/ModelMetadata')
        const decode = isMetadata ? decodeSeldonModelMetadata : decodeSeldonMessage
        t.same(plain(decode(bytes)), plain(decode(expectedBytes)), 'decodes to the recorded message')
        t.same(plain(decode(bytes)), expectedForm(c.response), 'matches the recorded proto3 JSON')
        if (!HAS_MAPS.has(c.id)) t.equal(bytes.toString('hex'), expectedBytes.toString('hex'), 'same bytes')
        else t.equal(bytes.length, expectedBytes.length, 'same size (map entries may come in another order)')
      })
    }
  })
}
