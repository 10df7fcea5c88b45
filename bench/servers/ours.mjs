#!/usr/bin/env node
// Ours over REST, as a user embeds it: a Fastify app with the seldonModel plugin serving the
// identity model (the same Fastify options as the bare route's process).
//   node bench/servers/ours.mjs <httpPort>
import Fastify from 'fastify'
import { serveBench } from './lifecycle.mjs'
import { seldonModel } from '@fastify-seldon/model'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 })
await app.register(seldonModel, { component: new IdentityModel() })
await app.listen({ host: '127.0.0.1', port: httpPort })
serveBench(app)
