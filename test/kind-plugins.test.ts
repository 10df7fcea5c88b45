/**
 * The same transcripts, replayed against the à-la-carte plugins composed the way a user embeds
 * them — `seldonModel` + `seldonFeedback`, `seldonRouter` + `seldonFeedback`, `seldonCombiner`,
 * `seldonTransformer` — under a prefix (`/svc`), with `cors: true` (the single-kind plugins have
 * CORS off by default). The plugins of one suite share the component object, so they share its
 * runtime and state, as the wrapper's single Python object does.
 *
 * A case whose path the composition serves must answer exactly as recorded (or as documented in
 * DEVIATIONS); a case whose path it does not serve (e.g. `/route` on a model) must be the Seldon
 * 404 envelope under the prefix.
 */
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { seldonCombiner } from '@fastify-seldon/combiner'
import { seldonFeedback } from '@fastify-seldon/feedback'
import { seldonModel } from '@fastify-seldon/model'
import { seldonRouter } from '@fastify-seldon/router'
import { seldonTransformer } from '@fastify-seldon/transformer'
import { suiteComponents } from '@fastify-seldon/test-models'
import {
  DEVIATIONS, OUT_OF_SCOPE, check, envelope, fixture, injectOptions, replayDeviation, replayExact, writeMismatchReport, type RestCase
} from './replay-helpers.js'

const PREFIX = '/svc'

/** The wrapper's route table (docs/wrapper-behaviour.md, "REST endpoints"), per endpoint. */
const PATHS = {
  predict: ['/predict', '/api/v1.0/predictions', '/api/v0.1/predictions'],
  sendFeedback: ['/send-feedback', '/api/v1.0/feedback', '/api/v0.1/feedback'],
  transformInput: ['/transform-input'],
  transformOutput: ['/transform-output'],
  route: ['/route'],
  aggregate: ['/aggregate'],
  health: ['/health/ping', '/health/status', '/api/v1.0/health/status', '/metadata', '/api/v1.0/metadata', '/seldon.json']
} as const

type Endpoint = keyof typeof PATHS

interface Composition {
  serves: Endpoint[]
  mount: (app: FastifyInstance, component: any) => Promise<void>
}

const common = { prefix: PREFIX, cors: true }

const COMPOSITIONS: Record<string, Composition> = {
  identity: {
    serves: ['predict', 'sendFeedback', 'health'],
    mount: async (app, component) => {
      await app.register(seldonModel, { component, ...common })
      await app.register(seldonFeedback, { component, ...common })
    }
  },
  rich: {
    serves: ['predict', 'health'],
    mount: async (app, component) => { await app.register(seldonModel, { component, ...common }) }
  },
  router: {
    serves: ['route', 'sendFeedback', 'health'],
    mount: async (app, component) => {
      await app.register(seldonRouter, { component, ...common })
      await app.register(seldonFeedback, { component, ...common })
    }
  },
  combiner: {
    serves: ['aggregate', 'health'],
    mount: async (app, component) => { await app.register(seldonCombiner, { component, ...common }) }
  },
  transformer: {
    serves: ['transformInput', 'transformOutput', 'health'],
    mount: async (app, component) => { await app.register(seldonTransformer, { component, ...common }) }
  },
  error: {
    serves: ['predict', 'health'],
    mount: async (app, component) => { await app.register(seldonModel, { component, ...common }) }
  },
  feedback: {
    serves: ['predict', 'sendFeedback', 'health'],
    mount: async (app, component) => {
      await app.register(seldonModel, { component, ...common })
      await app.register(seldonFeedback, { component, ...common })
    }
  }
}

function pathOf (c: RestCase): string {
  const q = c.request.url.indexOf('?')
  return q < 0 ? c.request.url : c.request.url.slice(0, q)
}

for (const suite of fixture.suites) {
  t.test(`${suite.name} via the kind plugins under ${PREFIX}`, async t => {
    const composition = COMPOSITIONS[suite.name]
    const make = suiteComponents[suite.name]
    if (composition === undefined || make === undefined) throw new Error(`no composition for suite ${suite.name}`)
    const served = new Set<string>(composition.serves.flatMap(e => PATHS[e]))
    const app = Fastify()
    t.teardown(() => app.close())
    await composition.mount(app, make())
    await app.ready()

    for (const c of suite.cases) {
      const name = `${c.id} ${c.title}`
      if (OUT_OF_SCOPE[c.id] !== undefined) {
        t.comment(`${name}: ${OUT_OF_SCOPE[c.id]}`)
        continue
      }
      const deviation = DEVIATIONS[c.id]
      if (deviation !== undefined) {
        await t.test(`${name} [deviation ${deviation.compat}]`, async t => { await replayDeviation(t, app, c, deviation, PREFIX) })
      } else if (served.has(pathOf(c))) {
        await t.test(name, async t => { await replayExact(t, app, c, PREFIX) })
      } else {
        await t.test(`${name} [not served by ${composition.serves.join(' + ')}: Seldon 404]`, async t => {
          const res = await app.inject(injectOptions(c, PREFIX))
          check(t, c.id, 'status', res.statusCode, 404)
          check(t, c.id, 'Content-Type', res.headers['content-type'], 'application/json')
          check(t, c.id, 'body', res.body, envelope('MICROSERVICE_BAD_DATA', `Not Found: ${c.request.method} ${PREFIX}${pathOf(c)}`))
        })
      }
    }
  })
}

t.teardown(() => { writeMismatchReport('kind-plugins') })
