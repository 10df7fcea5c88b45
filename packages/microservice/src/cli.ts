#!/usr/bin/env node
/**
 * `seldon-microservice <module> [options]`: the Node analogue of `seldon-core-microservice`.
 * The same file runs as the primary (supervisor, metrics port) and, through node:cluster, as
 * every worker (component, REST, gRPC).
 */
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isSeldonError } from '@fastify-seldon/protocol'
import { parseCommand, USAGE, UsageError, type ParsedCommand } from './options.js'

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function main (): Promise<void> {
  const argv = process.argv.slice(2)
  let command: ParsedCommand
  try {
    command = parseCommand(argv, process.env)
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`seldon-microservice: ${err.message}\n`)
      if (err.exitCode !== 255) process.stderr.write('Run seldon-microservice --help for the options.\n')
      process.exit(err.exitCode)
    }
    if (isSeldonError(err)) {
      process.stderr.write(`seldon-microservice: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  if (command.kind === 'help') { process.stdout.write(`${USAGE}\n`); return }
  if (command.kind === 'version') { process.stdout.write(`${version()}\n`); return }
  if (cluster.isPrimary) {
    const { runPrimary } = await import('./primary.js')
    await runPrimary(command.config, { exec: fileURLToPath(import.meta.url), args: argv })
  } else {
    const { runWorker } = await import('./worker.js')
    await runWorker(command.config, process.env)
  }
}

await main()
