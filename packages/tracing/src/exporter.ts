/** The OTLP span exporter of the configured protocol; only that one exporter package is loaded. */
import type { SpanExporter } from '@opentelemetry/sdk-trace-node'
import type { OtlpProtocol } from './config.js'

export async function createExporter (protocol: OtlpProtocol, url: string): Promise<SpanExporter> {
  switch (protocol) {
    case 'http/json': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http')
      return new OTLPTraceExporter({ url })
    }
    case 'grpc': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc')
      return new OTLPTraceExporter({ url })
    }
    default: {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto')
      return new OTLPTraceExporter({ url })
    }
  }
}
