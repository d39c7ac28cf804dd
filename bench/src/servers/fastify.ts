import Fastify from 'fastify'
import { EXTRA_ROUTES, HELLO, HELLO_SCHEMA, HOST, port } from './routes.ts'

// The baseline every ratio is taken against: Fastify with its defaults (logger off).
const app = Fastify()
for (const path of ['/', ...EXTRA_ROUTES]) app.get(path, { schema: HELLO_SCHEMA }, async () => HELLO)
await app.listen({ port: port(), host: HOST })
