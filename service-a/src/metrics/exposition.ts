import Negotiator from 'negotiator'
import { Registry, type OpenMetricsContentType } from 'prom-client'

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4'
const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0'

/**
 * One set of metric objects rendered in either exposition format. prom-client fixes the format
 * per registry, so a second registry holds the very same metric objects (nothing is collected twice).
 * @see https://prometheus.io/docs/instrumenting/content_negotiation/
 */
export class Exposition {
  readonly registry: Registry
  readonly #openMetrics = new Registry<OpenMetricsContentType>()

  constructor (registry: Registry) {
    this.registry = registry
    this.#openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  }

  /** Call once every metric is registered. */
  mirror (): void {
    for (const { name } of this.registry.getMetricsAsArray()) {
      this.#openMetrics.registerMetric(this.registry.getSingleMetric(name)!)
    }
  }

  /** The registry whose format the `Accept` header prefers; Prometheus text when it names neither. */
  negotiate (accept: string | undefined): Registry<OpenMetricsContentType> | Registry {
    const preferred = new Negotiator({ headers: { accept } }).mediaType([PROMETHEUS_TEXT, OPENMETRICS_TEXT])
    return preferred === OPENMETRICS_TEXT ? this.#openMetrics : this.registry
  }
}
