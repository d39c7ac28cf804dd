import * as common from '@grafana/grafana-foundation-sdk/common'
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap'
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus'
import { DATASOURCE, instantQuery, rangeQuery, ratioPanel, statPanel, thresholds, timeseriesPanel, type Section } from './panels.ts'
import { sloSection } from './slos.ts'

/**
 * The service-a dashboard (grafana/dashboards/service-a.json is generated from this: make
 * dashboards). Panels keep their ids across changes, so that links to a panel stay valid; the
 * SDK lays them out left to right in each row, wrapping at 24 columns.
 */

const job = 'job="service-a"'

export function serviceADashboard (): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder('service-a')
    .uid('service-a')
    .description('The SLOs, RED metrics per route and the Node.js runtime of service-a, from the stack\'s Prometheus.')
    .tags(['service-a', 'nodejs', 'red', 'slo'])
    .editable()
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .version(1)
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .refresh('30s')
    .fiscalYearStartMonth(0)
    .liveNow(false)
    .links([])
    .annotation(new dashboard.AnnotationQueryBuilder()
      .builtIn(1).name('Annotations & Alerts').type('dashboard')
      .datasource({ type: 'grafana', uid: '-- Grafana --' })
      .enable(true).hide(true).iconColor('rgba(0, 211, 255, 1)'))
  for (const section of [targetSection(), sloSection(), alertsSection(), redSection(), applicationSection(), runtimeSection()]) {
    builder.withRow(section.row)
    for (const panel of section.panels) builder.withPanel(panel)
  }
  return builder.build()
}

function targetSection (): Section {
  return {
    row: new dashboard.RowBuilder('Target').id(1),
    panels: [
      statPanel({ id: 2, title: 'Target up', description: "Whether Prometheus's last scrape of service-a succeeded (the up series)." },
        instantQuery('A', `up{${job}}`, '{{instance}}'))
        .mappings([{ type: dashboard.MappingType.ValueToText, options: { 0: { text: 'DOWN', color: 'red', index: 0 }, 1: { text: 'UP', color: 'green', index: 1 } } }])
        .thresholds(thresholds('red', [1, 'green'])),
      statPanel({ id: 3, title: 'Restarts', description: 'New process start times seen in the dashboard\'s time range.' },
        instantQuery('A', `changes(process_start_time_seconds{${job}}[$__range])`, '{{instance}}'))
        .thresholds(thresholds('green', [1, 'orange'], [3, 'red'])),
      statPanel({ id: 4, title: 'Uptime', description: 'Time since the service-a process started.' },
        instantQuery('A', `time() - process_start_time_seconds{${job}}`, '{{instance}}'))
        .unit('s')
        .thresholds(thresholds('green')),
      statPanel({ id: 5, title: 'Version', description: 'The running build of service-a and its Node.js version (service_a_build_info).' },
        instantQuery('A', `service_a_build_info{${job}}`, '{{version}} on Node.js {{nodejs_version}}'))
        .thresholds(thresholds('green'))
        .colorMode(common.BigValueColorMode.None)
        .textMode(common.BigValueTextMode.Name)
    ]
  }
}

/**
 * The stack's alerts as Prometheus evaluates them (its ALERTS series), by state and severity;
 * Alertmanager (:9093) routes the firing ones. `or vector(0)` makes none a 0, not "no data".
 */
function alertsSection (): Section {
  const count = (selector: string): string => `count(ALERTS{${selector}}) or vector(0)`
  const where = 'Details: Prometheus /alerts; routing and silences: Alertmanager.'
  return {
    row: new dashboard.RowBuilder('Alerts').id(24),
    panels: [
      statPanel({ id: 25, title: 'Critical alerts firing', description: `Alerts of prometheus/rules with severity critical that fire now. ${where}` },
        instantQuery('A', count('alertstate="firing", severity="critical"'), 'critical'))
        .span(8).thresholds(thresholds('green', [1, 'red'])),
      statPanel({ id: 26, title: 'Warning alerts firing', description: `Alerts of prometheus/rules with severity warning that fire now. ${where}` },
        instantQuery('A', count('alertstate="firing", severity="warning"'), 'warning'))
        .span(8).thresholds(thresholds('green', [1, 'orange'])),
      statPanel({ id: 27, title: 'Alerts pending', description: `Alerts whose condition holds but not yet for their "for" duration: they fire if it goes on. ${where}` },
        instantQuery('A', count('alertstate="pending"'), 'pending'))
        .span(8).thresholds(thresholds('green', [1, 'orange']))
    ]
  }
}

/** Latency quantile `q` per route, from the histogram's buckets. */
const quantile = (q: number): string =>
  `histogram_quantile(${q}, sum by (route, le) (rate(http_request_duration_seconds_bucket{${job}}[$__rate_interval])))`

function redSection (): Section {
  return {
    row: new dashboard.RowBuilder('RED: rate, errors, duration').id(6),
    panels: [
      timeseriesPanel({ id: 7, title: 'Request rate by route and status', description: 'Requests per second by route template and status code; unmatched paths are route <unmatched>.' }, 'reqps',
        [rangeQuery('A', `sum by (route, status_code) (rate(http_requests_total{${job}}[$__rate_interval]))`, '{{route}} {{status_code}}')]),
      // 1.44 %: 14.4 times the 0.1 % error budget, where a whole hour of it pages.
      ratioPanel({ id: 8, title: 'Error ratio (5xx) by route', description: 'Share of requests answered with a 5xx status over 5 minutes (recording rule job_route:http_request_error_ratio:rate5m). The line at 1.44 % is the availability SLO\'s fast burn: an hour of it pages.' },
        rangeQuery('A', `job_route:http_request_error_ratio:rate5m{${job}}`, '{{route}}'), 0.0144),
      timeseriesPanel({ id: 9, title: 'Latency p50 / p90 / p99 by route', description: 'Request duration quantiles estimated from the http_request_duration_seconds histogram.' }, 's', [
        rangeQuery('A', quantile(0.5), 'p50 {{route}}'),
        rangeQuery('B', quantile(0.9), 'p90 {{route}}'),
        // Exemplars link a point to the trace of one request in its bucket (Grafana's
        // exemplarTraceIdDestinations). Asked on p99 only: Prometheus returns the exemplars of
        // every series a selector matches, so each quantile would draw the same points again.
        rangeQuery('C', quantile(0.99), 'p99 {{route}}').exemplar(true)
      ]),
      timeseriesPanel({ id: 10, title: 'Requests in flight', description: 'Requests being served at scrape time.' }, 'none',
        [rangeQuery('A', `sum(http_requests_in_flight{${job}})`, 'in flight')]),
      // What the load generator's mix of delays, bad parameters and unknown paths makes visible.
      latencyHeatmap(),
      timeseriesPanel({ id: 23, title: 'Client errors (4xx) by route and status', description: 'Requests per second answered with a 4xx: bad parameters (400) by route, unknown paths (404) under route <unmatched>. Not errors: neither the 5xx ratio nor the availability SLO counts them against the service.' }, 'reqps',
        [rangeQuery('A', `sum by (route, status_code) (rate(http_requests_total{${job}, status_code=~"4.."}[$__rate_interval]))`, '{{route}} {{status_code}}')])
    ]
  }
}

/** Every request's duration by histogram bucket over time: the shape that quantiles summarise. */
function latencyHeatmap (): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .id(22).title('Latency distribution').datasource(DATASOURCE)
    .description('Requests per second in each http_request_duration_seconds bucket, all routes: the shape behind the quantiles.')
    .span(12).height(8)
    // The buckets are Prometheus' own: Grafana draws them as they are instead of re-bucketing.
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit('s'))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').fill('dark-orange')
      .scale(heatmap.HeatmapColorScale.Exponential).exponent(0.5).steps(64).reverse(false))
    .cellGap(1)
    .withTarget(rangeQuery('A', `sum by (le) (rate(http_request_duration_seconds_bucket{${job}}[$__rate_interval]))`, '{{le}}')
      .format(prometheus.PromQueryFormat.Heatmap)
      .exemplar(true))
}

function applicationSection (): Section {
  return {
    row: new dashboard.RowBuilder('Application code: instrumented functions').id(18),
    panels: [
      timeseriesPanel({ id: 19, title: 'Calls per second by function', description: 'Calls of the application functions wrapped with app.metrics.instrument() (service_a_function_calls_total), counted when they start.' }, 'reqps',
        [rangeQuery('A', `sum by (function) (rate(service_a_function_calls_total{${job}}[$__rate_interval]))`, '{{function}}')], 8)
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Off)),
      ratioPanel({ id: 20, title: 'Failure ratio by function', description: 'Share of calls that threw or rejected over 5 minutes (recording rule job_function:service_a_function_failure_ratio:rate5m).' },
        rangeQuery('A', `job_function:service_a_function_failure_ratio:rate5m{${job}}`, '{{function}}'), 0.05, 8),
      // From the raw buckets, not the recording rule job_function:…:histogram_quantile5m: a
      // recorded series has no exemplars, and these lead to the traces of slow calls.
      timeseriesPanel({ id: 21, title: 'Duration p99 by function', description: '99th percentile of the time each wrapped function took (service_a_function_duration_seconds); the dots are exemplars, each linked to the trace of one call.' }, 's',
        [rangeQuery('A', `histogram_quantile(0.99, sum by (function, le) (rate(service_a_function_duration_seconds_bucket{${job}}[$__rate_interval])))`, '{{function}}').exemplar(true)], 8)
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Off))
    ]
  }
}

function runtimeSection (): Section {
  const third = 8
  return {
    row: new dashboard.RowBuilder('Node.js runtime').id(11),
    panels: [
      timeseriesPanel({ id: 12, title: 'CPU', description: 'CPU time used per second, as a share of one core.' }, 'percentunit',
        [rangeQuery('A', `rate(process_cpu_seconds_total{${job}}[$__rate_interval])`, '{{instance}}')], third),
      timeseriesPanel({ id: 13, title: 'Resident memory', description: 'Resident set size of the process.' }, 'bytes',
        [rangeQuery('A', `process_resident_memory_bytes{${job}}`, 'RSS {{instance}}')], third),
      timeseriesPanel({ id: 14, title: 'Heap', description: 'V8 heap used and allocated.' }, 'bytes', [
        rangeQuery('A', `nodejs_heap_size_used_bytes{${job}}`, 'used {{instance}}'),
        rangeQuery('B', `nodejs_heap_size_total_bytes{${job}}`, 'total {{instance}}')
      ], third),
      timeseriesPanel({ id: 15, title: 'Event-loop lag', description: 'Event-loop delay percentiles; a blocked loop delays every request. The alert fires at p99 over 200 ms.' }, 's', [
        rangeQuery('A', `nodejs_eventloop_lag_p50_seconds{${job}}`, 'p50 {{instance}}'),
        rangeQuery('B', `nodejs_eventloop_lag_p99_seconds{${job}}`, 'p99 {{instance}}')
      ], third),
      timeseriesPanel({ id: 16, title: 'GC time', description: 'Time spent in garbage collection per second, by kind.' }, 'percentunit',
        [rangeQuery('A', `sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${job}}[$__rate_interval]))`, '{{kind}}')], third),
      timeseriesPanel({ id: 17, title: 'Active handles', description: 'libuv handles (sockets, timers, servers) and requests keeping the process busy.' }, 'none', [
        rangeQuery('A', `nodejs_active_handles_total{${job}}`, 'handles {{instance}}'),
        rangeQuery('B', `nodejs_active_requests_total{${job}}`, 'requests {{instance}}')
      ], third)
    ]
  }
}
