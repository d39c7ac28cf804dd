import Fastify, { type FastifyPluginAsync } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

/**
 * Bare Fastify with its defaults (logger off): the baseline every ratio is taken against. With
 * argv[2] naming a metrics plugin, the Fastify peer with that plugin's defaults: `fastify-metrics`
 * (14, on @prometheus-io/client) or `fastify-metrics-13` (13.2.1, the last release on prom-client).
 */
const app = Fastify()
const plugin = process.argv[2]
if (plugin !== undefined) await app.register((await import(plugin) as { default: FastifyPluginAsync }).default)
for (const path of ['/', ...EXTRA_ROUTES]) app.get(path, { schema: HELLO_SCHEMA }, async () => HELLO)
await app.listen({ port: port(), host: HOST })
