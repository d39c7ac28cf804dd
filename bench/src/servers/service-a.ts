import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyServerOptions } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

/**
 * service-a's build (dist/, what the container runs) set up as its server.ts does, from the
 * environment: LOG_LEVEL `silent` measures the instrumentation alone, `info` the service as
 * shipped, its access log written to stdout (a pipe that the runner drains); tracing on only
 * with an OTLP endpoint. The extra routes come after the service, so its onRoute hooks
 * instrument them. SERVICE_A_DIR: a saved build instead (BENCH_BUILDS compares builds).
 */
const serviceDir = process.env.SERVICE_A_DIR ? pathToFileURL(`${process.env.SERVICE_A_DIR}/`) : new URL('../../../service-a/', import.meta.url)
const dist = async <T> (file: string): Promise<T> => await import(new URL(`dist/${file}`, serviceDir).href) as T
type Config = Record<string, unknown>
const { default: serviceA, serverOptions } = await dist<{ default: FastifyPluginAsync<{ tracing?: FastifyPluginCallback }>, serverOptions: (config: Config, stdoutIsTTY: boolean) => FastifyServerOptions }>('app.js')
// A build from before tracing (issue 17) has neither tracingEnabled nor tracing.js.
const { loadConfig, tracingEnabled } = await dist<{ loadConfig: (env: NodeJS.ProcessEnv) => Config, tracingEnabled?: (config: Config) => boolean }>('config.js')
// service-a's own copy of Fastify: its LogController is checked with instanceof.
const Fastify = createRequire(new URL('package.json', serviceDir))('fastify') as typeof import('fastify').default
const config = loadConfig(process.env)
const app = Fastify(serverOptions(config, false))
const tracing = tracingEnabled?.(config) === true ? (await dist<{ startTracing: (log: FastifyBaseLogger) => { plugin: FastifyPluginCallback } }>('tracing.js')).startTracing(app.log) : undefined
await app.register(serviceA, { tracing: tracing?.plugin })
await app.register(async (routes: FastifyInstance) => {
  for (const path of EXTRA_ROUTES) routes.get(path, { schema: HELLO_SCHEMA }, async () => HELLO)
})
await app.listen({ port: port(), host: HOST })
