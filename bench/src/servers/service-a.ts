import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyServerOptions } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

/**
 * service-a's build (dist/, what the container runs; SERVICE_A_DIR: a saved one) built by its own
 * `buildApp` from the environment, as its server.ts does: LOG_LEVEL `silent` measures the
 * instrumentation alone, `info` adds the access log to stdout (a pipe that the runner drains);
 * tracing only with an OTLP endpoint. The extra routes are added as a user's routes would be.
 */
const serviceDir = process.env.SERVICE_A_DIR ? pathToFileURL(`${process.env.SERVICE_A_DIR}/`) : new URL('../../../service-a/', import.meta.url)
const dist = async <T> (file: string): Promise<T> => await import(new URL(`dist/${file}`, serviceDir).href) as T
type Config = Record<string, unknown>
const { loadConfig } = await dist<{ loadConfig: (env: NodeJS.ProcessEnv) => Config }>('config.js')
const config = loadConfig(process.env)
const { buildApp } = await dist<{ buildApp?: (config: Config) => Promise<FastifyInstance> }>('app.js')
const app = buildApp !== undefined ? await buildApp(config) : await olderBuild(config)
// What server.ts adds for shutdown (builds that have it): it costs on every request too.
if (existsSync(new URL('dist/drain.js', serviceDir))) (await dist<{ drainOf: (server: FastifyInstance['server']) => unknown }>('drain.js')).drainOf(app.server)
await app.register(async (routes: FastifyInstance) => { for (const path of EXTRA_ROUTES) routes.get(path, { schema: HELLO_SCHEMA }, async () => HELLO) })
await app.listen({ port: port(), host: HOST })

/** A saved build from before `buildApp` (BENCH_BUILDS), set up as its own server.ts did. */
async function olderBuild (config: Config): Promise<FastifyInstance> {
  const { default: serviceA, serverOptions } = await dist<{ default: FastifyPluginAsync<{ tracing?: FastifyPluginCallback }>, serverOptions: (config: Config, stdoutIsTTY: boolean) => FastifyServerOptions }>('app.js')
  const { tracingEnabled } = await dist<{ tracingEnabled?: (config: Config) => boolean }>('config.js')
  // service-a's own copy of Fastify: its LogController is checked with instanceof.
  const app = (createRequire(new URL('package.json', serviceDir))('fastify') as typeof import('fastify').default)(serverOptions(config, false))
  const tracing = tracingEnabled?.(config) === true ? (await dist<{ startTracing: (log: FastifyBaseLogger) => { plugin: FastifyPluginCallback } }>('tracing.js')).startTracing(app.log) : undefined
  await app.register(serviceA, { tracing: tracing?.plugin })
  return app
}
