import t from 'tap'
import { fileURLToPath } from 'node:url'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

t.test('served by seldon-microservice --service-type COMBINER', async t => {
  const server = await serve(t, ['src/AverageCombiner.ts', '--service-type', 'COMBINER'])

  const ok = await post(`${server.url}/aggregate`, [{ data: { ndarray: [[1, 0, 0]] } }, { data: { ndarray: [[0.5, 0.5, 0]] } }, { data: { ndarray: [[0, 1, 0]] } }])
  t.equal(ok.status, 200)
  t.equal(ok.body, '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.5,0.5,0.0]]},"meta":{}}\n')

  const bad = await post(`${server.url}/aggregate`, [{ data: { ndarray: [[1, 0, 0]] } }, { data: { ndarray: [[1, 0]] } }])
  t.equal(bad.status, 400)
  t.equal(bad.body, '{"status":{"code":-1,"info":"cannot average child outputs of different shapes: [1,3], [1,2]","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')
})
