import Fastify from 'fastify'
import t from 'tap'
import { answerRouterError } from '../src/plugins/errors.ts'
import { hookEveryRoute, notFoundHooks, UNMATCHED_ROUTE } from '../src/route-hooks.ts'

t.test('matched requests run only their route hooks; unmatched ones only the not-found hooks', async (t) => {
  const app = Fastify()
  const calls: string[] = []
  hookEveryRoute(app, (route) => ({
    onRequest: (request, reply, done) => { calls.push(`onRequest ${route}`); done() },
    onResponse: (request, reply, done) => { calls.push(`onResponse ${route}`); done() }
  }))
  app.get('/here', async () => 'ok')
  await app.register(notFoundHooks)
  t.teardown(() => app.close())
  await app.inject('/here')
  t.same(calls, ['onRequest /here', 'onResponse /here'])
  calls.length = 0
  const missing = await app.inject('/elsewhere')
  t.same(calls, [`onRequest ${UNMATCHED_ROUTE}`, `onResponse ${UNMATCHED_ROUTE}`])
  t.same(missing.json(), { message: 'Route GET:/elsewhere not found', error: 'Not Found', statusCode: 404 }, "Fastify's own 404 body")
})

t.test('the not-found handler works without any hooks made for it', async (t) => {
  const app = Fastify()
  await app.register(notFoundHooks)
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'DELETE', url: '/x' })
  t.equal(response.statusCode, 404)
  t.same(response.json(), { message: 'Route DELETE:/x not found', error: 'Not Found', statusCode: 404 })
})

t.test('a URL the router rejects runs the onResponse hooks made for unmatched requests', async (t) => {
  const app = Fastify({ frameworkErrors: answerRouterError })
  const calls: string[] = []
  hookEveryRoute(app, (route) => ({
    onResponse: (request, reply, done) => { calls.push(`${route} ${reply.statusCode}`); done() }
  }))
  hookEveryRoute(app, () => ({}))
  app.get('/hello/:name', async () => 'hi')
  await app.register(notFoundHooks)
  t.teardown(() => app.close())
  t.equal((await app.inject('/hello/%E0%A4%A')).statusCode, 400)
  t.same(calls, [`${UNMATCHED_ROUTE} 400`], 'once, as an unmatched request')
})

t.test('a URL the router rejects is answered when no hooks were made at all', async (t) => {
  const app = Fastify({ frameworkErrors: answerRouterError })
  app.get('/hello/:name', async () => 'hi')
  t.teardown(() => app.close())
  const response = await app.inject('/hello/%E0%A4%A')
  t.equal(response.statusCode, 400)
  t.equal(response.json().error, 'Bad Request')
})
