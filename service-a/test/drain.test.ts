import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { drainOf } from '../src/drain.ts'

/** A Node.js server whose `/slow` answers after 200 ms, with its Drain, on a loopback port. */
async function serve (t: Test): Promise<{ port: number, drain: ReturnType<typeof drainOf> }> {
  const server = createServer((request, response) => {
    request.resume()
    setTimeout(() => response.end('ok'), request.url === '/slow' ? 200 : 0)
  })
  const drain = drainOf(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { port: (server.address() as { port: number }).port, drain }
}

interface Client { socket: Socket, received: () => string, closed: () => boolean }

async function client (port: number, bytes: string): Promise<Client> {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  let closed = false
  socket.on('data', (chunk: Buffer) => { received += chunk.toString() }).on('close', () => { closed = true }).on('error', () => {})
  await once(socket, 'connect')
  socket.write(bytes)
  return { socket, received: () => received, closed: () => closed }
}

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`

t.test('closeUnserved closes silent, half-sent, slow-body and idle connections; a request in flight completes with Connection: close', async (t) => {
  const { port, drain } = await serve(t)
  const silent = await client(port, '')
  const half = await client(port, 'GET / HTTP/1.1\r\nHost: x\r\n')
  const slowBody = await client(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{')
  const idle = await client(port, GET('/'))
  const busy = await client(port, GET('/slow'))
  await sleep(100)
  t.match(idle.received(), /^HTTP\/1\.1 200 OK[^]*connection: keep-alive/i, 'the idle connection served its request and stayed open')
  drain.start()
  drain.closeUnserved()
  await sleep(50)
  t.same([silent, half, slowBody, idle].map((c) => c.closed()), [true, true, true, true], 'every connection without a whole request in flight is closed at once')
  t.notOk(busy.closed(), 'the connection with a request in flight stays open')
  await once(busy.socket, 'close')
  t.match(busy.received(), /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n/i, 'its response tells the client not to reuse the connection')
  const late = await client(port, GET('/'))
  await once(late.socket, 'close')
  t.equal(late.received(), '', 'a connection that arrives after closeUnserved is closed unanswered')
})

t.test('once draining, every response says Connection: close and the connection closes after it', async (t) => {
  const { port, drain } = await serve(t)
  const kept = await client(port, GET('/'))
  await sleep(50)
  t.match(kept.received(), /connection: keep-alive/i, 'kept alive before')
  drain.start()
  kept.socket.write(GET('/'))
  await once(kept.socket, 'close')
  t.match(kept.received().slice(kept.received().lastIndexOf('HTTP/1.1')), /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n/i)
})
