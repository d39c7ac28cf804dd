import t from 'tap'
import { build } from '../helper.ts'

t.test('each request writes exactly one access-log line with route, status and duration', async (t) => {
  const logLines: Array<Record<string, unknown>> = []
  const app = await build(t, { logLines })
  await app.inject({ url: '/hello/Ada?delay=1', headers: { 'x-request-id': 'trace-123' } })
  await app.inject('/no/such/path')
  t.equal(logLines.length, 2, 'one line per request, not two')
  t.match(logLines[0], {
    level: 30,
    msg: 'request completed',
    requestId: 'trace-123',
    method: 'GET',
    route: '/hello/:name',
    url: '/hello/Ada?delay=1',
    statusCode: 200,
    responseTime: Number
  })
  t.match(logLines[1], { route: '<unmatched>', url: '/no/such/path', statusCode: 404 })
})

t.test('probes and scrapes write no info lines', async (t) => {
  const logLines: Array<Record<string, unknown>> = []
  const app = await build(t, { logLines })
  await app.inject('/healthz')
  await app.inject('/readyz')
  await app.inject('/metrics')
  t.same(logLines, [])
})

t.test('a well-formed x-request-id is kept and echoed; anything else is replaced by a UUID', async (t) => {
  const app = await build(t)
  const kept = await app.inject({ url: '/', headers: { 'x-request-id': 'abc-123.def:4/5+6=' } })
  t.equal(kept.headers['x-request-id'], 'abc-123.def:4/5+6=')
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  for (const incoming of [undefined, 'has spaces', 'x'.repeat(129), '<script>', '']) {
    const headers = incoming === undefined ? {} : { 'x-request-id': incoming }
    const response = await app.inject({ url: '/', headers })
    t.match(response.headers['x-request-id'], uuid, `replaced: ${JSON.stringify(incoming)}`)
  }
  const notFound = await app.inject('/nowhere')
  t.match(notFound.headers['x-request-id'], uuid, 'a 404 carries an id too')
})
