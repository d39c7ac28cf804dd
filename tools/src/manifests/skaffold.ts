import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { resolveService } from './config-refs.ts'
import { containersOf, describe, podTemplates, type K8sObject } from './objects.ts'
import { parseObjects } from './render.ts'

/** The fields these checks read of Skaffold's effective config (`skaffoldConfig()`, paths absolute). */
export interface SkaffoldConfig {
  build?: { artifacts?: Array<{ image: string, context: string, docker?: { dockerfile?: string, target?: string }, sync?: object }>, local?: { push?: boolean } }
  deploy?: { kubectl?: { hooks?: { before?: Array<{ host?: { command: string[], dir?: string } }> } } }
  portForward?: Array<{ resourceType?: string, resourceName?: string, namespace?: string, port?: number | string }>
}

/**
 * What Skaffold accepts without a word but the stack needs, for one effective config, the
 * objects it rendered (`rendered`, with `tag`) and the same kustomize paths as written (`written`).
 */
export async function checkSkaffold (config: SkaffoldConfig, rendered: readonly K8sObject[], written: readonly K8sObject[], tag: string): Promise<string[]> {
  const errors: string[] = []
  if (config.build?.local?.push === false) errors.push('skaffold.yaml build.local.push: false never pushes, so a remote cluster cannot pull service-a (Skaffold already skips pushes to local clusters)')
  const artifacts = config.build?.artifacts ?? []
  const images = (objects: readonly K8sObject[]): Map<string, string> => new Map(podTemplates(objects).flatMap(({ owner, spec }) =>
    containersOf(spec).map((c) => [`${describe(owner)}: container ${c.name}`, c.image ?? ''] as const)))
  const before = images(written)
  for (const [container, image] of images(rendered)) {
    const named = before.get(container) ?? ''
    const expected = artifacts.some((a) => a.image === named) ? `${named}:${tag}` : named
    if (image !== expected) errors.push(`${container}: Skaffold rendered image ${image}, not ${expected}`)
    // A bare name (no registry, no tag) can only be an image that Skaffold builds.
    else if (image === named && !/[:/@]/.test(named)) errors.push(`${container}: image ${named} is built by no artifact`)
  }
  for (const { image, context, docker } of artifacts) {
    if (![...before.values()].includes(image)) errors.push(`skaffold.yaml: artifact ${image} is the image of no container`)
    // Only a build would notice.
    const stages = [...(await readFile(join(context, docker?.dockerfile ?? 'Dockerfile'), 'utf8')).matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase())
    if (docker?.target !== undefined && !stages.includes(docker.target)) errors.push(`skaffold.yaml: artifact ${image}: target ${docker.target} is no stage of its Dockerfile`)
  }
  for (const { resourceType, resourceName, namespace, port } of config.portForward ?? []) {
    const problem = resourceType?.toLowerCase() === 'service' ? resolveService(rendered, namespace, `${resourceName}`, Number(port)) : 'is no Service: only Services are checked'
    if (problem !== undefined) errors.push(`skaffold.yaml: port forward ${resourceType}/${resourceName}:${port} in namespace ${namespace} ${problem}`)
  }
  return errors
}

/**
 * What makes `skaffold dev` restartable at once. On exit it deletes every object it rendered
 * (its default --cleanup): a Namespace among them takes its claims and their data along and is
 * still terminating when the next `skaffold dev` applies into it.
 */
export function checkDevOverlay (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const object of objects) {
    if (object.kind === 'Namespace') errors.push(`${describe(object)}: skaffold dev would delete it on exit; the dev profile's before-deploy hook applies it instead`)
    if (object.kind === 'PersistentVolumeClaim') errors.push(`${describe(object)}: skaffold dev would delete it, and its data, on exit`)
  }
  for (const { owner, spec } of podTemplates(objects)) {
    for (const { name, persistentVolumeClaim: claim } of spec.volumes ?? []) {
      if (claim !== undefined) errors.push(`${describe(owner)}: volume ${name} mounts claim ${claim.claimName}; add the Deployment to overlays/dev's emptyDir patch`)
    }
    // A restart waits for the longest grace period.
    const grace = spec.terminationGracePeriodSeconds ?? 30
    if (grace > 30) errors.push(`${describe(owner)}: terminationGracePeriodSeconds ${grace} exceeds 30 s in the dev loop`)
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
 * The dev profile's before-deploy hooks run as Skaffold runs them, in their `dir` or else in the
 * caller's folder (`callerDir`), with a kubectl stub: they must apply Namespace `namespace`, which
 * overlays/dev leaves out.
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
