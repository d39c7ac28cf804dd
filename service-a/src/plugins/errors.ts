import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify'
import fp from 'fastify-plugin'

/** The status an error is answered with: its own 4xx or 5xx, else 500. */
export function statusCodeOf (error: { statusCode?: number }): number {
  const { statusCode } = error
  return statusCode !== undefined && statusCode >= 400 && statusCode < 600 ? statusCode : 500
}

/**
 * Client errors (4xx) keep Fastify's message, which says what was wrong with the request.
 * Server errors are logged with their stack (the metrics plugin counts them), and the client
 * gets a generic body: an internal message can leak details of the implementation.
 */
async function errors (app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = statusCodeOf(error)
    if (statusCode < 500) return reply.code(statusCode).send(body(statusCode, error.message))
    request.log.error({ err: error }, 'request failed')
    return reply.code(statusCode).send(body(statusCode, 'The server failed to handle the request.'))
  })
}

/** Per server: the onResponse hooks that router errors run too. */
const routerErrorHooks = new WeakMap<object, onResponseHookHandler[]>()

/** Runs `hook`, an app-level onResponse hook, for the URLs the router rejects as well. */
export function onRouterErrors (app: FastifyInstance, hook: onResponseHookHandler): void {
  routerErrorHooks.set(app.server, [...routerErrorHooks.get(app.server) ?? [], hook])
}

/**
 * Fastify's router turns some URLs away before any route or hook sees them, and hands them to the
 * server's `frameworkErrors` option: a malformed percent-encoding (FST_ERR_BAD_URL, 400) or a
 * path parameter over the router's length limit (FST_ERR_MAX_PARAM_LENGTH, 414). They are answered
 * like any other client error, and, as Fastify runs no hooks for them, the hooks given to
 * onRouterErrors run by hand, so that a scanner's traffic is counted and logged. No timer ran
 * for them: their duration is recorded as 0.
 */
export function answerRouterError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.raw.once('finish', () => {
    for (const hook of routerErrorHooks.get(request.server.server) ?? []) hook.call(request.server, request, reply, () => {})
  })
  const statusCode = statusCodeOf(error)
  reply.code(statusCode).send(body(statusCode, error.message))
}

function body (statusCode: number, message: string): { statusCode: number, error: string, message: string } {
  return { statusCode, error: STATUS_CODES[statusCode] ?? (statusCode < 500 ? 'Bad Request' : 'Internal Server Error'), message }
}

export default fp(errors, { name: 'errors', fastify: '5.x' })
