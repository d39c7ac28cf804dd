import { globSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import { PATHS } from '../support/paths.ts'

interface Job { job_name: string, static_configs?: Array<{ targets?: string[] }> }

/**
 * The local run's config, derived from the stack's file: the jobs of its scrape_config_files
 * inlined (make run's Prometheus 2.42 predates them, 3.x reads both), relative rule patterns
 * made absolute (the derived file lives in the run folder), and only the host:port targets of
 * service-a, Prometheus and Alertmanager changed (and, for tests, the intervals). Without an
 * Alertmanager the `alerting:` block goes: Prometheus would log a failed send at every
 * evaluation. A job the stack relies on that is missing is an error.
 */
export function deriveLocalConfig (file: string, { serviceTarget, prometheusTarget, alertmanagerTarget, interval }: { serviceTarget: string, prometheusTarget: string, alertmanagerTarget?: string, interval?: string }): string {
  const dir = dirname(file)
  const config = parse(readFileSync(file, 'utf8')) ?? {}
  // Prometheus appends the files' jobs, in the sorted order of each pattern's matches.
  const files: string[] = (config.scrape_config_files ?? []).flatMap((pattern: string) => globSync(resolve(dir, pattern)).sort())
  const jobs: Job[] = [...(config.scrape_configs ?? []), ...files.flatMap((f) => parse(readFileSync(f, 'utf8'))?.scrape_configs ?? [])]
  for (const [name, target] of [['service-a', serviceTarget], ['prometheus', prometheusTarget]] as const) {
    const first = jobs.find((job) => job.job_name === name)?.static_configs?.[0]
    if (first?.targets === undefined) throw new Error(`${file} has no job "${name}" with static_configs targets`)
    first.targets = [target]
  }
  if (alertmanagerTarget === undefined) delete config.alerting
  else setAlertmanagerTarget(config, alertmanagerTarget)
  delete config.scrape_config_files
  config.scrape_configs = jobs
  if (config.rule_files !== undefined) config.rule_files = config.rule_files.map((pattern: string) => resolve(dir, pattern))
  if (interval !== undefined) config.global = { ...config.global, scrape_interval: interval, evaluation_interval: interval }
  return stringify(config)
}

/**
 * Points the `alerting:` block of a parsed prometheus.yml at `target` instead of the stack's
 * Service (alertmanager/k8s/); everything else in the block stays. Throws when the block does
 * not send to the stack's Alertmanager: then alerts would go nowhere.
 */
function setAlertmanagerTarget (config: { alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }> }> } }, target: string): void {
  const service = 'alertmanager:9093'
  const found = (config.alerting?.alertmanagers ?? []).flatMap((group) => group.static_configs ?? []).map((c) => c.targets ?? []).filter((targets) => targets.includes(service))
  if (found.length === 0) throw new Error(`prometheus.yml sends no alerts to ${service}: no static_configs target of alerting.alertmanagers is ${service}`)
  for (const targets of found) targets.splice(targets.indexOf(service), 1, target)
}

/** A rule of one of the stack's rule files, with the file's name. */
export interface Rule { file: string, record?: string, alert?: string, expr?: string, labels?: Record<string, string>, annotations?: Record<string, string> }

/** Every rule of every *.yml file of a rules folder, in file order. */
export function readRules (dir: string = PATHS.prometheusRules): Rule[] {
  return globSync(join(dir, '*.yml')).sort().flatMap((path) => {
    const groups = (parse(readFileSync(path, 'utf8')) as { groups?: Array<{ rules?: Rule[] }> } | null)?.groups ?? []
    return groups.flatMap((group) => group.rules ?? []).map((rule) => ({ ...rule, file: basename(path) }))
  })
}

/** The recording (each once) and alerting rule names of every rule file of the stack. */
export function readRuleNames (dir: string = PATHS.prometheusRules): { records: string[], alerts: string[] } {
  const rules = readRules(dir)
  return { records: [...new Set(rules.flatMap((rule) => rule.record ?? []))], alerts: rules.flatMap((rule) => rule.alert ?? []) }
}
