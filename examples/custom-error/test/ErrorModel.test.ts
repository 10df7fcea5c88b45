import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { seldonComponent } from '@fastify-seldon/component'
import ErrorModel, { UserCustomException } from '../src/ErrorModel.js'

async function app (t: Test) {
  const instance = Fastify()
  await instance.register(seldonComponent, { component: new ErrorModel() })
  t.teardown(() => instance.close())
  return instance
}

const predict = async (a: Awaited<ReturnType<typeof app>>, payload: unknown, url = '/api/v1.0/predictions') =>
  await a.inject({ method: 'POST', url, payload: payload as Record<string, unknown> })

t.test('UserCustomException is rendered by the component\'s own handler: 402 and its toDict()', async t => {
  const a = await app(t)
  for (const url of ['/api/v1.0/predictions', '/predict', '/api/v0.1/predictions']) {
    const res = await predict(a, { data: { ndarray: [[-1, 2]] } }, url)
    t.equal(res.statusCode, 402, url)
    t.equal(res.headers['content-type'], 'application/json')
    t.equal(res.body, '{"status":{"app_code":1402,"message":"Test-Error-Msg","status":402}}\n', 'the Python guide\'s body, keys sorted like jsonify')
  }
  const tensor = await predict(a, { data: { tensor: { shape: [1, 2], values: [-0.5, 2] } } })
  t.equal(tensor.statusCode, 402, 'whatever the payload form')
})

t.test('other errors keep the Seldon envelope', async t => {
  const a = await app(t)
  const bug = await predict(a, { data: { ndarray: [[0, 2]] } })
  t.equal(bug.statusCode, 500, 'a plain Error is the model\'s 500')
  t.equal(bug.body, '{"status":{"code":-1,"info":"zero is not allowed","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n')

  const chosen = await predict(a, { strData: 'five' })
  t.equal(chosen.statusCode, 422, 'SeldonMicroserviceError: the status it chose')
  t.equal(chosen.body, '{"status":{"code":-1,"info":"ErrorModel needs numeric features","reason":"MICROSERVICE_BAD_FEATURES","status":1}}\n')

  const notJson = await a.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: 'nope' })
  t.equal(notJson.statusCode, 400, 'the runtime\'s own errors are unchanged')
  t.equal(notJson.body, '{"status":{"code":-1,"info":"Can\'t find JSON in data","reason":"MICROSERVICE_BAD_DATA","status":1}}\n')

  const fine = await predict(a, { data: { ndarray: [[1, 2]] } })
  t.equal(fine.statusCode, 200)
  t.equal(fine.body, '{"data":{"names":["t:0","t:1"],"ndarray":[[1,2]]},"meta":{}}\n', 'positive input: identity')
})

t.test('the exception class', async t => {
  const e = new UserCustomException('gone', 7)
  t.equal(e.statusCode, 404, 'the Python guide\'s default status')
  t.same(e.toDict(), { status: { status: 404, message: 'gone', app_code: 7 } })
  t.type(e, Error)
  t.equal(e.name, 'UserCustomException')
  const handler = new ErrorModel().errorHandlers[0]
  t.same(await handler?.handle(new UserCustomException('m', 1, 418)), { statusCode: 418, body: { status: { status: 418, message: 'm', app_code: 1 } } })
})
