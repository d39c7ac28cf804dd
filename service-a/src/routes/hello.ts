import type { FastifyInstance } from 'fastify'
import { greet } from '../greeting.ts'

const greeting = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } }
} as const

export const MAX_DELAY_MS = 10_000

/** The service's whole business: greetings, with an optional delay that simulates slow work. */
export default async function hello (app: FastifyInstance): Promise<void> {
  // The application's own code, measured apart from HTTP: service_a_function_*{function="greet"}.
  const instrumentedGreet = app.metrics.instrument('greet', greet)

  app.get('/', { schema: { response: { 200: greeting } } }, async () => ({ message: 'Hello, world!' }))

  app.get<{ Params: { name: string }, Querystring: { delay?: number } }>('/hello/:name', {
    schema: {
      params: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1, maxLength: 64 } }
      },
      querystring: {
        type: 'object',
        properties: { delay: { type: 'integer', minimum: 0, maximum: MAX_DELAY_MS, description: 'milliseconds' } }
      },
      response: { 200: greeting }
    }
  }, async (request) => ({ message: await instrumentedGreet(request.params.name, request.query.delay ?? 0) }))
}
