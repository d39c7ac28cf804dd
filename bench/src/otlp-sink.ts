import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the sink has been sent, for the report: it shows that the traced servers did export. */
export const received = { exports: 0, bytes: 0 }
let url: Promise<string> | undefined

/**
 * The traced servers' collector: a loopback OTLP/HTTP endpoint that answers 200 to
 * POST /v1/traces and drops the body. It runs in the caller's process, so on the load
 * generator's CPU, and never keeps that process alive. Started on first use; returns the base URL
 * for OTEL_EXPORTER_OTLP_ENDPOINT.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
export async function otlpSink (): Promise<string> {
  url ??= new Promise((resolve) => {
    const server = createServer((request, response) => {
      request.on('data', (chunk: Buffer) => { received.bytes += chunk.length })
      request.on('end', () => {
        const traces = request.method === 'POST' && request.url === '/v1/traces'
        if (traces) received.exports++
        response.writeHead(traces ? 200 : 404, { 'content-type': 'application/json' }).end('{}')
      })
    })
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).unref()
  })
  return await url
}
