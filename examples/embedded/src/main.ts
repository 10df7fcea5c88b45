/** Start the service: `pnpm start` (PORT, HOST and API_TOKEN from the environment). */
import { buildApp } from './app.js'

const app = await buildApp({ fastify: { logger: true } })
const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'closing')
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}

await app.listen({ port, host })
