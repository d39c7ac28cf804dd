/**
 * What every server serves, so that they differ only in framework and instrumentation: `/` under
 * load, and `/r/a` … `/r/s`, 20 routes for the /metrics render (× one histogram ≈ 400 samples).
 * Letters, not numbers: express-prom-bundle folds numeric path segments into one label value.
 */
export const HELLO = { message: 'Hello, world!' }
export const EXTRA_ROUTES = Array.from({ length: 19 }, (_, i) => `/r/${String.fromCharCode(97 + i)}`)
/** service-a's response schema, so that the Fastify servers serialize alike. */
export const HELLO_SCHEMA = { response: { 200: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } } } as const
/** Loopback only, on the free port that startServer gives: the bench sends no traffic anywhere else. */
export const HOST = '127.0.0.1'
export const port = (): number => Number(process.env.PORT)
