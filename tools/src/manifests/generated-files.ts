import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { K8sObject } from './objects.ts'

/**
 * kustomize's configMapGenerator lists files one by one, so a file added to a config folder
 * but not to the kustomization would be missing in the cluster while the local run loads it.
 * Checks that every file of `dir` with one of `extensions` is a key of the ConfigMap whose
 * generated name starts with `configMap`.
 */
export async function checkGeneratedFiles (objects: readonly K8sObject[], dir: string, extensions: readonly string[], configMap: string): Promise<string[]> {
  const generated = objects.filter((o) => o.kind === 'ConfigMap' && new RegExp(`^${configMap}-[a-z0-9]{10}$`).test(o.metadata.name))
  if (generated.length !== 1) return [`expected one generated ConfigMap ${configMap}, found ${generated.length}`]
  const keys = Object.keys(generated[0]!.data ?? {})
  const files = (await readdir(dir)).filter((file) => extensions.some((ext) => file.endsWith(ext)))
  return files.filter((file) => !keys.includes(file))
    .map((file) => `${join(dir, file)} is not in ConfigMap ${configMap} (add it to the configMapGenerator)`)
}
