import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyServerOptions } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

/**
 * service-a's build (dist/, what the container runs; SERVICE_A_DIR: a saved one) set up as its
 * server.ts does, from the environment: LOG_LEVEL `silent` measures the instrumentation alone,
 * `info` adds the access log to stdout (a pipe that the runner drains); tracing only with an OTLP
 * endpoint. The extra routes come after the service, so that its onRoute hooks instrument them.
 */
const serviceDir = process.env.SERVICE_A_DIR ? pathToFileURL(`${process.env.SERVICE_A_DIR}/`) : new URL('../../../service-a/', import.meta.url)
const dist = async <T> (file: string): Promise<T> => await import(new URL(`dist/${file}`, serviceDir).href) as T
type Config = Record<string, unknown>
const { default: serviceA, serverOptions } = await dist<{ default: FastifyPluginAsync<{ tracing?: FastifyPluginCallback }>, serverOptions: (config: Config, stdoutIsTTY: boolean) => FastifyServerOptions }>('app.js')
// A build from before tracing (issue 17) has neither tracingEnabled nor tracing.js.
const { loadConfig, tracingEnabled } = await dist<{ loadConfig: (env: NodeJS.ProcessEnv) => Config, tracingEnabled?: (config: Config) => boolean }>('config.js')
// service-a's own copy of Fastify: its LogController is checked with instanceof.
const config = loadConfig(process.env)
const app = (createRequire(new URL('package.json', serviceDir))('fastify') as typeof import('fastify').default)(serverOptions(config, false))
const tracing = tracingEnabled?.(config) === true ? (await dist<{ startTracing: (log: FastifyBaseLogger) => { plugin: FastifyPluginCallback } }>('tracing.js')).startTracing(app.log) : undefined
await app.register(serviceA, { tracing: tracing?.plugin })
await app.register(async (routes: FastifyInstance) => { for (const path of EXTRA_ROUTES) routes.get(path, { schema: HELLO_SCHEMA }, async () => HELLO) })
await app.listen({ port: port(), host: HOST })
