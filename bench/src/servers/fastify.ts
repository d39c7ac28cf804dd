import Fastify, { type FastifyPluginAsync } from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

// Bare Fastify with its defaults (logger off): the baseline of every ratio. With argv[2] naming a metrics plugin, the peer with
// its defaults: `fastify-metrics` (14, on @prometheus-io/client) or `fastify-metrics-13` (13.2.1, the last on prom-client).
const app = Fastify()
if (process.argv[2] !== undefined) await app.register((await import(process.argv[2]) as { default: FastifyPluginAsync }).default)
for (const path of ['/', ...EXTRA_ROUTES]) app.get(path, { schema: HELLO_SCHEMA }, async () => HELLO)
await app.listen({ port: port(), host: HOST })
