import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { CLIENT_CLOSED_REQUEST } from '../metrics/http-metrics.ts'
import { routeLabel } from '../metrics/request-hooks.ts'
import { onRouterErrors } from './errors.ts'

/** The reply of a request whose line is still to be written: a hang-up has no onResponse to read it. */
const kReply = Symbol('access-log.reply')
type Logged = FastifyRequest & { [kReply]?: FastifyReply }

/**
 * One line per request, written when the response is finished, in place of Fastify's two
 * ("incoming request" and "request completed"): half the log volume, and the line carries the
 * route template so that logs and metrics can be joined. The request id comes from the
 * request's child logger. A client that hangs up before its response gets a line too, with
 * nginx's 499 and the time it waited, as the metrics record it. Probes and scrapes log at
 * `warn` (their routes' logLevel), so they write none. Registered only where
 * info lines are written (app.ts).
 */
async function accessLog (app: FastifyInstance): Promise<void> {
  app.decorateRequest(kReply, undefined)
  app.addHook('onRequest', (request: Logged, reply, done) => {
    request[kReply] = reply
    done()
  })
  const onResponse = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    log(request, reply, reply.statusCode, 'request completed')
    done()
  }
  app.addHook('onResponse', onResponse)
  onRouterErrors(app, onResponse)
  app.addHook('onRequestAbort', (request: Logged, done) => {
    const reply = request[kReply]
    if (reply !== undefined) log(request, reply, CLIENT_CLOSED_REQUEST, 'client closed the connection before the response')
    done()
  })
}

function log (request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string): void {
  request.log.info({ method: request.method, route: routeLabel(request), url: request.url, statusCode, responseTime: reply.elapsedTime }, message)
}

export default fp(accessLog, { name: 'access-log', fastify: '5.x' })
