import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml'
import { prometheus3 } from '../monitoring/prometheus-server.ts'
import { REPO_ROOT } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

/** The stack's Alertmanager config, the one source of truth of the cluster, the local run and the tests. */
export const ALERTMANAGER_CONFIG = `${REPO_ROOT}alertmanager/alertmanager.yml`

export const ALERTMANAGER_MISSING = 'Alertmanager: no prometheus-alertmanager (or alertmanager) binary on PATH, ' +
  'so the local run goes without it. Run scripts/install-alertmanager.sh (Debian\'s package, with apt-get), ' +
  'or put an alertmanager binary from https://prometheus.io/download/#alertmanager on PATH.'

/** Debian's binary is `prometheus-alertmanager`; upstream's release tarball has `alertmanager`. */
export function findAlertmanager (path: string | undefined = process.env.PATH): string | undefined {
  return findExecutable('prometheus-alertmanager', path) ?? findExecutable('alertmanager', path)
}

/** Starts Alertmanager on a loopback port (silences in `dataDir`) and resolves once /-/ready answers 200. */
export async function startAlertmanager ({ binary, configFile, dataDir, port, logFile, signal }: { binary: string, configFile: string, dataDir: string, port: number, logFile: string, signal?: AbortSignal }): Promise<{ url: string, child: Child }> {
  mkdirSync(dataDir, { recursive: true })
  const url = `http://127.0.0.1:${port}`
  // As in the Deployment: one instance, no gossip port (which would also take :9094).
  const args = [`--config.file=${configFile}`, `--storage.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=']
  const child = await startReady(binary, args, `${url}/-/ready`, { name: 'alertmanager', output: { file: logFile }, detached: true, signal })
  return { url, child }
}

/**
 * The stack's config with only the default receiver given a webhook (and each receiver named in
 * `otherWebhooks` its own) and the default route's group timers shortened (a test waits seconds).
 */
export function deriveTestConfig (sourceFile: string, { webhookUrl, groupWait, groupInterval, otherWebhooks = {} }: { webhookUrl: string, groupWait: string, groupInterval: string, otherWebhooks?: Record<string, string> }): string {
  const doc = parseDocument(readFileSync(sourceFile, 'utf8'))
  const receivers = (doc.get('receivers') as YAMLSeq<YAMLMap> | undefined)?.items ?? []
  for (const [name, url] of [[doc.getIn(['route', 'receiver']), webhookUrl], ...Object.entries(otherWebhooks)]) {
    const receiver = receivers.find((item) => item.get('name') === name)
    if (receiver === undefined) throw new Error(`${sourceFile}: the receiver "${String(name)}" is not defined`)
    receiver.set('webhook_configs', doc.createNode([{ url, send_resolved: false }]))
  }
  doc.setIn(['route', 'group_wait'], groupWait)
  doc.setIn(['route', 'group_interval'], groupInterval)
  return doc.toString()
}

/**
 * The config with its commented examples switched on, to check that they stay valid. An
 * example starts at a comment `# routes:`, `# - name: ...`, `# - receiver: ...` or
 * `# webhook_configs:` and goes on over the comment lines indented deeper than it; each loses
 * its `# `, so it lands where the comment was.
 */
export function uncommentExamples (text: string): string {
  let indent: string | undefined
  return text.split('\n').map((line) => {
    const start = /^(\s*)# (?:routes:|- name: |- receiver: |webhook_configs:)/.exec(line)
    if (start !== null) indent = start[1]!
    else if (indent === undefined || !line.startsWith(`${indent}#   `)) indent = undefined
    return indent === undefined ? line : indent + line.slice(indent.length + 2)
  }).join('\n')
}

/**
 * The real binaries of the alerting tests: Alertmanager and amtool from Debian sid (the line
 * nearest the cluster's image; `hack/offline-workarounds/install-alertmanager-sid.sh`),
 * Prometheus 3.x. A missing one fails with the command that installs it, never skips.
 */
export function alertingBinaries (env: NodeJS.ProcessEnv = process.env): { alertmanager: string, amtool: string, prometheus: string } {
  const [alertmanager, amtool] = ['alertmanager', 'amtool'].map((name) => `${env.ALERTMANAGER_DIR ?? `${REPO_ROOT}.tools/alertmanager`}/bin/${name}`) as [string, string]
  for (const file of [alertmanager, amtool]) if (!existsSync(file)) throw new Error(`${file} is missing: run hack/offline-workarounds/install-alertmanager-sid.sh (make test-monitoring does)`)
  return { alertmanager, amtool, prometheus: prometheus3(env) }
}
