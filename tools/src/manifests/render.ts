import { execa } from 'execa'
import { parseAllDocuments } from 'yaml'
import { REPO_ROOT } from '../support/paths.ts'
import type { K8sObject } from './objects.ts'

export { REPO_ROOT }

/** The Skaffold the tests run; scripts/install-skaffold.sh puts it there (make test does). */
export const SKAFFOLD = process.env.SKAFFOLD ?? `${REPO_ROOT}.tools/skaffold/skaffold`

/** Runs the real Skaffold in `cwd` (the checkout by default) and returns what it printed on stdout. */
export async function skaffold (args: readonly string[], options: { cwd?: string, env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await execa(SKAFFOLD, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env, reject: false })
  if (result.failed) throw new Error(`skaffold ${args.join(' ')}: ${result.code === 'ENOENT' ? `no ${SKAFFOLD} (run scripts/install-skaffold.sh)` : result.stderr.trim() || result.message}`)
  return result.stdout
}

/**
 * What `skaffold run` (or, with `profile: 'dev'`, `skaffold dev`) would apply: Skaffold's own
 * render, offline, with its `before` hooks run and `tag` put into every container that uses a
 * build artifact.
 */
export async function skaffoldRender (options: { tag: string, profile?: string, cwd?: string }): Promise<K8sObject[]> {
  const profile = options.profile === undefined ? [] : ['-p', options.profile]
  return parseObjects(await skaffold(['render', '--offline=true', '--digest-source=tag', '-t', options.tag, ...profile], { cwd: options.cwd }))
}

/** Every kustomize root of the repository that the tests render and check. */
export const KUSTOMIZE_ROOTS = ['k8s', 'overlays/dev', 'overlays/multi-replica', 'overlays/prometheus-operator', 'service-a', 'prometheus', 'grafana', 'alertmanager'] as const

/** The roots that compose the whole stack: only there do the config files' addresses resolve. */
export const STACK_ROOTS: readonly string[] = ['k8s', 'overlays/dev', 'overlays/multi-replica']

/**
 * `kubectl kustomize DIR` (kustomize built into kubectl, offline), parsed as plain data: the
 * objects exactly as users apply them, unknown fields included. Like skaffold's render hook, it
 * first creates the git-ignored Grafana admin env file if missing, so that a fresh clone renders.
 */
export async function render (dir: string): Promise<K8sObject[]> {
  await execa('bash', ['scripts/grafana-admin-secret.sh'], { cwd: REPO_ROOT })
  return parseObjects((await execa('kubectl', ['kustomize', dir], { cwd: REPO_ROOT })).stdout)
}

/** A multi-document YAML stream as objects; empty documents are skipped, a syntax error throws. */
export function parseObjects (text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(document.errors[0]!.message)
    return (document.toJS() as K8sObject | null) ?? []
  })
}
