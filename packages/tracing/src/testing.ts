/**
 * A small OTLP/HTTP trace receiver for tests (`@fastify-seldon/tracing/testing`): node:http on a
 * loopback port, every POST to /v1/traces kept and answered 200 `{}`, bodies decoded whether the
 * exporter sent `http/json` or `http/protobuf` (gzip too), so a test can assert on what a real
 * exporter, in this process or a spawned CLI, sent. The protobuf is read with a subset of
 * opentelemetry/proto/trace/v1/trace.proto: only the fields the assertions need.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import protobuf from 'protobufjs'

const TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Scope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  repeated Event events = 11; Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; bytes bytes_value = 7; }
}
message Status { string message = 2; int32 code = 3; }
`

let requestType: protobuf.Type | undefined
function exportRequestType (): protobuf.Type {
  requestType ??= protobuf.parse(TRACE_PROTO, { keepCase: false }).root.lookupType('otlp.ExportTraceServiceRequest')
  return requestType
}

export type AttributeValue = string | number | boolean

/** One span as received, whatever the encoding: ids in hex, kind as OTLP's enum (SERVER = 2, INTERNAL = 1). */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** Undefined for a root span. */
  parentSpanId: string | undefined
  name: string
  kind: number
  attributes: Record<string, AttributeValue>
  /** Event names (an `exception` event per recorded exception). */
  events: string[]
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  status: { code: number, message?: string }
  resource: Record<string, AttributeValue>
  scope: string | undefined
}

export interface ReceivedRequest {
  path: string
  contentType: string
  contentEncoding: string | undefined
  spans: ReceivedSpan[]
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: OTEL_EXPORTER_OTLP_ENDPOINT (exporters add /v1/traces). */
  readonly url: string
  readonly port: number
  /** Every export request, in arrival order. */
  readonly requests: ReceivedRequest[]
  /** Every span received so far. */
  spans: () => ReceivedSpan[]
  /** Resolves with all spans once `until(spans)` holds; rejects after `timeoutMs` (default 5 s). */
  waitForSpans: (until: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number) => Promise<ReceivedSpan[]>
  close: () => Promise<void>
}

function hex (value: unknown): string {
  if (typeof value === 'string') {
    // JSON: hex already (the JS exporter), or base64 (the proto3 JSON mapping of bytes).
    return /^[0-9a-f]*$/i.test(value) ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex')
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex')
  return ''
}

interface RawKeyValue { key?: string, value?: Record<string, unknown> }

function anyValue (value: Record<string, unknown> | undefined): AttributeValue {
  if (value === undefined) return ''
  if (value.stringValue !== undefined) return String(value.stringValue)
  if (value.boolValue !== undefined) return Boolean(value.boolValue)
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return Number(value.doubleValue)
  if (value.bytesValue !== undefined) return hex(value.bytesValue)
  return ''
}

function attributes (list: RawKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {}
  for (const kv of list ?? []) if (kv.key !== undefined) out[kv.key] = anyValue(kv.value)
  return out
}

interface RawSpan {
  traceId?: unknown
  spanId?: unknown
  parentSpanId?: unknown
  name?: string
  kind?: number
  attributes?: RawKeyValue[]
  events?: Array<{ name?: string }>
  status?: { code?: number, message?: string }
}
interface RawRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: RawKeyValue[] }
    scopeSpans?: Array<{ scope?: { name?: string }, spans?: RawSpan[] }>
  }>
}

/** An ExportTraceServiceRequest (as protobufjs's toObject or the OTLP JSON gives it) flattened. */
function flatten (request: RawRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = []
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes)
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const parent = hex(span.parentSpanId)
        const status: ReceivedSpan['status'] = { code: Number(span.status?.code ?? 0) }
        if (span.status?.message !== undefined && span.status.message !== '') status.message = span.status.message
        out.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: parent === '' || /^0+$/.test(parent) ? undefined : parent,
          name: span.name ?? '',
          kind: Number(span.kind ?? 0),
          attributes: attributes(span.attributes),
          events: (span.events ?? []).map(e => e.name ?? ''),
          status,
          resource,
          scope: ss.scope?.name
        })
      }
    }
  }
  return out
}

/** A request body as spans: JSON or protobuf by content type, gunzipped first when compressed. */
export function decodeExportRequest (body: Buffer, contentType: string, contentEncoding?: string): ReceivedSpan[] {
  const bytes = contentEncoding === 'gzip' ? gunzipSync(body) : body
  if (contentType.includes('json')) return flatten(JSON.parse(bytes.toString('utf8')) as RawRequest)
  const type = exportRequestType()
  const decoded = type.toObject(type.decode(bytes), { longs: String, bytes: Buffer, defaults: false }) as RawRequest
  return flatten(decoded)
}

function readBody (request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

/** Starts a receiver on `127.0.0.1:0` (or `host`). Close it in the test's teardown. */
export async function startOtlpReceiver (options: { host?: string } = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1'
  const requests: ReceivedRequest[] = []
  const waiters = new Set<() => void>()

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request)
    const path = (request.url ?? '').split('?')[0] ?? ''
    if (request.method !== 'POST' || path !== '/v1/traces') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{}')
      return
    }
    const contentType = request.headers['content-type'] ?? ''
    const contentEncoding = request.headers['content-encoding']
    let spans: ReceivedSpan[]
    try {
      spans = decodeExportRequest(body, contentType, contentEncoding)
    } catch (err) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: (err as Error).message }))
      return
    }
    requests.push({ path, contentType, contentEncoding, spans })
    const json = contentType.includes('json')
    response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '')
    for (const wake of waiters) wake()
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => { if (!response.headersSent) response.writeHead(500).end() })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const all = (): ReceivedSpan[] => requests.flatMap(r => r.spans)

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    spans: all,
    waitForSpans (until, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (!until(all())) return false
          cleanup()
          resolve(all())
          return true
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`OTLP receiver: condition not met within ${timeoutMs} ms (${all().length} spans: ${all().map(s => s.name).join(', ')})`))
        }, timeoutMs)
        const cleanup = (): void => { clearTimeout(timer); waiters.delete(check) }
        if (!check()) waiters.add(check)
      })
    },
    close () {
      return new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    }
  }
}
