/**
 * body.ts runs @fastify/multipart's plugin on a view of the instance that drops the plugin's
 * `onRequest` and `onResponse` hooks (they only clean up saveRequestFiles()' temporary files, which
 * we never call). That is written against @fastify/multipart 10.1.9: this test fails when the
 * plugin adds other hooks or stops adding those, so an upgrade is looked at before it ships (the
 * version is pinned: test/pinned-plugins.test.ts).
 */
import t from 'tap'
import Fastify, { type FastifyInstance, type FastifyPluginCallback } from 'fastify'
import multipart, { type FastifyMultipartOptions } from '@fastify/multipart'
import { MULTIPART_CLEANUP_HOOKS } from '../src/body.js'

t.test('@fastify/multipart adds exactly the hooks body.ts drops', async t => {
  const app = Fastify()
  t.teardown(async () => { await app.close() })
  const added: string[] = []
  const view: FastifyInstance = Object.create(app, {
    addHook: {
      value: function addHook (name: string, ...rest: unknown[]) {
        added.push(name)
        return (app.addHook as (...args: unknown[]) => FastifyInstance)(name, ...rest)
      }
    }
  })
  let failure: unknown
  ;(multipart as unknown as FastifyPluginCallback<FastifyMultipartOptions>)(view, {}, (err?: Error) => { failure = err })
  t.equal(failure, undefined, 'the plugin registers synchronously')
  t.same(added.sort(), [...MULTIPART_CLEANUP_HOOKS].sort())
})
