import t from 'tap'
import { fileURLToPath } from 'node:url'
import { postJson as post, serveCli, type TeardownHost } from '@fastify-seldon/microservice/testing'

const serve = (t: TeardownHost, args: string[], env: Record<string, string> = {}) =>
  serveCli(t, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env })

t.test('served by seldon-microservice: the custom handler over real HTTP', async t => {
  const server = await serve(t, ['src/ErrorModel.ts', '--service-type', 'MODEL'])

  const custom = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[-1, 2]] } })
  t.equal(custom.status, 402)
  t.equal(custom.body, '{"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}\n')

  const bug = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[0, 2]] } })
  t.equal(bug.status, 500)
  t.equal(bug.body, '{"status":{"code":-1,"info":"zero is not allowed","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n')

  const fine = await post(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2]] } })
  t.equal(fine.status, 200)
  t.equal(fine.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n')
})
