import { podman } from './podman.ts'

/**
 * Why PID 1 of a running container does not run as a hardened pod's must, or [] when it does:
 * what it actually got from podman (kube play applies the securityContext Skaffold rendered).
 * runAsNonRoot is the kubelet's own check, which podman lacks: the tests compare PID 1's uid.
 */
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
