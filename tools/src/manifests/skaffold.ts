import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { resolveService } from './config-refs.ts'
import { containersOf, describe, podTemplates, type K8sObject } from './objects.ts'

/** The fields these checks read of Skaffold's effective config (`skaffoldConfig()`, paths absolute). */
export interface SkaffoldConfig {
  build?: { artifacts?: Array<{ image: string, context: string, docker?: { dockerfile?: string, target?: string }, sync?: object }>, local?: { push?: boolean } }
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
