import { createServer } from 'node:http'
import { EXTRA_ROUTES, HELLO, HOST, port } from './routes.ts'

// The floor: Node's HTTP server with no framework at all.
const paths = new Set(['/', ...EXTRA_ROUTES])
createServer((request, response) => {
  const found = request.method === 'GET' && paths.has(request.url ?? '')
  response.writeHead(found ? 200 : 404, { 'content-type': 'application/json; charset=utf-8' })
  response.end(found ? JSON.stringify(HELLO) : '{"message":"Not Found"}')
}).listen(port(), HOST)
