import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Turns /readyz to 503 for good, so that Kubernetes stops routing new traffic here. */
    markNotReady: () => void
  }
}

const statusSchema = {
  response: {
    '2xx': { type: 'object', properties: { status: { type: 'string' } } },
    503: { type: 'object', properties: { status: { type: 'string' } } }
  }
} as const

/**
 * Liveness says the process can serve at all; readiness also says it wants traffic. Both are
 * kept out of the request metrics and the access log: kubelet polls them every few seconds.
 */
async function health (app: FastifyInstance): Promise<void> {
  let ready = true
  app.decorate('markNotReady', () => { ready = false })

  // Nor traced (otel: false): a span every few seconds per probe would bury the requests' traces.
  const probe = { config: { telemetry: false, otel: false }, logLevel: 'warn', schema: statusSchema } as const
  app.get('/healthz', probe, async () => ({ status: 'ok' }))
  app.get('/readyz', probe, async (request, reply) => {
    if (ready) return { status: 'ready' }
    return reply.code(503).send({ status: 'shutting down' })
  })
}

export default fp(health, { name: 'health', fastify: '5.x' })
