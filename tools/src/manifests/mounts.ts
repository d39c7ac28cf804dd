import { find, type K8sObject } from './objects.ts'

/**
 * What a container sees at a path: the file that a ConfigMap or Secret volume puts there.
 * Lets the checks read a config as the pod reads it, after kustomize's name rewriting.
 */
export function fileAt (objects: readonly K8sObject[], owner: K8sObject, spec: any, container: any, path: string): string | undefined {
  const mount = mountFor(container, path)
  if (mount === undefined) return undefined
  const volume = (spec.volumes ?? []).find((v: any) => v.name === mount.name)
  const relative = path.slice(mount.mountPath.length + 1)
  const source = volume?.configMap ?? volume?.secret
  if (source === undefined) return undefined
  const key = mount.subPath ?? source.items?.find((item: any) => item.path === relative)?.key ?? relative
  if (volume.configMap !== undefined) return find(objects, 'ConfigMap', source.name, owner.metadata.namespace)?.data?.[key]
  const data = find(objects, 'Secret', source.secretName, owner.metadata.namespace)?.data?.[key]
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString()
}

/** The volumeMount whose mountPath holds `path`, the deepest one when mounts nest. */
export function mountFor (container: any, path: string): any {
  return (container.volumeMounts ?? [])
    .filter((m: any) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
    .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0]
}

/** `--name=value` from a container's args, or undefined. */
export function flag (container: any, name: string): string | undefined {
  const prefix = `--${name}=`
  return (container.args ?? []).find((arg: string) => arg.startsWith(prefix))?.slice(prefix.length)
}
