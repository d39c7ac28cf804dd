import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Client errors (4xx) keep Fastify's message, which says what was wrong with the request.
 * Server errors are logged with their stack and counted, and the client gets a generic body:
 * an internal message can leak details of the implementation.
 */
async function errors (app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (statusCode < 500) {
      return reply.code(statusCode).send({ statusCode, error: errorName(statusCode), message: error.message })
    }
    request.log.error({ err: error }, 'request failed')
    app.metrics.countError(request, error)
    return reply.code(statusCode).send({ statusCode, error: errorName(statusCode), message: 'The server failed to handle the request.' })
  })
}

function errorName (statusCode: number): string {
  return STATUS_CODES[statusCode] ?? (statusCode < 500 ? 'Bad Request' : 'Internal Server Error')
}

export default fp(errors, { name: 'errors', fastify: '5.x', dependencies: ['metrics'] })
