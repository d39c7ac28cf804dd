import type { KubernetesObject, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node'
import { containersOf, describe, podTemplates } from './objects.ts'

/**
 * The Pod Security Standards "restricted" profile, which the stack's namespace enforces, plus
 * the house rules above it: numeric non-root UIDs and a read-only root filesystem.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */

/** Volume types that "restricted" allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'])

/** `writableRoot`: images whose containers may write their root filesystem (skaffold dev syncs files into them). */
export function checkPodSecurity (objects: readonly KubernetesObject[], writableRoot: readonly string[] = []): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    const report = (message: string): number => errors.push(`${describe(owner)}: ${message}`)
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (spec[field] === true) report(`${field} must not be true`)
    }
    for (const volume of spec.volumes ?? []) {
      const type = Object.keys(volume).find((key) => key !== 'name')
      if (type === undefined || !ALLOWED_VOLUMES.has(type)) report(`volume ${volume.name}: type ${type} is not allowed`)
    }
    for (const container of containersOf(spec)) {
      const where = `container ${container.name}`
      const own: V1SecurityContext = container.securityContext ?? {}
      // A container's setting overrides the pod's, as the kubelet applies them.
      const effective: V1PodSecurityContext & V1SecurityContext = { ...spec.securityContext, ...own }
      if (effective.runAsNonRoot !== true) report(`${where}: runAsNonRoot must be true`)
      if (!Number.isInteger(effective.runAsUser) || effective.runAsUser === 0) report(`${where}: runAsUser must be a numeric non-root UID`)
      const seccomp = effective.seccompProfile?.type
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') report(`${where}: seccompProfile.type must be RuntimeDefault or Localhost`)
      if (own.privileged === true) report(`${where}: privileged must not be true`)
      if (own.allowPrivilegeEscalation !== false) report(`${where}: allowPrivilegeEscalation must be false`)
      if (!(own.capabilities?.drop ?? []).includes('ALL')) report(`${where}: capabilities must drop ALL`)
      for (const added of own.capabilities?.add ?? []) {
        if (added !== 'NET_BIND_SERVICE') report(`${where}: capability ${added} must not be added`)
      }
      if (own.readOnlyRootFilesystem !== true && !writableRoot.includes(container.image ?? '')) {
        report(`${where}: readOnlyRootFilesystem must be true (writable paths are volumes)`)
      }
      for (const { hostPort } of container.ports ?? []) {
        if ((hostPort ?? 0) !== 0) report(`${where}: hostPort ${hostPort} must not be used`)
      }
    }
  }
  return errors
}
