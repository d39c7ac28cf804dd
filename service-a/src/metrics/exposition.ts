import Negotiator from 'negotiator'
import { Counter, Histogram, Registry, type HistogramConfiguration, type OpenMetricsContentType } from 'prom-client'

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4'
const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0'

export interface MetricsPage {
  contentType: string
  body: string
}

/**
 * The registry's metrics in the format the `Accept` header prefers: OpenMetrics 1.0.0 when the
 * scraper asks for it (Prometheus 2.x and 3.x do), the Prometheus text format otherwise, and for
 * versions this page does not speak.
 * @see https://prometheus.io/docs/instrumenting/content_negotiation/
 */
export async function renderMetrics (registry: Registry, accept: string | undefined): Promise<MetricsPage> {
  const preferred = new Negotiator({ headers: { accept: formatChoosingParameters(accept) } }).mediaType([PROMETHEUS_TEXT, OPENMETRICS_TEXT])
  if (preferred !== OPENMETRICS_TEXT) return { contentType: registry.contentType, body: await registry.metrics() }
  const openMetrics = await openMetricsRegistry(registry)
  return { contentType: openMetrics.contentType, body: await openMetrics.metrics() }
}

/**
 * The `Accept` header with only the parameters that choose a format: `version` (and `q`).
 * Prometheus 3 adds `escaping=allow-utf-8` (or `underscores`) to each type, which says how it
 * wants names that are not legacy names escaped. prom-client accepts legacy names only, so
 * any escaping gives the same page; left in, it would fail negotiator's exact parameter match
 * and Prometheus 3 would get the text format.
 * @see https://github.com/prometheus/prometheus/blob/main/scrape/scrape.go (acceptHeader)
 */
function formatChoosingParameters (accept: string | undefined): string | undefined {
  return accept?.split(',').map((range) => range.split(';').filter((part, index) => index === 0 || /^\s*(?:version|q)\s*=/i.test(part)).join(';')).join(',')
}

/**
 * prom-client fixes the format per registry, so OpenMetrics needs a second one. It cannot hold the
 * very same counters: rendering OpenMetrics renames a counter in place (`http_requests_total`
 * becomes `http_requests`), and every text scrape after it would carry the wrong name. So it holds
 * a copy of each counter's current values, made per scrape, and the other metrics themselves.
 * @see https://github.com/prometheus/client_js/pull/829
 */
async function openMetricsRegistry (registry: Registry): Promise<Registry<OpenMetricsContentType>> {
  const openMetrics = new Registry<OpenMetricsContentType>()
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  for (const { name } of registry.getMetricsAsArray()) {
    const metric = registry.getSingleMetric(name)!
    if (!(metric instanceof Counter)) {
      openMetrics.registerMetric(metric)
      continue
    }
    const { help, values } = await metric.get()
    // A labelled counter that has counted nothing yet has no sample to show in either format.
    if (values.length === 0) continue
    const labelNames = [...new Set(values.flatMap((value) => Object.keys(value.labels)))]
    const copy = new Counter({ name, help, labelNames, registers: [openMetrics] })
    for (const { labels, value } of values) copy.inc(labels, value)
  }
  return openMetrics
}

/**
 * A histogram in `registry`; with `exemplars`, one whose observations can carry a trace id. Only
 * with tracing on: without a trace an exemplar points nowhere, and prom-client's exemplar path
 * costs on every observation.
 * prom-client's constructor refuses an exemplar-enabled metric in a text registry, whose format
 * has no place for exemplars, but the registry renders it without them; the OpenMetrics page,
 * made from the same metric objects, shows them. Only histograms: prom-client 15 reports a
 * counter exemplar's value wrongly (prometheus/client_js#621).
 * @see https://github.com/prometheus/client_js/blob/master/lib/metric.js ("Exemplars are supported only on OpenMetrics registries")
 */
export function histogram<T extends string> (registry: Registry, configuration: HistogramConfiguration<T>, exemplars: boolean): Histogram<T> {
  if (!exemplars) return new Histogram({ ...configuration, registers: [registry] })
  const made = new Histogram({ ...configuration, enableExemplars: true, registers: [] })
  registry.registerMetric(made)
  return made
}
