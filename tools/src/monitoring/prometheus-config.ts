import { readdirSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { parseDocument, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml'

export interface DeriveOptions {
  /** host:port of service-a, replacing the stack's `service-a:80`. */
  serviceTarget: string
  /** host:port Prometheus listens on, for its own scrape job. */
  prometheusTarget: string
  /** Tests only: a shorter scrape and evaluation interval than the stack's 15s. */
  interval?: string
}

/**
 * Derives the local run's Prometheus config from the stack's file: the same text with only the
 * target addresses (and, for tests, the intervals) replaced. Rule file patterns become absolute,
 * so the derived file can live in a run folder while the rules stay where they are.
 * Throws when a job the stack relies on is missing: then the source file is wrong.
 */
export function deriveLocalConfig (sourceFile: string, options: DeriveOptions): string {
  const doc = parseDocument(readFileSync(sourceFile, 'utf8'))
  setTarget(doc, 'service-a', options.serviceTarget)
  setTarget(doc, 'prometheus', options.prometheusTarget)
  const ruleFiles = doc.get('rule_files') as YAMLSeq<Scalar<string>> | undefined
  for (const item of ruleFiles?.items ?? []) {
    if (!isAbsolute(item.value)) item.value = resolve(dirname(sourceFile), item.value)
  }
  if (options.interval !== undefined) {
    doc.setIn(['global', 'scrape_interval'], options.interval)
    doc.setIn(['global', 'evaluation_interval'], options.interval)
  }
  return doc.toString()
}

function setTarget (doc: Document, job: string, target: string): void {
  const jobs = (doc.get('scrape_configs') as YAMLSeq<YAMLMap> | undefined)?.items ?? []
  const found = jobs.find((item) => item.get('job_name') === job)
  const targets = found?.getIn(['static_configs', 0, 'targets']) as YAMLSeq | undefined
  if (targets === undefined) throw new Error(`prometheus.yml has no job "${job}" with static_configs targets`)
  const node = doc.createNode(target)
  node.type = 'QUOTE_SINGLE'
  targets.items = [node]
}

export interface RuleNames {
  records: string[]
  alerts: string[]
}

/** The recording and alerting rule names defined in every *.yml file of a rules folder. */
export function readRuleNames (rulesDir: string): RuleNames {
  const names: RuleNames = { records: [], alerts: [] }
  for (const file of readdirSync(rulesDir).filter((name) => name.endsWith('.yml')).sort()) {
    const content = parseDocument(readFileSync(join(rulesDir, file), 'utf8')).toJS() as RuleFile
    for (const group of content.groups) {
      for (const rule of group.rules) {
        if (rule.record !== undefined) names.records.push(rule.record)
        if (rule.alert !== undefined) names.alerts.push(rule.alert)
      }
    }
  }
  names.records = [...new Set(names.records)]
  return names
}

interface RuleFile {
  groups: Array<{ name: string, rules: Array<{ record?: string, alert?: string }> }>
}
