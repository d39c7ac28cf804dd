#!/usr/bin/env node
// A stand-in for the `jaeger` binary (Jaeger v2 is in neither Debian nor npm): it reads the
// --config it is given and listens where that config says, with its env defaults resolved as
// Jaeger resolves them: OTLP/HTTP spans in (/v1/traces, OTLP's JSON), the health check, and the
// query API's trace lookup that Grafana's Jaeger datasource makes for an exemplar's trace_id.
import { readFileSync } from 'node:fs'
import { createServer, type RequestListener } from 'node:http'
import { json } from 'node:stream/consumers'
import { parse } from 'yaml'

const file = process.argv.find((arg) => arg.startsWith('--config='))!.slice('--config='.length)
const config = parse(readFileSync(file, 'utf8').replace(/\$\{env:(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => process.env[name] ?? fallback))
const spans = new Map<string, unknown[]>()

const listen = (endpoint: string, handler: RequestListener): void => {
  const [host, port] = endpoint.split(':')
  createServer(handler).listen(Number(port), host)
}
listen(config.extensions.healthcheckv2.http.endpoint, (request, response) => response.writeHead(request.url === '/status' ? 200 : 404).end())
listen(config.receivers.otlp.protocols.http.endpoint, async (request, response) => {
  for (const resource of (await json(request) as any).resourceSpans) {
    for (const scope of resource.scopeSpans) for (const span of scope.spans) spans.set(span.traceId, [...spans.get(span.traceId) ?? [], span])
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
})
listen(config.extensions.jaeger_query.http.endpoint, (request, response) => {
  const found = spans.get(/^\/api\/traces\/([0-9a-f]{32})$/.exec(request.url ?? '')?.[1] ?? '')
  response.writeHead(found === undefined ? 404 : 200, { 'content-type': 'application/json' })
    .end(JSON.stringify(found === undefined ? { data: null } : { data: [{ spans: found }] }))
})
