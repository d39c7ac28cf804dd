import Fastify, { type FastifyPluginAsync } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

/**
 * The Fastify peer with its default options. argv[2] names the package: `fastify-metrics` (14,
 * on @prometheus-io/client) or `fastify-metrics-13` (13.2.1, the last release on prom-client).
 */
const packageName = process.argv[2] ?? 'fastify-metrics'
const { default: metricsPlugin } = await import(packageName) as { default: FastifyPluginAsync }

const app = Fastify()
await app.register(metricsPlugin)
for (const path of ['/', ...EXTRA_ROUTES]) app.get(path, { schema: HELLO_SCHEMA }, async () => HELLO)
await app.listen({ port: port(), host: HOST })
