import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export const received = { exports: 0, bytes: 0 }
let url: Promise<string> | undefined

/**
 * The traced servers' collector, started on first use: 200 to OTLP/HTTP's POST /v1/traces, the
 * body dropped. In this process, so on the load generator's CPU, and it never keeps it alive.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
export async function otlpSink (): Promise<string> {
  url ??= new Promise((resolve) => {
    const server = createServer((request, response) => {
      const traces = request.method === 'POST' && request.url === '/v1/traces'
      request.on('data', (chunk: Buffer) => { received.bytes += chunk.length }).on('end', () => response.writeHead(traces ? 200 : 404, { 'content-type': 'application/json' }).end('{}'))
      if (traces) received.exports++
    })
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).unref()
  })
  return await url
}
