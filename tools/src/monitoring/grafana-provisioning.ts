import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml'
import { PATHS } from '../support/paths.ts'

/** The uid and URL of the provisioned Prometheus datasource, as the raw file states them. */
export function readPrometheusDatasource (dir: string = PATHS.grafanaDatasources): { uid: string, url: string } {
  for (const file of yamlFiles(dir)) {
    const found = datasources(readYaml(dir, file)).find((map) => map.get('type') === 'prometheus')
    if (found !== undefined) return { uid: String(found.get('uid')), url: String(found.get('url')) }
  }
  throw new Error(`no prometheus datasource is provisioned in ${dir}`)
}

export interface LocalProvisioning {
  prometheusUrl: string
  /** Where the derived provisioning folder is written. */
  outDir: string
}

/**
 * Writes the local run's Grafana provisioning: the stack's files with only the Prometheus URL
 * and the dashboards folder replaced. Grafana's provisioning can read environment variables
 * but has no default for an unset one, so deriving keeps the raw files valid as they are.
 */
export function deriveLocalProvisioning ({ prometheusUrl, outDir }: LocalProvisioning): void {
  const datasourcesDir = join(outDir, 'datasources')
  const dashboardsDir = join(outDir, 'dashboards')
  for (const dir of [datasourcesDir, dashboardsDir, join(outDir, 'plugins'), join(outDir, 'alerting')]) mkdirSync(dir, { recursive: true })
  for (const file of yamlFiles(PATHS.grafanaDatasources)) {
    const doc = readYaml(PATHS.grafanaDatasources, file)
    for (const map of datasources(doc)) if (map.get('type') === 'prometheus') map.set('url', prometheusUrl)
    writeFileSync(join(datasourcesDir, file), doc.toString())
  }
  for (const file of yamlFiles(PATHS.grafanaDashboardProviders)) {
    const doc = readYaml(PATHS.grafanaDashboardProviders, file)
    for (const provider of (doc.get('providers') as YAMLSeq<YAMLMap>).items) {
      if (provider.get('type') === 'file') provider.setIn(['options', 'path'], PATHS.grafanaDashboards)
    }
    writeFileSync(join(dashboardsDir, file), doc.toString())
  }
}

function yamlFiles (dir: string): string[] {
  return readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort()
}

function readYaml (dir: string, file: string): Document {
  return parseDocument(readFileSync(join(dir, file), 'utf8'))
}

function datasources (doc: Document): YAMLMap[] {
  return (doc.get('datasources') as YAMLSeq<YAMLMap> | undefined)?.items ?? []
}
