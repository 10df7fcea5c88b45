/**
 * Writing answers the way Flask's `jsonify` does: the number-faithful text plus a trailing newline,
 * `Content-Type: application/json` exactly. We render the text ourselves so Fastify never
 * re-serialises: the reply gets a pass-through serializer, so Fastify sends the string as it is and
 * leaves the content type alone (a plain string send would get `; charset=utf-8` appended). A
 * small text goes as a string (Node writes headers and body in one go, no Buffer to make), a large
 * one as a Buffer (see LARGE_TEXT).
 */
import { jsonResponseText } from '@fastify-seldon/protocol'
import type { Answer } from '@fastify-seldon/core'
import type { FastifyReply } from 'fastify'

/** The serializer of our replies: the payload is already the JSON text. */
function asIs (text: unknown): string {
  return text as string
}

/**
 * From this length on a text is sent as a Buffer: Node writes a string body by joining it to the
 * headers and encoding the result (two copies of a large body), a Buffer is written as is next to
 * the headers.
 */
const LARGE_TEXT = 16 * 1024

/**
 * Send JSON text (already rendered) with a status. `ascii`: the text is known to be ASCII (the
 * codec escapes everything else), so its bytes are its latin1 encoding, the fastest to make.
 */
export function sendJsonText (reply: FastifyReply, statusCode: number, text: string | Buffer, ascii = false): FastifyReply {
  reply.code(statusCode).header('content-type', 'application/json')
  if (typeof text !== 'string') return reply.send(text)
  if (text.length >= LARGE_TEXT) return reply.send(Buffer.from(text, ascii ? 'latin1' : 'utf8'))
  return reply.serializer(asIs).send(text)
}

/**
 * Send a runtime Answer: a message rendered with the codec, a raw method's string/bytes result
 * (passthrough) written as is, or an answer an inference thread already rendered.
 */
export function sendAnswer (reply: FastifyReply, answer: Answer): FastifyReply {
  const encoded = answer.encoded
  if (encoded !== undefined) {
    // Rendered in an inference thread: its text, or its bytes (moved here, written as they are).
    return sendJsonText(reply, answer.statusCode, typeof encoded === 'string' ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength))
  }
  const message = answer.message
  if (answer.verbatim === true && (typeof message === 'string' || Buffer.isBuffer(message))) {
    return sendJsonText(reply, answer.statusCode, message)
  }
  return sendJsonText(reply, answer.statusCode, jsonResponseText(message), true)
}
