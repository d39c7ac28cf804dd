#!/usr/bin/env node
// A stand-in for the `grafana` binary (none can be installed here): it records how it was
// started and answers the API calls of the smoke check as a healthy Grafana does.
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'

const env = process.env
writeFileSync(join(env.GF_PATHS_DATA ?? '.', 'started.json'), JSON.stringify({ args: process.argv.slice(2), env }))
const answers: Record<string, object> = {
  '/api/health': { database: 'ok' },
  '/api/datasources/uid/prometheus/health': { status: 'OK' },
  '/api/dashboards/uid/service-a': { dashboard: { uid: 'service-a' } }
}
const server = createServer((request, response) => {
  const answer = answers[request.url ?? '']
  const status = answer === undefined ? 404 : request.headers.authorization === undefined && request.url !== '/api/health' ? 401 : 200
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? answer : {}))
}).listen(Number(env.GF_SERVER_HTTP_PORT), env.GF_SERVER_HTTP_ADDR)
process.on('SIGTERM', () => server.close())
