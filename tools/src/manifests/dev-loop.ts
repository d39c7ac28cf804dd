import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, podTemplates, type K8sObject } from './objects.ts'
import { parseObjects } from './render.ts'
import type { SkaffoldConfig } from './skaffold.ts'

/**
 * What makes `skaffold dev` restartable at once. On exit it deletes every object it rendered
 * (its default --cleanup): a Namespace among them takes its claims and their data along and is
 * still terminating when the next `skaffold dev` applies into it.
 */

/** The longest grace period a pod of the dev overlay may have: a restart waits for no more. */
export const DEV_MAX_GRACE_SECONDS = 30

/** The rendered dev overlay: no Namespace, no claim, no pod that needs one, short grace periods. */
export function checkDevOverlay (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const object of objects) {
    if (object.kind === 'Namespace') errors.push(`${describe(object)}: skaffold dev would delete it on exit; the dev profile's before-deploy hook applies it instead`)
    if (object.kind === 'PersistentVolumeClaim') errors.push(`${describe(object)}: skaffold dev would delete it, and its data, on exit`)
  }
  for (const { owner, spec } of podTemplates(objects)) {
    for (const volume of spec.volumes ?? []) {
      if (volume.persistentVolumeClaim !== undefined) {
        errors.push(`${describe(owner)}: volume ${volume.name} mounts claim ${volume.persistentVolumeClaim.claimName}; add the Deployment to overlays/dev's emptyDir patch`)
      }
    }
    // The Kubernetes default when the field is unset.
    const grace = spec.terminationGracePeriodSeconds ?? 30
    if (grace > DEV_MAX_GRACE_SECONDS) errors.push(`${describe(owner)}: terminationGracePeriodSeconds ${grace} exceeds ${DEV_MAX_GRACE_SECONDS} s in the dev loop`)
  }
  return errors
}

// A kubectl that needs no cluster: it checks the context Skaffold resolved and prints the files
// that `apply -f` would apply.
const KUBECTL = `#!/bin/sh
set -e
[ "$1 $2" = "--context $SKAFFOLD_KUBE_CONTEXT" ] || { echo "kubectl $*: not in Skaffold's kube context" >&2; exit 1; }
while [ $# -gt 0 ]; do if [ "$1" = -f ]; then cat "$2"; echo ---; fi; shift; done
`

/**
 * The dev profile's before-deploy hooks (from `skaffoldConfig({ profile: 'dev' })`), run as
 * Skaffold runs them, in their `dir` or else in the caller's folder (`callerDir`), with a
 * kubectl stub: together they must apply Namespace `namespace`, which overlays/dev leaves out.
 */
export async function checkNamespaceHook (config: SkaffoldConfig, namespace: string, callerDir: string): Promise<string[]> {
  const bin = await mkdtemp(join(tmpdir(), 'kubectl-stub-'))
  try {
    await writeFile(join(bin, 'kubectl'), KUBECTL)
    await chmod(join(bin, 'kubectl'), 0o755)
    const applied: K8sObject[] = []
    for (const { host } of config.deploy?.kubectl?.hooks?.before ?? []) {
      const [command = '', ...args] = host?.command ?? []
      const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, SKAFFOLD_KUBE_CONTEXT: 'minikube' }
      const run = await execa(command, args, { cwd: host?.dir ?? callerDir, env, reject: false })
      if (run.failed) return [`skaffold.yaml (dev profile): before-deploy hook ${host?.command.join(' ')} fails: ${run.stderr.trim()}`]
      applied.push(...parseObjects(run.stdout))
    }
    if (applied.some((o) => o.kind === 'Namespace' && o.metadata.name === namespace)) return []
    return [`skaffold.yaml (dev profile): no before-deploy hook applies Namespace ${namespace}, which overlays/dev leaves out`]
  } finally {
    await rm(bin, { recursive: true, force: true })
  }
}
