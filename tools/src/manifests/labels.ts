import { describe, type K8sObject } from './objects.ts'

/** The label that groups every object of the stack (STYLE: `part-of` groups, `name` selects). */
export const PART_OF = { key: 'app.kubernetes.io/part-of', value: 'metrics-stack' } as const

/**
 * Every object of a composed root (k8s/, an overlay) carries the stack's `part-of` label, so
 * that selecting or pruning by it (`kubectl delete -l`, `kubectl apply --prune -l`) reaches all
 * of them, the objects a component adds after k8s/ has set its labels included.
 */
export function checkPartOf (objects: readonly K8sObject[]): string[] {
  return objects
    .filter((o) => o.metadata.labels?.[PART_OF.key] !== PART_OF.value)
    .map((o) => `${describe(o)}: label ${PART_OF.key}=${PART_OF.value} is missing`)
}
