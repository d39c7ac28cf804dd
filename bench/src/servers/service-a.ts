import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { FastifyInstance, FastifyPluginAsync, FastifyServerOptions } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

/**
 * service-a's build (dist/, what the container runs) set up as its server.ts does, LOG_LEVEL
 * from the environment: `silent` measures the instrumentation alone, `info` the service as
 * shipped, its access log written to stdout (a pipe that the runner drains). The extra routes
 * come after the service, so its onRoute hooks instrument them. SERVICE_A_DIR: a saved build
 * instead (BENCH_BUILDS compares builds).
 */
const serviceDir = process.env.SERVICE_A_DIR ? pathToFileURL(`${process.env.SERVICE_A_DIR}/`) : new URL('../../../service-a/', import.meta.url)
const { default: serviceA, serverOptions } = await import(new URL('dist/app.js', serviceDir).href) as {
  default: FastifyPluginAsync
  serverOptions: (config: { LOG_LEVEL: string }, stdoutIsTTY: boolean) => FastifyServerOptions
}
const { loadConfig } = await import(new URL('dist/config.js', serviceDir).href) as { loadConfig: (env: NodeJS.ProcessEnv) => { LOG_LEVEL: string } }
// service-a's own copy of Fastify: its LogController is checked with instanceof.
const Fastify = createRequire(new URL('package.json', serviceDir))('fastify') as typeof import('fastify').default
const app = Fastify(serverOptions(loadConfig(process.env), false))
await app.register(serviceA)
await app.register(async (routes: FastifyInstance) => {
  for (const path of EXTRA_ROUTES) routes.get(path, { schema: HELLO_SCHEMA }, async () => HELLO)
})
await app.listen({ port: port(), host: HOST })
