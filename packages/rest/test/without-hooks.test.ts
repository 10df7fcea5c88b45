/**
 * withoutHooks: the view a plugin is run on drops the named hook kinds only; its decorators and
 * everything else reach the instance itself.
 */
import t from 'tap'
import Fastify from 'fastify'
import { withoutHooks } from '../src/without-hooks.js'

t.test('the named hooks are dropped, the others added; decorators land on the instance', async t => {
  const app = Fastify()
  t.teardown(async () => { await app.close() })
  const ran: string[] = []
  const view = withoutHooks(app, new Set(['onRequest']))
  view.addHook('onRequest', async () => { ran.push('onRequest') })
  view.addHook('preHandler', async () => { ran.push('preHandler') })
  view.decorate('answer', 42)
  view.get('/', async () => 'ok')
  t.equal((app as unknown as { answer: number }).answer, 42)
  t.ok(app.hasDecorator('answer'))
  const res = await app.inject({ url: '/' })
  t.equal(res.body, 'ok')
  t.same(ran, ['preHandler'])
})
