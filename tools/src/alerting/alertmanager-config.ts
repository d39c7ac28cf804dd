import { readFileSync } from 'node:fs'
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml'
import { REPO_ROOT } from '../support/paths.ts'

/** The stack's Alertmanager config, the one source of truth of the cluster, the local run and the tests. */
export const ALERTMANAGER_CONFIG = `${REPO_ROOT}alertmanager/alertmanager.yml`

export interface TestReceiverOptions {
  /** Where the default receiver posts its notifications instead of nowhere. */
  webhookUrl: string
  /** Shorter group timers than the stack's 30s / 5m, so that a test waits seconds. */
  groupWait: string
  groupInterval: string
}

/**
 * The stack's config with only the default receiver given a webhook on loopback and the group
 * timers shortened: routes, grouping and inhibition stay exactly as shipped.
 */
export function deriveTestConfig (sourceFile: string, options: TestReceiverOptions): string {
  const doc = parseDocument(readFileSync(sourceFile, 'utf8'))
  const name = doc.getIn(['route', 'receiver'])
  const receivers = (doc.get('receivers') as YAMLSeq<YAMLMap> | undefined)?.items ?? []
  const receiver = receivers.find((item) => item.get('name') === name)
  if (receiver === undefined) throw new Error(`${sourceFile}: the route's receiver "${String(name)}" is not defined`)
  receiver.set('webhook_configs', doc.createNode([{ url: options.webhookUrl, send_resolved: false }]))
  doc.setIn(['route', 'group_wait'], options.groupWait)
  doc.setIn(['route', 'group_interval'], options.groupInterval)
  return doc.toString()
}

/**
 * The config with its commented examples switched on, to check that they stay valid. An
 * example starts at a comment `# routes:` or `# - name: ...` and goes on over the comment lines
 * indented deeper than it; each loses its `# `, so it lands where the comment was.
 */
export function uncommentExamples (text: string): string {
  let indent: string | undefined
  return text.split('\n').map((line) => {
    const start = /^(\s*)# (?:routes:|- name: )/.exec(line)
    if (start !== null) indent = start[1]!
    else if (indent === undefined || !line.startsWith(`${indent}#   `)) indent = undefined
    return indent === undefined ? line : indent + line.slice(indent.length + 2)
  }).join('\n')
}
