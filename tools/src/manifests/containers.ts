import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, podTemplates } from './objects.ts'

/**
 * What every long-running container needs in production: liveness and readiness probes, CPU and
 * memory requests and limits, an image pinned by tag or digest (`builtImages`: the bare names a
 * build tool tags at deploy time, skaffold's artifacts), and a shutdown that fits in the pod's
 * grace period.
 */
export function checkContainers (objects: readonly KubernetesObject[], builtImages: readonly string[] = []): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    for (const container of spec.containers ?? []) {
      const report = (message: string): number => errors.push(`${describe(owner)}: container ${container.name}: ${message}`)
      if (container.livenessProbe === undefined) report('livenessProbe is missing')
      if (container.readinessProbe === undefined) report('readinessProbe is missing')
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (container.resources?.[kind]?.[resource] === undefined) report(`resources.${kind}.${resource} is missing`)
        }
      }
      const problem = imageProblem(container.image, builtImages)
      if (problem !== undefined) report(problem)
      // The kubelet sends SIGKILL terminationGracePeriodSeconds (30 by default) after the preStop
      // hook started; service-a bounds its own shutdown by SHUTDOWN_TIMEOUT_MS.
      const timeout = container.env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value
      const grace = spec.terminationGracePeriodSeconds ?? 30
      const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0
      if (timeout !== undefined && !(grace > preStop + Number(timeout) / 1000)) {
        errors.push(`${describe(owner)}: terminationGracePeriodSeconds ${grace} must exceed preStop sleep ${preStop} s + SHUTDOWN_TIMEOUT_MS ${timeout} ms`)
      }
    }
  }
  return errors
}

/** Why an image reference is not pinned, or undefined when it is. */
export function imageProblem (image = '', builtImages: readonly string[] = []): string | undefined {
  if (builtImages.includes(image) || image.includes('@sha256:')) return undefined
  // The tag follows the last colon after the last slash (a registry may have a port).
  const tag = /:([^/:]+)$/.exec(image)?.[1]
  if (tag === undefined) return `image ${image} has no tag`
  return tag === 'latest' ? `image ${image} must not use the latest tag` : undefined
}
