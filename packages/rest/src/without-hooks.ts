/**
 * A Fastify instance as seen by a third-party plugin whose per-request hooks of some kinds are not
 * wanted. Each hook of a context runs on every request of it, and a few plugins add hooks that the
 * Seldon servers do not need or replace with a cheaper check of their own: @fastify/multipart's
 * file clean-up (body.ts) and @fastify/under-pressure's check, which reads `request.routeOptions`
 * (a getter building a fresh object) on every request (the CLI's microservice package).
 *
 * The plugin function is called directly with the view: its `addHook` drops the named kinds,
 * `decorate` reaches the instance itself (so `app.hasDecorator` sees the plugin's decorators), and
 * everything else (parsers, request decorators, routes, the other hooks) is the instance's own
 * through the prototype. Callers pin the plugin's version and test the hooks it adds, so that a
 * release moving its work to another hook fails a test instead of being silently dropped.
 */
import type { FastifyInstance } from 'fastify'

type Method = (...args: unknown[]) => FastifyInstance

export function withoutHooks (instance: FastifyInstance, dropped: ReadonlySet<string>): FastifyInstance {
  return Object.create(instance, {
    addHook: {
      value: function addHook (this: FastifyInstance, name: string, ...rest: unknown[]) {
        if (dropped.has(name)) return this
        return (instance.addHook as Method).call(instance, name, ...rest)
      }
    },
    decorate: {
      value: function decorate (this: FastifyInstance, ...args: unknown[]) {
        (instance.decorate as Method).apply(instance, args)
        return this
      }
    }
  }) as FastifyInstance
}
