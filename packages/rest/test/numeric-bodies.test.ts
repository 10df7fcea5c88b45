/**
 * Numeric bodies take the bytes → NDArray path (readPayload with decodedArrays; protocol's
 * json-bytes.ts): the answers are the general parser's, byte for byte, bad input gets the same
 * envelope, and a raw method still receives the parsed message (nested arrays, not an NDArray).
 */
import t from 'tap'
import { NotImplementedError } from '@fastify-seldon/core'
import { build, json } from './helper.js'

/** The identity model; the same with a raw method that declines (its requests take the general path); one answering with what it was handed. */
class Identity {
  predict (X: unknown): unknown { return X }
}
class GeneralIdentity extends Identity {
  predictRaw (): never { throw new NotImplementedError() }
}
class RawEcho {
  predictRaw (message: { data?: { ndarray?: unknown, tensor?: { values?: unknown } } }): unknown {
    const data = message.data
    const seen = data?.ndarray ?? data?.tensor?.values
    return { jsonData: { isArray: Array.isArray(seen) }, ...message }
  }
}

const BODIES = [
  '{"data":{"ndarray":[[1.0,2.0,3.0,4.0]]}}',
  '{"data":{"ndarray":[[1,2],[3,4]]}}',
  '{"data":{"ndarray":[1,2.5,-0,-0.0,1e300,1E-7,NaN,Infinity,-Infinity]}}',
  '{"data":{"ndarray":[[[0.1,0.2],[0.30000000000000004,9007199254740993.0]]]}}',
  '{"data":{"tensor":{"shape":[2,2],"values":[1.0,2,3,4]}}}',
  '{"data":{"tensor":{"values":[1,2,3,4],"shape":[4]}}}',
  '{"data":{"tensor":{"shape":[-1],"values":[5,6]}}}',
  // taken by the general path only: the answer must not depend on which path ran
  '{"data":{"names":["a","b"],"ndarray":[[1,2]]}}',
  '{"data":{"ndarray":[12345678901234567890,1]}}'
]
const BAD = [
  '{"data":{"ndarray":[[1,2],[3]]}}',
  '{"data":{"ndarray":[[1,2],3]}}',
  '{"data":{"tensor":{"shape":[3],"values":[1,2]}}}',
  '{"data":{"tensor":{"shape":[2],"values":[[1,2]]}}}',
  '{"data":{"ndarray":[1,2]',
  '{"data":{"ndarray":[1.]}}',
  '{"data":{"ndarray":[1,2.5e]}}'
]

t.test('numeric bodies: the answer of the general parser, bad input its envelope', async t => {
  const fast = await build(t, new Identity())
  const general = await build(t, new GeneralIdentity())
  for (const body of [...BODIES, ...BAD]) {
    const a = await json(fast, '/predict', body)
    const b = await json(general, '/predict', body)
    t.equal(a.statusCode, b.statusCode, `status ${body}`)
    t.equal(a.body, b.body, `answer ${body}`)
  }
  const answer = await json(fast, '/predict', '{"data":{"ndarray":[[1,2],[3,4]]}}')
  t.equal(answer.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2],[3,4]]},"meta":{}}\n', 'ints stay ints')
  const floats = await json(fast, '/predict', '{"data":{"ndarray":[[1.0,2.5]]}}')
  t.equal(floats.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1.0,2.5]]},"meta":{}}\n', '1.0 stays 1.0')
  const ragged = await json(fast, '/predict', '{"data":{"ndarray":[[1,2],[3]]}}')
  t.equal(ragged.statusCode, 400, 'a ragged ndarray is the client\'s mistake')
})

t.test('a raw method is handed the message as parsed', async t => {
  const app = await build(t, new RawEcho())
  const res = await json(app, '/predict', '{"data":{"ndarray":[[1.0,2]]}}')
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"data":{"ndarray":[[1.0,2]]},"jsonData":{"isArray":true}}\n')
})
