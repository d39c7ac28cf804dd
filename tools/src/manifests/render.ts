import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseAllDocuments } from 'yaml'
import type { K8sObject } from './objects.ts'

const run = promisify(execFile)

/** The repository's root folder, whatever the working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Every kustomize root of the repository that `make test` renders and checks. */
export const KUSTOMIZE_ROOTS = ['k8s', 'overlays/dev', 'overlays/multi-replica', 'service-a', 'prometheus', 'grafana'] as const

/**
 * Creates the git-ignored Grafana admin env file if missing, exactly as skaffold's render hook
 * does, so that a fresh clone renders.
 */
export async function ensureGrafanaSecret (): Promise<void> {
  await run('bash', ['scripts/grafana-admin-secret.sh'], { cwd: REPO_ROOT })
}

/** Parses a multi-document YAML stream into objects, skipping empty documents. */
export function parseObjects (text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors[0]!.message)
      return document.toJS() as K8sObject | null
    })
    .filter((object): object is K8sObject => object !== null)
}

/**
 * `kubectl kustomize DIR` (kustomize built into kubectl, offline), parsed. Like skaffold's
 * render hook, it first makes sure the Grafana admin env file exists.
 */
export async function render (dir: string): Promise<K8sObject[]> {
  await ensureGrafanaSecret()
  const { stdout } = await run('kubectl', ['kustomize', dir], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 })
  return parseObjects(stdout)
}
