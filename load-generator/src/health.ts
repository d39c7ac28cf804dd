import { once } from 'node:events'
import { createServer, type Server } from 'node:http'

/**
 * GET /healthz for the kubelet's liveness and readiness probes: the load generator serves no
 * traffic, but an answer shows that its event loop, which also drives the requests, still turns.
 */
export async function serveHealth (port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    const known = request.method === 'GET' && request.url === '/healthz'
    response.writeHead(known ? 200 : 404, { 'content-type': 'application/json' })
    response.end(JSON.stringify(known ? { status: 'ok' } : { error: 'Not Found' }))
  })
  server.listen(port, host)
  await once(server, 'listening')
  return server
}
