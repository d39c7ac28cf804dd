import { render } from '../../src/manifests/render.ts'
import { clone, type K8sObject } from '../../src/manifests/objects.ts'

/** Renders each kustomize root once per test process; callers get their own copy. */
const cache = new Map<string, Promise<K8sObject[]>>()

export async function rendered (dir: string): Promise<K8sObject[]> {
  if (!cache.has(dir)) cache.set(dir, render(dir))
  return clone(await cache.get(dir)!)
}

/** A copy of `objects` with `change` applied to the one object of that kind and name. */
export function broken (objects: readonly K8sObject[], kind: string, name: string, change: (object: any) => void): K8sObject[] {
  const copy = clone(objects) as K8sObject[]
  const object = copy.find((o) => o.kind === kind && o.metadata.name === name)
  if (object === undefined) throw new Error(`no ${kind}/${name} to break`)
  change(object)
  return copy
}

/** The first container of a Deployment's pod template, to break in place. */
export function container (deployment: any, index = 0): any {
  return deployment.spec.template.spec.containers[index]
}
