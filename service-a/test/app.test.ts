import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import pino from 'pino'
import { buildApp } from '../src/app.ts'
import { build } from './helper.ts'
import { loadConfig } from '../src/config.ts'

t.test('GET / greets the world', async (t) => {
  const app = await build(t)
  const response = await app.inject('/')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  t.same(response.json(), { message: 'Hello, world!' })
})

t.test('GET /hello/:name greets by name, after the requested delay', async (t) => {
  const app = await build(t)
  const started = performance.now()
  const response = await app.inject('/hello/Ada?delay=50')
  t.equal(response.statusCode, 200)
  t.same(response.json(), { message: 'Hello, Ada!' })
  t.ok(performance.now() - started >= 45, 'waited about as long as asked')
})

t.test('a bad delay is a 400 that says what was wrong', async (t) => {
  const app = await build(t)
  for (const query of ['delay=abc', 'delay=-1', 'delay=10001']) {
    const response = await app.inject(`/hello/Ada?${query}`)
    t.equal(response.statusCode, 400, query)
    t.match(response.json(), { statusCode: 400, error: 'Bad Request', message: /querystring/ }, query)
  }
})

t.test('a name longer than 64 characters is refused', async (t) => {
  const app = await build(t)
  const response = await app.inject(`/hello/${'x'.repeat(65)}`)
  t.equal(response.statusCode, 400)
  t.match(response.json().message, /params\/name must NOT have more than 64 characters/)
})

t.test('an unknown path or method is a JSON 404', async (t) => {
  const app = await build(t)
  for (const [method, url] of [['GET', '/nope'], ['DELETE', '/'], ['POST', '/hello/Ada']] as const) {
    const response = await app.inject({ method, url })
    t.equal(response.statusCode, 404, `${method} ${url}`)
    t.same(response.json(), { statusCode: 404, error: 'Not Found', message: `Route ${method}:${url} not found` })
  }
})

t.test('HEAD / answers like GET without a body', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'HEAD', url: '/' })
  t.equal(response.statusCode, 200)
  t.equal(response.body, '')
})

t.test('/healthz is live and /readyz ready until shutdown begins', async (t) => {
  const app = await build(t)
  t.same((await app.inject('/healthz')).json(), { status: 'ok' })
  t.same((await app.inject('/readyz')).json(), { status: 'ready' })
  app.markNotReady()
  const readiness = await app.inject('/readyz')
  t.equal(readiness.statusCode, 503)
  t.same(readiness.json(), { status: 'shutting down' })
  t.equal((await app.inject('/healthz')).statusCode, 200, 'liveness stays up while draining')
})

t.test('a server error is logged with its stack and answered without internals', async (t) => {
  const logLines: Array<Record<string, unknown>> = []
  const app = await build(t, {
    logLines,
    extra: (app) => app.get('/boom', async () => { throw new Error('database password is hunter2') })
  })
  const response = await app.inject('/boom')
  t.equal(response.statusCode, 500)
  t.same(response.json(), { statusCode: 500, error: 'Internal Server Error', message: 'The server failed to handle the request.' })
  t.notMatch(response.body, /hunter2|at /, 'neither the message nor a stack reaches the client')
  const logged = logLines.find((line) => line.msg === 'request failed')
  t.match(logged, { level: 50, err: { message: 'database password is hunter2', stack: /Error: database password/ } })
})

t.test('an error with its own 4xx or 5xx status keeps it', async (t) => {
  const app = await build(t, {
    extra: (app) => {
      app.get('/teapot', async () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })
      app.get('/unavailable', async () => { throw Object.assign(new Error('maintenance'), { statusCode: 503 }) })
      app.get('/weird', async () => { throw Object.assign(new Error('bogus status'), { statusCode: 200 }) })
      app.get('/exotic', async () => { throw Object.assign(new Error('unnamed status'), { statusCode: 599 }) })
      app.get('/exotic-client', async () => { throw Object.assign(new Error('unnamed client status'), { statusCode: 499 }) })
    }
  })
  t.same((await app.inject('/teapot')).json(), { statusCode: 418, error: "I'm a Teapot", message: 'short and stout' })
  t.same((await app.inject('/unavailable')).json(), { statusCode: 503, error: 'Service Unavailable', message: 'The server failed to handle the request.' })
  t.equal((await app.inject('/weird')).statusCode, 500, 'a non-error status becomes 500')
  t.same((await app.inject('/exotic')).json(), { statusCode: 599, error: 'Internal Server Error', message: 'The server failed to handle the request.' })
  t.same((await app.inject('/exotic-client')).json(), { statusCode: 499, error: 'Bad Request', message: 'unnamed client status' })
})

t.test('malformed JSON in a body is a 400, not a 500', async (t) => {
  const app = await build(t, { extra: (app) => app.post('/echo', async (request) => request.body) })
  const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' })
  t.equal(response.statusCode, 400)
  t.match(response.json(), { statusCode: 400, error: 'Bad Request' })
})

t.test('logs: JSON lines to stdout at LOG_LEVEL, in batches flushed within 250 ms; pretty lines only on a terminal', async (t) => {
  const written: string[] = []
  const write = process.stdout.write
  // tap writes its own report to stdout too: that goes through.
  const capture = ((chunk: string, ...rest: unknown[]) => typeof chunk === 'string' && chunk.startsWith('{"level"')
    ? written.push(chunk) > 0
    : (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write
  process.stdout.write = capture
  t.teardown(() => { process.stdout.write = write })
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'warn' }))
  t.teardown(() => app.close())
  app.log.info('below the level')
  app.log.warn('first')
  app.log.error('second')
  t.same(written, [], 'held back for the batch')
  await sleep(300)
  process.stdout.write = write
  t.equal(written.length, 1, 'one write for both lines')
  t.match(written.join('').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown), [{ level: 40, msg: 'first' }, { level: 50, msg: 'second' }])
  process.stdout.write = capture
  for (let i = 0; i < 40; i++) app.log.warn('a line of about 200 bytes'.padEnd(100, '.'))
  t.ok(written.length >= 2, '4 KiB pending are written at once, without waiting for the timer')
  await sleep(300)
  process.stdout.write = write
  const pretty = await buildApp(loadConfig({ LOG_LEVEL: 'info' }), { stdoutIsTTY: true })
  t.teardown(() => pretty.close())
  const stream = (pretty.log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym]
  t.equal(stream?.constructor.name, 'ThreadStream', 'a transport: pino-pretty in a worker')
})

t.test('LOG_LEVEL=silent runs Fastify without a logger; errors are still answered and counted', async (t) => {
  const app = await build(t, { extra: (app) => app.get('/boom', async () => { throw new Error('no logger to tell') }) })
  t.notOk(app.log.level, "Fastify's stand-in logger: no per-request child loggers")
  t.equal((await app.inject('/boom')).statusCode, 500)
  t.equal((await app.inject('/nope')).statusCode, 404)
  const page = (await app.inject('/metrics')).body
  t.match(page, /http_request_errors_total\{method="GET",route="\/boom",error="Error"\} 1/)
  t.match(page, /http_requests_total\{method="GET",route="<unmatched>",status_code="404"\} 1/)
})
