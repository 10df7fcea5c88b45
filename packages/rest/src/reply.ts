/**
 * Writing answers the way Flask's `jsonify` does: the number-faithful text plus a trailing newline,
 * `Content-Type: application/json` exactly. We build the bytes ourselves so Fastify never
 * re-serialises (a Buffer is sent as is, and a string would get `; charset=utf-8` appended).
 */
import { stringifyJson } from '@fastify-seldon/protocol'
import type { Answer } from '@fastify-seldon/core'
import type { FastifyReply } from 'fastify'

/** Send JSON text (already rendered) with a status. */
export function sendJsonText (reply: FastifyReply, statusCode: number, text: string | Buffer): FastifyReply {
  return reply.code(statusCode).type('application/json').send(typeof text === 'string' ? Buffer.from(text, 'utf8') : text)
}

/** Render any JSON value as the reference does: `stringifyJson(value) + "\n"`. */
export function jsonText (value: unknown): string {
  return `${stringifyJson(value ?? null)}\n`
}

/**
 * Send a runtime Answer: a message rendered with the codec, or a raw method's string/bytes result
 * (passthrough) written as is.
 */
export function sendAnswer (reply: FastifyReply, answer: Answer): FastifyReply {
  const message = answer.message
  if (answer.verbatim === true && (typeof message === 'string' || Buffer.isBuffer(message))) {
    return sendJsonText(reply, answer.statusCode, message)
  }
  return sendJsonText(reply, answer.statusCode, jsonText(message))
}
