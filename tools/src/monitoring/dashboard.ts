import { globSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { PATHS } from '../support/paths.ts'

/** The parts of a Grafana dashboard JSON model that the checks read. */
export interface Dashboard { uid?: string, title?: string, schemaVersion?: number, panels?: Panel[] }

interface DatasourceRef { type?: string, uid?: string }

/** A panel; a collapsed row keeps its panels inside it. */
export interface Panel { id?: number, type?: string, title?: string, gridPos?: { x: number, y: number, w: number, h: number }, datasource?: DatasourceRef, targets?: Array<{ refId?: string, expr?: string, exemplar?: boolean, datasource?: DatasourceRef }>, panels?: Panel[] }

export const loadDashboard = (file: string = PATHS.dashboard): Dashboard => JSON.parse(readFileSync(file, 'utf8'))

/** The uid and URL of the provisioned Prometheus datasource, as the raw files state them. */
export function readPrometheusDatasource (dir: string = PATHS.grafanaDatasources): { uid: string, url: string } {
  const found = globSync(`${dir}/*.{yml,yaml}`).sort()
    .flatMap((file) => parse(readFileSync(file, 'utf8'))?.datasources ?? [])
    .find((source: { type?: string }) => source.type === 'prometheus')
  if (found === undefined) throw new Error(`no prometheus datasource is provisioned in ${dir}`)
  return { uid: found.uid, url: found.url }
}

/** Every panel, with those inside collapsed rows. */
export const allPanels = (dashboard: Dashboard): Panel[] => (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])])

export const panelQueries = (dashboard: Dashboard): Array<{ panel: string, refId: string, expr: string, exemplar: boolean }> =>
  allPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => ({
    panel: panel.title ?? `panel ${panel.id}`, refId: target.refId ?? '?', expr: target.expr ?? '', exemplar: target.exemplar === true
  })))

/**
 * Replaces Grafana's built-in variables as Grafana does before sending a query (all in
 * seconds): $__rate_interval is max(interval + scrape interval, 4 × scrape interval).
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
 */
export function substituteGrafanaVariables (expr: string, { rangeSeconds, intervalSeconds, scrapeIntervalSeconds }: Record<'rangeSeconds' | 'intervalSeconds' | 'scrapeIntervalSeconds', number>): string {
  return expr
    .replaceAll('$__rate_interval', `${Math.max(intervalSeconds + scrapeIntervalSeconds, 4 * scrapeIntervalSeconds)}s`)
    .replaceAll('$__range_s', String(rangeSeconds))
    .replaceAll('$__range', `${rangeSeconds}s`)
    .replaceAll('$__interval_ms', String(intervalSeconds * 1000))
    .replaceAll('$__interval', `${intervalSeconds}s`)
}

const GRID_WIDTH = 24

/**
 * Problems that would make the dashboard fail to load or show "datasource not found" on a
 * Grafana other than the author's: an empty list means the dashboard is sound.
 */
export function lintDashboard (dashboard: Dashboard, datasourceUid: string): string[] {
  const problems: string[] = []
  for (const key of ['uid', 'title'] as const) if (typeof dashboard[key] !== 'string' || dashboard[key] === '') problems.push(`the dashboard has no ${key === 'uid' ? 'fixed uid' : key}`)
  if (typeof dashboard.schemaVersion !== 'number') problems.push('the dashboard has no schemaVersion')
  const ids = new Set<number>()
  const cells = new Map<string, string>()
  /** Adds `problem` unless `value` is new in `seen` (and so marks it seen). */
  const repeated = <T> (seen: Set<T>, value: T, problem: string): void => { if (seen.has(value)) problems.push(problem); else seen.add(value) }
  for (const panel of allPanels(dashboard)) {
    const name = `panel ${panel.id ?? '?'} "${panel.title ?? ''}"`
    if (typeof panel.id !== 'number') problems.push(`${name} has no numeric id`)
    else repeated(ids, panel.id, `${name} repeats the id ${panel.id}`)
    if (panel.title === undefined || panel.title === '') problems.push(`${name} has no title`)
    problems.push(...gridProblems(name, panel.gridPos, cells))
    if (panel.type === 'row') continue
    if (panel.datasource?.uid !== datasourceUid) problems.push(`${name} uses datasource uid ${panel.datasource?.uid} instead of ${datasourceUid}`)
    if ((panel.targets ?? []).length === 0) problems.push(`${name} has no query`)
    const refIds = new Set<string>()
    for (const { refId, expr, datasource } of panel.targets ?? []) {
      if (refId === undefined || refId === '') problems.push(`${name} has a query without refId`)
      else repeated(refIds, refId, `${name} repeats the refId ${refId}`)
      if (expr === undefined || expr.trim() === '') problems.push(`${name} query ${refId} has no expr`)
      if (datasource !== undefined && datasource.uid !== datasourceUid) problems.push(`${name} query ${refId} uses datasource uid ${datasource.uid} instead of ${datasourceUid}`)
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
  const covered = Array.from({ length: w * h }, (_, i) => `${x + (i % w)},${y + Math.floor(i / w)}`)
  const owner = covered.map((cell) => cells.get(cell)).find((found) => found !== undefined)
  if (owner !== undefined) return [`${name} overlaps ${owner}`]
  for (const cell of covered) cells.set(cell, name)
  return []
}
