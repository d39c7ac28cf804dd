import { SpanStatusCode, trace } from '@opentelemetry/api'
import { Counter, type Registry } from 'prom-client'
import { traceExemplar } from '../trace-context.ts'
import { histogram } from './exposition.ts'

/** Spans of the wrapped functions; a no-op until tracing starts (tracing.ts). */
const tracer = trace.getTracer('service-a')

/**
 * A function's name becomes the `function` label: it is fixed in code, never taken from a request,
 * so the label stays bounded by the number of wrapped functions.
 */
const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/

/** Wraps an async function so that its calls, their duration and their failures are recorded. */
export type Instrument = <Args extends unknown[], Result>(
  name: string,
  fn: (...args: Args) => Promise<Result>
) => (...args: Args) => Promise<Result>

/**
 * Metrics on the application's own code, beside the HTTP metrics: how often each wrapped
 * function runs, how long it takes and how often it fails, and a span per call when tracing is
 * on. Every wrapped function's series exist (at zero) from the moment it is wrapped, so that
 * rate() and ratios work from the first scrape.
 */
export function createInstrument (registry: Registry, buckets: readonly number[], exemplars = false): Instrument {
  const calls = new Counter({
    name: 'service_a_function_calls_total',
    help: 'Calls of instrumented application functions, counted when they start.',
    labelNames: ['function'],
    registers: [registry]
  })
  const failures = new Counter({
    name: 'service_a_function_failures_total',
    help: 'Calls of instrumented application functions that threw or rejected.',
    labelNames: ['function'],
    registers: [registry]
  })
  const duration = histogram(registry, {
    name: 'service_a_function_duration_seconds',
    help: 'Time instrumented application functions took until they returned or failed, in seconds.',
    labelNames: ['function'],
    buckets: [...buckets]
  }, exemplars)

  return (name, fn) => {
    if (!FUNCTION_NAME.test(name)) throw new TypeError(`instrument: function name ${JSON.stringify(name)} must match ${FUNCTION_NAME}`)
    const labels = { function: name }
    calls.inc(labels, 0)
    failures.inc(labels, 0)
    duration.zero(labels)
    // Each call is a child span of the request's, named after the function, and its duration's
    // exemplar points to that trace.
    return async (...args) => tracer.startActiveSpan(name, async (span) => {
      calls.inc(labels)
      const stopTimer = duration.startTimer(labels, traceExemplar(span))
      const end = (): void => {
        stopTimer()
        span.end()
      }
      try {
        const result = await fn(...args)
        end()
        return result
      } catch (error) {
        failures.inc(labels)
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message })
        end()
        throw error
      }
    })
  }
}
