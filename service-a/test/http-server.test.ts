import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { connections, KEEP_ALIVE_TIMEOUT_MS } from '../src/http-server.ts'
import { build } from './helper.ts'

interface Client {
  socket: Socket
  /** Everything the server sent so far. */
  received: () => string
  closed: Promise<unknown>
}

/** A raw connection to the app that sends `bytes` (maybe nothing, maybe half a request). */
async function open (app: FastifyInstance, bytes = ''): Promise<Client> {
  const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1')
  await once(socket, 'connect')
  let received = ''
  socket.on('data', (chunk: Buffer) => { received += chunk.toString() })
  const closed = once(socket, 'close')
  if (bytes !== '') socket.write(bytes)
  return { socket, received: () => received, closed }
}

async function listening (t: Test, extra?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = await build(t, { extra })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

const isClosed = (client: Client): boolean => client.socket.destroyed || client.socket.readableEnded

t.test('connections() refuses a server that httpServerFactory did not make', async (t) => {
  t.throws(() => connections(createServer()), /not a server made by httpServerFactory/)
})

t.test('keep-alive outlasts the 60 s idle timeout of load balancers and the 15 s scrape interval', async (t) => {
  const app = await listening(t)
  t.equal(app.server.keepAliveTimeout, KEEP_ALIVE_TIMEOUT_MS)
  t.ok(KEEP_ALIVE_TIMEOUT_MS > 60_000)
})

t.test('closeUnused closes silent, half-sent and idle connections; a request in flight completes with Connection: close', async (t) => {
  const app = await listening(t)
  const silent = await open(app)
  const halfHeader = await open(app, 'GET / HTTP/1.1\r\nHost: x\r\n')
  const slowBody = await open(app, 'POST /hello/Ada HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{')
  const idle = await open(app, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  const busy = await open(app, 'GET /hello/Ada?delay=300 HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(100)
  t.match(idle.received(), /^HTTP\/1\.1 200 OK/, 'the idle connection served its request and stayed open')

  connections(app.server).closeUnused()
  await Promise.all([silent.closed, halfHeader.closed, slowBody.closed, idle.closed])
  t.pass('every connection without a request in flight is closed at once')
  t.notOk(isClosed(busy), 'the connection with a request in flight stays open')
  await busy.closed
  t.match(busy.received(), /^HTTP\/1\.1 200 OK\r\n/)
  t.match(busy.received(), /\r\nconnection: close\r\n/i, 'its response tells the client not to reuse the connection')
  t.match(busy.received(), /\{"message":"Hello, Ada!"\}$/)

  const late = await open(app)
  await late.closed
  t.pass('a connection that arrives after closeUnused is closed at once')
})

t.test('after closeAfterResponses every response says Connection: close, and the connection closes after it', async (t) => {
  const app = await listening(t)
  const client = await open(app, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(50)
  t.match(client.received(), /\r\nconnection: keep-alive\r\n/i, 'kept alive before')
  connections(app.server).closeAfterResponses()
  client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  await client.closed
  t.match(client.received().slice(client.received().lastIndexOf('HTTP/1.1')), /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n/i)
})

t.test('a response whose headers went out before shutdown closes its connection when it ends', async (t) => {
  const app = await listening(t, (app) => app.get('/stream', async (request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' })
    reply.raw.write('first ')
    await sleep(200)
    reply.raw.end('last')
    return reply
  }))
  const client = await open(app, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n')
  await sleep(50)
  connections(app.server).closeUnused()
  await client.closed
  t.match(client.received(), /first [^]*last/, 'the whole body arrived before the close')
})

t.test('a transfer coding other than a final chunked is a 400 and a closed connection, answered once (RFC 9112 §6.3)', async (t) => {
  const app = await listening(t)
  for (const [path, coding] of [['/', 'xchunked'], ['/nowhere', 'xchunked'], ['/', 'gzip'], ['/hello/Ada', 'chunked, identity']]) {
    const client = await open(app, `GET ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${coding}\r\n\r\n`)
    await client.closed
    t.match(client.received(), /^HTTP\/1\.1 400 Bad Request\r\n/, `${path} with ${coding}`)
    t.equal(client.received().match(/HTTP\/1\.1 /g)?.length, 1, 'one answer only')
  }
  const chunked = await open(app, 'POST /hello/Ada HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n')
  await chunked.closed
  t.match(chunked.received(), /^HTTP\/1\.1 404 Not Found/, 'chunked as the final coding is a request like any other')
})
