import { trace, TraceFlags, type Span } from '@opentelemetry/api'

// The active span's ids where metrics and logs point to traces. Without tracing (no SDK) there
// is never an active span, and each of these is one cheap lookup that finds nothing.

/** No exemplar, for prom-client's observe(). */
const NONE: Record<string, string> = Object.freeze({})

/**
 * The exemplar labels that tie an observation to its trace: the active span's `trace_id`, for
 * sampled spans only (an unsampled trace is exported nowhere, so the link would lead nowhere).
 */
export function traceExemplar (span: Span | undefined = trace.getActiveSpan()): Record<string, string> {
  if (span === undefined) return NONE
  const { traceId, traceFlags } = span.spanContext()
  return (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? { trace_id: traceId } : NONE
}

/**
 * The active span's ids for a log line (pino's mixin), so that logs and traces join on
 * `trace_id`; none without a span. A new object each time: pino merges the line into it.
 */
export function traceContextOfLog (): Record<string, string> {
  const span = trace.getActiveSpan()
  if (span === undefined) return {}
  const { traceId, spanId } = span.spanContext()
  return { trace_id: traceId, span_id: spanId }
}
