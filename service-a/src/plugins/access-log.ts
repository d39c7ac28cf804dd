import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { hookEveryRoute } from '../route-hooks.ts'

/**
 * One line per request, written when the response is finished, in place of Fastify's two
 * ("incoming request" and "request completed"): half the log volume, and the line carries the
 * route template so that logs and metrics can be joined. The request id comes from the
 * request's child logger.
 */
async function accessLog (app: FastifyInstance): Promise<void> {
  hookEveryRoute(app, (route) => ({ onResponse: logCompleted(route) }))
}

function logCompleted (route: string) {
  return function (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    request.log.info({
      method: request.method,
      route,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime
    }, 'request completed')
    done()
  }
}

export default fp(accessLog, { name: 'access-log', fastify: '5.x' })
