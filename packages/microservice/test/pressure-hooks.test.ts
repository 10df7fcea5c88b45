/**
 * pressure.ts runs @fastify/under-pressure without its `onRequest` hook and makes the same check
 * in the worker's own hook. That is written against @fastify/under-pressure 9.2.0: this test fails
 * when the plugin's hooks change, so an upgrade is looked at before it ships (the version is
 * pinned: test/pinned-plugins.test.ts). The refusals themselves are tested in server.test.ts and
 * test/reliability/overload.test.ts.
 */
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import underPressure from '@fastify/under-pressure'
import { UNDER_PRESSURE_REQUEST_HOOKS } from '../src/pressure.js'

t.test('@fastify/under-pressure adds the dropped request hook and an onClose, nothing else', async t => {
  const app = Fastify()
  t.teardown(async () => { await app.close() })
  const hooks: string[] = []
  const addHook = app.addHook.bind(app) as (...args: unknown[]) => FastifyInstance
  app.addHook = ((name: string, ...rest: unknown[]) => { hooks.push(name); return addHook(name, ...rest) }) as FastifyInstance['addHook']
  await underPressure(app, { maxEventLoopDelay: 1000, maxRssBytes: 2 ** 50, healthCheck: async () => true, healthCheckInterval: 1000 })
  t.same(hooks.filter(name => name !== 'onClose').sort(), [...UNDER_PRESSURE_REQUEST_HOOKS].sort())
  t.ok(hooks.includes('onClose'), 'its timers are stopped on close')
})
