import type { Builder } from '@grafana/grafana-foundation-sdk/cog'
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard'
import * as common from '@grafana/grafana-foundation-sdk/common'
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus'
import * as stat from '@grafana/grafana-foundation-sdk/stat'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'

/**
 * The house style of the stack's panels on top of the foundation SDK's builders: every panel
 * and query names the provisioned datasource by uid (grafana/provisioning/datasources), so the
 * dashboard works on any Grafana the stack provisions; refIds are set here, since the SDK
 * leaves them to the author.
 */

export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: 'prometheus' }

/** A query drawn over the dashboard's time range. */
export function rangeQuery (refId: string, expr: string, legendFormat: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(refId).expr(expr).legendFormat(legendFormat).range()
}

/** A query evaluated once, at the end of the time range: the stat panels' kind. */
export function instantQuery (refId: string, expr: string, legendFormat: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(refId).expr(expr).legendFormat(legendFormat).instant()
}

/** Steps of absolute thresholds; the first one applies from minus infinity (value null). */
export function thresholds (first: string, ...steps: Array<[number, string]>): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: first }, ...steps.map(([value, color]) => ({ value, color }))])
}

export interface PanelText { id: number, title: string, description: string }

/** A row and the panels under it. */
export interface Section { row: dashboard.RowBuilder, panels: Array<Builder<dashboard.Panel>> }

/** A single figure, the last value of an instant query, 6 columns by 4 rows. */
export function statPanel ({ id, title, description }: PanelText, target: prometheus.DataqueryBuilder): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .id(id).title(title).description(description).datasource(DATASOURCE)
    .span(6).height(4)
    .unit('none')
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .withTarget(target)
}

/** A graph, half the width (or a third with `span` 8) by 8 rows, lines without points, from zero. */
export function timeseriesPanel ({ id, title, description }: PanelText, unit: string, targets: prometheus.DataqueryBuilder[], span = 12): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .id(id).title(title).description(description).datasource(DATASOURCE)
    .span(span).height(8)
    .unit(unit).min(0)
    .drawStyle(common.GraphDrawStyle.Line).lineWidth(1).fillOpacity(10)
    .showPoints(common.VisibilityMode.Never).spanNulls(false)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
  for (const target of targets) panel.withTarget(target)
  return panel
}

/** A ratio from 0 to 1 with a red line at the alert's threshold. */
export function ratioPanel (text: PanelText, target: prometheus.DataqueryBuilder, alertAbove: number, span = 12): timeseries.PanelBuilder {
  return timeseriesPanel(text, 'percentunit', [target], span)
    .max(1)
    .thresholds(thresholds('green', [alertAbove, 'red']))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
}
