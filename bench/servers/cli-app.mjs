#!/usr/bin/env node
// The CLI's worker app without the CLI's processes: buildServer (metrics, under-pressure, limits,
// admission, CORS, the logger, gRPC beside on a free port) with the CLI's defaults, served from this
// one process, as `kind=cli-app` of bench/paired.mjs. Beside `ours` (the plugin) and `cli` (the
// real CLI: a primary and a cluster worker started with its node flags) it tells what the app adds
// from what the process arrangement adds.
//   node bench/servers/cli-app.mjs <httpPort>
import { buildServer, DEFAULTS } from '@fastify-seldon/microservice'
import { serveBench } from './lifecycle.mjs'
import IdentityModel from './identity-model.mjs'

const httpPort = Number(process.argv[2] ?? 0)
const config = {
  ...DEFAULTS,
  host: '127.0.0.1',
  grpcEnabled: true,
  grpcPort: 0,
  logLevel: 'warn',
  gracePeriodMs: 1000,
  bodyLimit: 64 * 1024 * 1024
}
const app = await buildServer(new IdentityModel(), config, { env: {} })
await app.listen({ host: '127.0.0.1', port: httpPort })
serveBench(app)
