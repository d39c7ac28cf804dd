import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const REQUEST_ID_HEADER = 'x-request-id'

/** Printable, no spaces or quotes, bounded: safe to log and to echo back as a header. */
const WELL_FORMED = /^[\w.:@/+=-]{1,128}$/

/**
 * Keeps the caller's request id when it is well formed, so one id follows a request across
 * services; anything else (missing, oversized, control characters) gets a fresh UUID.
 */
export function genReqId (request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER]
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID()
}

async function requestId (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    done()
  })
}

export default fp(requestId, { name: 'request-id', fastify: '5.x' })
