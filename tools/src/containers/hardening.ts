import { podman } from './podman.ts'

/**
 * Running a container as a pod spec would, and checking from inside that it is so.
 * podman has a flag for each securityContext field the manifests set, except runAsNonRoot
 * (the kubelet's own check), which the status check below stands in for.
 */

/** `podman run` flags equivalent to one container's securityContext and emptyDir volumes. */
export function securityArgs (podSpec: any, container: any): string[] {
  const context = { ...podSpec.securityContext, ...container.securityContext }
  const args: string[] = []
  if (context.runAsUser !== undefined) args.push('--user', `${context.runAsUser}:${context.runAsGroup ?? context.runAsUser}`)
  // Without --read-only-tmpfs=false podman would add writable /tmp, /run and /var/tmp that a
  // pod does not have; the pod's own emptyDirs are mounted below.
  if (context.readOnlyRootFilesystem === true) args.push('--read-only', '--read-only-tmpfs=false')
  for (const capability of context.capabilities?.drop ?? []) args.push('--cap-drop', capability)
  for (const capability of context.capabilities?.add ?? []) args.push('--cap-add', capability)
  if (context.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges')
  if (context.seccompProfile !== undefined && context.seccompProfile.type !== 'RuntimeDefault') {
    throw new Error(`seccompProfile ${context.seccompProfile.type} has no podman equivalent here`)
  }
  for (const mount of container.volumeMounts ?? []) {
    const volume = podSpec.volumes.find((candidate: any) => candidate.name === mount.name)
    if (volume.emptyDir !== undefined) args.push('--tmpfs', mount.mountPath)
  }
  return args
}

/** PID 1's `/proc/1/status` and `/proc/1/mounts`, read inside a running container. */
export interface Observed {
  status: string
  mounts: string
}

/** Why PID 1 does not run as a hardened pod's container must, or [] when it does. */
export function hardeningProblems ({ status, mounts }: Observed): string[] {
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? ''
  const problems: string[] = []
  const uids = field('Uid').split(/\s+/)
  if (uids.length < 4 || uids.includes('0')) problems.push(`runs as root or an unknown user (Uid: ${field('Uid')})`)
  if (!/^0+$/.test(field('CapEff'))) problems.push(`has effective capabilities (CapEff: ${field('CapEff')})`)
  if (!/^0+$/.test(field('CapBnd'))) problems.push(`could regain capabilities (CapBnd: ${field('CapBnd')})`)
  if (field('NoNewPrivs') !== '1') problems.push('may gain privileges (NoNewPrivs is not 1)')
  if (field('Seccomp') !== '2') problems.push(`runs without a seccomp filter (Seccomp: ${field('Seccomp')})`)
  // The mount options, not a failed write: a non-root user cannot write to / anyway.
  const root = mounts.split('\n').map((line) => line.split(' ')).find((fields) => fields[1] === '/')
  if (root?.[3]?.split(',').includes('ro') !== true) problems.push('can write to its root filesystem')
  return problems
}

/** Looks at PID 1 of a running container from inside it. */
export async function observe (container: string): Promise<Observed> {
  const status = await podman('exec', container, 'cat', '/proc/1/status')
  const mounts = await podman('exec', container, 'cat', '/proc/1/mounts')
  return { status, mounts }
}
