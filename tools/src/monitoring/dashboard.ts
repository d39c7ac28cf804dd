import { readFileSync } from 'node:fs'

/** The parts of a Grafana dashboard JSON model that the checks read. */
export interface Dashboard {
  uid?: string
  title?: string
  schemaVersion?: number
  panels?: Panel[]
}

export interface Panel {
  id?: number
  type?: string
  title?: string
  gridPos?: { x: number, y: number, w: number, h: number }
  datasource?: { type?: string, uid?: string }
  targets?: Array<{ refId?: string, expr?: string, datasource?: { type?: string, uid?: string } }>
  /** A collapsed row keeps its panels inside it. */
  panels?: Panel[]
}

export interface PanelQuery { panel: string, refId: string, expr: string }

export function loadDashboard (file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard
}

/** Every panel, with those inside collapsed rows. */
export function allPanels (dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])])
}

export function panelQueries (dashboard: Dashboard): PanelQuery[] {
  return allPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => ({
    panel: panel.title ?? `panel ${panel.id}`, refId: target.refId ?? '?', expr: target.expr ?? ''
  })))
}

export interface GrafanaRange {
  /** Seconds covered by the dashboard's time range. */
  rangeSeconds: number
  /** The query step Grafana picked, in seconds. */
  intervalSeconds: number
  /** The datasource's scrape interval (its `timeInterval`), in seconds. */
  scrapeIntervalSeconds: number
}

/**
 * Replaces Grafana's built-in variables as Grafana does before sending a query:
 * $__rate_interval is max(interval + scrape interval, 4 × scrape interval).
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
 */
export function substituteGrafanaVariables (expr: string, range: GrafanaRange): string {
  const rateInterval = Math.max(range.intervalSeconds + range.scrapeIntervalSeconds, 4 * range.scrapeIntervalSeconds)
  return expr
    .replaceAll('$__rate_interval', `${rateInterval}s`)
    .replaceAll('$__range_s', String(range.rangeSeconds))
    .replaceAll('$__range', `${range.rangeSeconds}s`)
    .replaceAll('$__interval_ms', String(range.intervalSeconds * 1000))
    .replaceAll('$__interval', `${range.intervalSeconds}s`)
}

const GRID_WIDTH = 24

/**
 * Problems that would make the dashboard fail to load or show "datasource not found" on a
 * Grafana other than the author's: an empty list means the dashboard is sound.
 */
export function lintDashboard (dashboard: Dashboard, datasourceUid: string): string[] {
  const problems: string[] = []
  if (typeof dashboard.uid !== 'string' || dashboard.uid === '') problems.push('the dashboard has no fixed uid')
  if (typeof dashboard.title !== 'string' || dashboard.title === '') problems.push('the dashboard has no title')
  if (typeof dashboard.schemaVersion !== 'number') problems.push('the dashboard has no schemaVersion')
  const ids = new Set<number>()
  const cells = new Map<string, string>()
  for (const panel of allPanels(dashboard)) {
    const name = `panel ${panel.id ?? '?'} "${panel.title ?? ''}"`
    if (typeof panel.id !== 'number') problems.push(`${name} has no numeric id`)
    else if (ids.has(panel.id)) problems.push(`${name} repeats the id ${panel.id}`)
    else ids.add(panel.id)
    if (panel.title === undefined || panel.title === '') problems.push(`${name} has no title`)
    problems.push(...gridProblems(name, panel.gridPos, cells))
    if (panel.type === 'row') continue
    if (panel.datasource?.uid !== datasourceUid) problems.push(`${name} uses datasource uid ${panel.datasource?.uid} instead of ${datasourceUid}`)
    const targets = panel.targets ?? []
    if (targets.length === 0) problems.push(`${name} has no query`)
    const refIds = new Set<string>()
    for (const target of targets) {
      if (target.refId === undefined || target.refId === '') problems.push(`${name} has a query without refId`)
      else if (refIds.has(target.refId)) problems.push(`${name} repeats the refId ${target.refId}`)
      else refIds.add(target.refId)
      if (target.expr === undefined || target.expr.trim() === '') problems.push(`${name} query ${target.refId} has no expr`)
      if (target.datasource !== undefined && target.datasource.uid !== datasourceUid) {
        problems.push(`${name} query ${target.refId} uses datasource uid ${target.datasource.uid} instead of ${datasourceUid}`)
      }
    }
  }
  return problems
}

/** A gridPos inside the 24 columns that covers no cell another panel covers. */
function gridProblems (name: string, grid: Panel['gridPos'], cells: Map<string, string>): string[] {
  if (grid === undefined) return [`${name} has no gridPos`]
  const { x, y, w, h } = grid
  if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 1 || h < 1 || x + w > GRID_WIDTH) {
    return [`${name} has a gridPos outside the ${GRID_WIDTH}-column grid: ${JSON.stringify(grid)}`]
  }
  for (let row = y; row < y + h; row++) {
    for (let column = x; column < x + w; column++) {
      const owner = cells.get(`${column},${row}`)
      if (owner !== undefined) return [`${name} overlaps ${owner}`]
      cells.set(`${column},${row}`, name)
    }
  }
  return []
}
