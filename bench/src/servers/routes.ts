/**
 * What every server variant serves, so that they differ only in framework and instrumentation:
 * `/`, the route under load, and `/r/a` … `/r/s`, 20 routes in all for the `/metrics` render
 * measurement (20 routes × one histogram ≈ 400 samples). Letters, not numbers:
 * express-prom-bundle folds numeric path segments into one label value.
 */
export const HELLO = { message: 'Hello, world!' }
export const EXTRA_ROUTES = Array.from({ length: 19 }, (_, i) => `/r/${String.fromCharCode(97 + i)}`)

/** The same response schema service-a declares, so Fastify variants serialize alike. */
export const HELLO_SCHEMA = { response: { 200: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } } } as const

/** Loopback only, on the free port startServer (variants.ts) gives: the bench never sends traffic anywhere else. */
export const HOST = '127.0.0.1'
export const port = (): number => Number(process.env.PORT)
