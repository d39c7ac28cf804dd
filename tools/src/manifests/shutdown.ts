import { describe, podTemplates, type K8sObject } from './objects.ts'

/**
 * service-a's graceful shutdown fits in the pod's grace period: the kubelet sends SIGKILL
 * terminationGracePeriodSeconds after the preStop hook started, so the period must exceed the
 * preStop sleep plus the app's own bound on its shutdown (SHUTDOWN_TIMEOUT_MS, which includes
 * SHUTDOWN_DELAY_MS). Applies to every container that sets SHUTDOWN_TIMEOUT_MS.
 */
export function checkShutdown (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const { owner, spec } of podTemplates(objects)) {
    // The Kubernetes default when the field is unset.
    const grace = spec.terminationGracePeriodSeconds ?? 30
    for (const container of spec.containers ?? []) {
      const env = new Map<string, string>((container.env ?? []).map((e: any) => [e.name, e.value]))
      const timeout = env.get('SHUTDOWN_TIMEOUT_MS')
      if (timeout === undefined) continue
      const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0
      const needed = preStop + Number(timeout) / 1000
      if (!(grace > needed)) {
        errors.push(`${describe(owner)}: terminationGracePeriodSeconds ${grace} must exceed preStop sleep ${preStop} s + SHUTDOWN_TIMEOUT_MS ${timeout} ms`)
      }
    }
  }
  return errors
}
