/**
 * Protobuf codec for seldon.protos (PLACEHOLDER signatures; the real codec replaces this file's body).
 */
import type { Feedback, SeldonMessage, SeldonMessageList, SeldonModelMetadata, SeldonGraphMetadata, SeldonModelMetadataRequest } from '../types.js'

const todo = (): never => { throw new Error('protobuf codec not built yet') }

export function decodeSeldonMessage (_buf: Uint8Array): SeldonMessage { return todo() }
export function encodeSeldonMessage (_msg: SeldonMessage): Uint8Array { return todo() }
export function decodeSeldonMessageList (_buf: Uint8Array): SeldonMessageList { return todo() }
export function encodeSeldonMessageList (_msg: SeldonMessageList): Uint8Array { return todo() }
export function decodeFeedback (_buf: Uint8Array): Feedback { return todo() }
export function encodeFeedback (_msg: Feedback): Uint8Array { return todo() }
export function decodeSeldonModelMetadataRequest (_buf: Uint8Array): SeldonModelMetadataRequest { return todo() }
export function encodeSeldonModelMetadata (_msg: SeldonModelMetadata): Uint8Array { return todo() }
export function decodeSeldonModelMetadata (_buf: Uint8Array): SeldonModelMetadata { return todo() }
export function encodeSeldonGraphMetadata (_msg: SeldonGraphMetadata): Uint8Array { return todo() }
/** Strict proto3-JSON → Feedback message form (unknown field → InvalidFeedbackError); numbers as the proto has them (doubles/float32). */
export function feedbackFromJson (_value: unknown): Feedback { return todo() }
/** Strict proto3-JSON → SeldonMessage message form with protobuf's number semantics (ListValue numbers are doubles). */
export function messageFromJson (_value: unknown): SeldonMessage { return todo() }
