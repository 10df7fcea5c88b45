import t from 'tap'
import { fileURLToPath } from 'node:url'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

t.test('both transformers served by seldon-microservice, parameters from the environment', async t => {
  const [input, output] = await Promise.all([
    serve(t, ['src/StandardScaler.ts', '--service-type', 'TRANSFORMER'], {
      PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([
        { name: 'means', value: '1,2', type: 'STRING' },
        { name: 'stds', value: '0.5,4', type: 'STRING' }
      ])
    }),
    serve(t, ['src/ProbabilityLabeler.ts', '--service-type', 'OUTPUT_TRANSFORMER'], {
      PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([{ name: 'labels', value: 'cat,dog', type: 'STRING' }, { name: 'digits', value: '2', type: 'INT' }])
    })
  ])

  const scaled = await post(`${input.url}/transform-input`, { data: { ndarray: [[2, 2], [1, 10]] } })
  t.equal(scaled.status, 200)
  t.equal(scaled.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[2.0,0.0],[0.0,2.0]]},"meta":{}}\n')

  const labelled = await post(`${output.url}/transform-output`, { data: { ndarray: [[0.333, 0.667]] } })
  t.equal(labelled.status, 200)
  t.equal(labelled.body, '{"jsonData":{"predictions":[{"confidence":0.67,"label":"dog"}]},"meta":{}}\n')

  const bad = await post(`${input.url}/transform-input`, { data: { ndarray: [[1, 2, 3]] } })
  t.equal(bad.status, 400)
  t.match(JSON.parse(bad.body), { status: { info: 'expected rows of 2 numeric features, got shape [1,3] of int64' } })
})
