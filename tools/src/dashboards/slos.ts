import * as common from '@grafana/grafana-foundation-sdk/common'
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import { instantQuery, rangeQuery, statPanel, thresholds, timeseriesPanel, type Section } from './panels.ts'

/**
 * The SLO row: what prometheus/slos/service-a.yml promises, how much of each 30-day error budget
 * is left, and how fast each window burns it, from the rules Sloth generates (slo:* series,
 * labelled sloth_service and sloth_slo).
 */

const service = 'sloth_service="service-a"'

/**
 * The burn rate of one SLO over each of Sloth's windows: its error ratio divided by its error
 * budget, so 1 spends the budget in exactly 30 days and 14.4 in about 2.
 */
const burnRates = (slo: string): string =>
  `{__name__=~"slo:sli_error:ratio_rate(5m|30m|1h|2h|6h|1d|3d)", ${service}, sloth_slo="${slo}"}\n` +
  `/ on (sloth_id, sloth_service, sloth_slo) group_left\nslo:error_budget:ratio{${service}, sloth_slo="${slo}"}`

/** The burn rates the alerts compare against: tickets at 1x and 3x, pages at 6x and 14.4x. */
const ALERT_LEVELS = thresholds('green', [1, 'yellow'], [3, 'orange'], [6, 'red'], [14.4, 'dark-red'])

function burnRatePanel (id: number, slo: string, what: string): timeseries.PanelBuilder {
  return timeseriesPanel({
    id,
    title: `Burn rate: ${what}`,
    description: `How fast each window spends the 30-day error budget of ${slo} (1x: all of it in 30 days). ` +
      'The alert lines: a ticket at 1x over 3d and 6h or 3x over 1d and 2h; a page at 6x over 6h and 30m or 14.4x over 1h and 5m (both windows of a pair above the line).'
  }, 'none', [rangeQuery('A', burnRates(slo), '{{sloth_window}}')])
    .decimals(2)
    .thresholds(ALERT_LEVELS)
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
}

export function sloSection (): Section {
  return {
    row: new dashboard.RowBuilder('Service level objectives (30 days)').id(28),
    panels: [
      statPanel({ id: 29, title: 'Objectives', description: 'The share of good events each SLO of prometheus/slos/service-a.yml promises over 30 days: requests-availability (answers that are not 5xx), requests-latency (GET / and GET /hello/:name within 1 s).' },
        instantQuery('A', `max by (sloth_slo) (slo:objective:ratio{${service}})`, '{{sloth_slo}}'))
        .span(12).unit('percentunit').decimals(1)
        .thresholds(thresholds('blue'))
        .textMode(common.BigValueTextMode.ValueAndName),
      statPanel({ id: 30, title: 'Error budget remaining (30 days)', description: 'The share of each SLO\'s 30-day error budget not yet spent (below 0: overspent). Sloth averages the 5-minute error ratios over 30 days, or over the data there is when Prometheus holds less.' },
        instantQuery('A', `max by (sloth_slo) (slo:period_error_budget_remaining:ratio{${service}})`, '{{sloth_slo}}'))
        .span(12).unit('percentunit').decimals(1)
        .thresholds(thresholds('red', [0, 'orange'], [0.25, 'green']))
        .textMode(common.BigValueTextMode.ValueAndName),
      burnRatePanel(31, 'requests-availability', 'availability (5xx)'),
      burnRatePanel(32, 'requests-latency', 'latency (over 1 s)')
    ]
  }
}
