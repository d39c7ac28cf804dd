import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../support/paths.ts'
import type { Rule } from './prometheus-config.ts'

/** The runbook file that every alert's runbook_url points into, as a repository path. */
export const RUNBOOKS = 'docs/runbooks.md'

/**
 * The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as
 * hyphens; a repeated heading gets -1, -2, ….
 * @see https://github.com/Flet/github-slugger (the algorithm GitHub's renderer follows)
 */
export function headingAnchors (markdown: string): Set<string> {
  const anchors = new Set<string>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading === null) continue
    const base = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-')
    let anchor = base
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`
    anchors.add(anchor)
  }
  return anchors
}

/**
 * What is wrong with the runbook links: an alert without runbook_url, one that points at
 * another file, or at a heading the runbook file does not have; and links between the runbook's
 * own sections that lead nowhere. An empty list means every link lands on a section.
 */
export function runbookProblems (rules: readonly Rule[], markdown: string = readFileSync(join(REPO_ROOT, RUNBOOKS), 'utf8')): string[] {
  const anchors = headingAnchors(markdown)
  const problems: string[] = []
  for (const rule of rules) {
    if (rule.alert === undefined) continue
    const url = rule.annotations?.runbook_url
    const [path, anchor] = (url ?? '').split('#')
    if (url === undefined) problems.push(`${rule.file}: ${rule.alert} has no runbook_url`)
    else if (path !== RUNBOOKS || anchor === undefined) problems.push(`${rule.file}: ${rule.alert}'s runbook_url ${url} is not ${RUNBOOKS}#<section>`)
    else if (!anchors.has(anchor)) problems.push(`${rule.file}: ${rule.alert}'s runbook_url ${url} names no heading of ${RUNBOOKS}`)
  }
  for (const [, anchor] of markdown.matchAll(/\]\(#([^)]+)\)/g)) {
    if (!anchors.has(anchor!)) problems.push(`${RUNBOOKS}: the link #${anchor} names no heading`)
  }
  return problems
}
