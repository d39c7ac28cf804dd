import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { Test } from 'tap'

/** A span as OTLP/JSON carries it; ids are hex strings. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes: Array<{ key: string, value: { stringValue?: string, intValue?: string } }>
}

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string
  /** Every span received so far, with the service name of its resource. */
  spans: Array<ReceivedSpan & { service: string }>
}

/**
 * OTLP/HTTP's trace endpoint on a loopback port, keeping the spans it is sent: no trace backend
 * can be had on our machines, and this is all of OTLP/HTTP that an exporter talks to. With
 * `answer: false` it takes requests and never answers, like a collector that hangs.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
export async function otlpReceiver (t: Test, { answer = true } = {}): Promise<OtlpReceiver> {
  const spans: OtlpReceiver['spans'] = []
  const hanging: ServerResponse[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => { body += chunk.toString() })
    request.on('end', () => {
      if (request.url !== '/v1/traces') return response.writeHead(404).end()
      for (const { resource, scopeSpans } of JSON.parse(body).resourceSpans) {
        const service = resource.attributes.find((a: { key: string }) => a.key === 'service.name')?.value.stringValue
        for (const scope of scopeSpans) for (const span of scope.spans) spans.push({ ...span, service })
      }
      if (answer) response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      else hanging.push(response)
    })
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans }
}
