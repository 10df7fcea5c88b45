import Fastify, { type FastifyInstance, type FastifyServerOptions, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { PAYLOAD_ENDPOINTS } from '@fastify-seldon/core'
import { mountSeldon, type MountOptions } from '../src/index.js'

export type BuildOptions = Partial<MountOptions> & { prefix?: string }

/** The plugin shape every kind plugin has: mountSeldon on an encapsulated context. */
export async function seldonTestPlugin (instance: FastifyInstance, opts: MountOptions): Promise<void> {
  await mountSeldon(instance, opts)
}

/**
 * An app serving `component` like seldonComponent (every endpoint, CORS on), closed at the end of
 * the test.
 */
export async function build (t: Test, component: object, options: BuildOptions = {}, server: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(server)
  t.teardown(() => app.close())
  const { prefix, ...rest } = options
  await app.register(seldonTestPlugin, { component, endpoints: PAYLOAD_ENDPOINTS, corsDefault: true, ...rest, prefix })
  await app.ready()
  return app
}

export function json (app: FastifyInstance, url: string, body: string, method: 'POST' | 'GET' | 'PUT' = 'POST'): Promise<LightMyRequestResponse> {
  return app.inject({ method, url, payload: body, headers: { 'content-type': 'application/json' } })
}

export function inject (app: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject(options)
}

/** The wrapper's error envelope, byte for byte. */
export function envelope (info: string, reason = 'MICROSERVICE_BAD_DATA'): string {
  return `{"status":{"code":-1,"info":${JSON.stringify(info)},"reason":"${reason}","status":1}}\n`
}

export const BOUNDARY = '----seldonrefboundary7MA4YWxkTrZu0gW'
export const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`

/** A multipart body built by hand like the transcripts' (CRLF line ends). */
export function multipartBody (parts: Array<{ name: string, value: string | Buffer, filename?: string, type?: string }>): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"`
    if (part.filename !== undefined) head += `; filename="${part.filename}"`
    head += '\r\n'
    if (part.type !== undefined) head += `Content-Type: ${part.type}\r\n`
    head += '\r\n'
    chunks.push(Buffer.from(head), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  return Buffer.concat(chunks)
}
