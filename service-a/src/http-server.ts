import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyServerFactory } from 'fastify'
import type { Config } from './config.ts'

/**
 * Longer than the 60 s idle timeout of the usual load balancers, so that they, not the service,
 * close an idle connection (no request races a close), and longer than Prometheus' 15 s scrape
 * interval, so that each scrape reuses its connection. Fastify's own default.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000

/**
 * How often Node.js looks for requests past their timeout; its default, 30 s, would let a 30 s
 * timeout cut a slow client anywhere between 30 and 60 s.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000

/** What shutdown needs from the server's connections, which Node.js does not offer by itself. */
export interface Connections {
  /** From now on every response says `Connection: close`: keep-alive clients reconnect elsewhere. */
  closeAfterResponses: () => void
  /**
   * Closes every connection without a request in flight, whatever its state: idle, silent since
   * it was opened, half a request sent. A request received in full keeps its connection until
   * its response is sent. Node's own `closeIdleConnections()` closes only connections that have
   * served a request, so one silent client would hold the shutdown until its timeout.
   */
  closeUnused: () => void
}

const connectionsOf = new WeakMap<Server, Connections>()

/** The Connections of a server that `httpServerFactory` made. */
export function connections (server: Server): Connections {
  const found = connectionsOf.get(server)
  if (found === undefined) throw new Error('not a server made by httpServerFactory')
  return found
}

/**
 * The Node.js server under Fastify (its `serverFactory` option): the timeouts that bound a slow
 * client, requests that Node.js's parser is about to reject, and the connections for shutdown.
 */
export function httpServerFactory (config: Pick<Config, 'REQUEST_TIMEOUT_MS'>): FastifyServerFactory {
  return (handler) => {
    const open = new Set<Socket>()
    // The latest response of each connection; earlier ones are finished (HTTP/1.1 answers in order).
    const latest = new WeakMap<Socket, ServerResponse>()
    let state: 'serving' | 'closing' | 'closed' = 'serving'

    const server = createServer({
      // Bounds receiving the request (headers and body), not the handler: a 10 s `delay` is unaffected.
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS
    }, (request, response) => {
      if (rejectedAfterHeaders(request)) return
      latest.set(request.socket, response)
      if (state !== 'serving') response.setHeader('connection', 'close')
      handler(request, response)
    })

    server.on('connection', (socket: Socket) => {
      // One that slips in between closeUnused() and the listener's close would wait for nothing.
      if (state === 'closed') return socket.destroy()
      open.add(socket)
      socket.once('close', () => open.delete(socket))
    })

    const inFlight = (socket: Socket): ServerResponse | undefined => {
      const response = latest.get(socket)
      return response !== undefined && response.req.complete && !response.writableFinished ? response : undefined
    }

    const closeAfterResponses = (): void => {
      if (state !== 'serving') return
      state = 'closing'
      for (const socket of open) {
        const response = inFlight(socket)
        if (response === undefined) continue
        if (!response.headersSent) response.setHeader('connection', 'close')
        else response.once('finish', () => socket.end())
      }
    }

    connectionsOf.set(server, {
      closeAfterResponses,
      closeUnused () {
        closeAfterResponses()
        state = 'closed'
        for (const socket of open) if (inFlight(socket) === undefined) socket.destroy()
      }
    })
    return server
  }
}

/**
 * A request whose final transfer coding is not `chunked` has no knowable body length: RFC 9112
 * §6.3 asks for 400 and a closed connection. Node.js's parser emits the request and only then
 * fails on the body; its clientError answers 400 and closes, so the request must not be answered
 * first (a 404 from the router, say) nor counted as a request that was served.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.3
 */
function rejectedAfterHeaders (request: IncomingMessage): boolean {
  const codings = request.headers['transfer-encoding']
  return codings !== undefined && !/(?:^|,)[\t ]*chunked[\t ]*$/i.test(codings)
}
