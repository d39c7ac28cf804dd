import { execa } from 'execa'
import { parseAllDocuments } from 'yaml'
import { REPO_ROOT } from '../support/paths.ts'
import type { K8sObject } from './objects.ts'

export { REPO_ROOT }

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
