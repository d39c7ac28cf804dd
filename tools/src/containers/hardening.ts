import type { V1Container, V1PodSpec } from '@kubernetes/client-node'
import { podman } from './podman.ts'

/**
 * Running a container as a pod spec would, and checking from inside that it is so. podman has a
 * flag for each securityContext field the manifests set, except runAsNonRoot (the kubelet's own
 * check), for which the uid of PID 1 stands in.
 */

/** `podman run` flags equivalent to one container's securityContext and emptyDir volumes. */
export function securityArgs (spec: V1PodSpec, container: V1Container): string[] {
  const context = { ...spec.securityContext, ...container.securityContext }
  const args: string[] = []
  if (context.runAsUser !== undefined) args.push('--user', `${context.runAsUser}:${context.runAsGroup ?? context.runAsUser}`)
  // Without --read-only-tmpfs=false podman would add writable /tmp, /run and /var/tmp that a pod
  // does not have; the pod's own emptyDirs are mounted below.
  if (context.readOnlyRootFilesystem === true) args.push('--read-only', '--read-only-tmpfs=false')
  for (const capability of context.capabilities?.drop ?? []) args.push('--cap-drop', capability)
  for (const capability of context.capabilities?.add ?? []) args.push('--cap-add', capability)
  if (context.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges')
  if ((context.seccompProfile?.type ?? 'RuntimeDefault') !== 'RuntimeDefault') throw new Error(`seccompProfile ${context.seccompProfile?.type} has no podman equivalent here`)
  for (const mount of container.volumeMounts ?? []) {
    if (spec.volumes?.find((v) => v.name === mount.name)?.emptyDir !== undefined) args.push('--tmpfs', mount.mountPath)
  }
  return args
}

/** Why PID 1 of a running container does not run as a hardened pod's must, or [] when it does. */
export async function hardeningProblems (container: string): Promise<string[]> {
  const status = await podman(['exec', container, 'cat', '/proc/1/status'])
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? ''
  const problems: string[] = []
  if (field('Uid').split(/\s+/).includes('0')) problems.push(`runs as root (Uid: ${field('Uid')})`)
  if (!/^0+$/.test(field('CapEff'))) problems.push(`has effective capabilities (CapEff: ${field('CapEff')})`)
  if (!/^0+$/.test(field('CapBnd'))) problems.push(`could regain capabilities (CapBnd: ${field('CapBnd')})`)
  if (field('NoNewPrivs') !== '1') problems.push('may gain privileges (NoNewPrivs is not 1)')
  if (field('Seccomp') !== '2') problems.push(`runs without a seccomp filter (Seccomp: ${field('Seccomp')})`)
  // The root mount's options, not a failed write: a non-root user cannot write to / anyway.
  const root = (await podman(['exec', container, 'cat', '/proc/1/mounts'])).split('\n').map((line) => line.split(' ')).find((fields) => fields[1] === '/')
  if (root?.[3]?.split(',').includes('ro') !== true) problems.push('can write to its root filesystem')
  return problems
}
