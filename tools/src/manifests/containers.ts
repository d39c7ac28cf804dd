import { describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * What every long-running container needs in production: liveness and readiness probes,
 * CPU and memory requests and limits, and an image pinned to a version.
 */

export interface ContainerOptions {
  /** Images that a build tool tags at deploy time (skaffold's artifacts), allowed bare. */
  builtImages?: readonly string[]
}

export function checkContainers (objects: readonly K8sObject[], options: ContainerOptions = {}): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const container of spec.containers ?? []) {
      const report = (message: string): void => { errors.push(`${describe(owner)}: container ${container.name}: ${message}`) }
      for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
        if (container[probe] === undefined) report(`${probe} is missing`)
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory'] as const) {
          if (container.resources?.[kind]?.[resource] === undefined) report(`resources.${kind}.${resource} is missing`)
        }
      }
      const problem = imageProblem(container.image, options.builtImages ?? [])
      if (problem !== undefined) report(problem)
    }
  }
  return errors
}

/** Why an image reference is not pinned, or undefined when it is. */
export function imageProblem (image: string, builtImages: readonly string[]): string | undefined {
  if (builtImages.includes(image)) return undefined
  if (image.includes('@sha256:')) return undefined
  // The tag follows the last colon after the last slash (a registry may have a port).
  const tag = /:([^/:]+)$/.exec(image)?.[1]
  if (tag === undefined) return `image ${image} has no tag`
  if (tag === 'latest') return `image ${image} must not use the latest tag`
  return undefined
}
