import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { ofKind } from './objects.ts'

/**
 * kustomize's configMapGenerator lists files one by one, so a file added to a config folder but
 * not to the kustomization would be missing in the cluster while the local run loads it. Every
 * file of `dir` ending in one of `extensions` must be a key of the ConfigMap generated as
 * `configMap` (its name plus kustomize's hash).
 */
export async function checkGeneratedFiles (objects: readonly KubernetesObject[], dir: string, extensions: readonly string[], configMap: string): Promise<string[]> {
  const generated = ofKind(objects, 'ConfigMap').filter((o) => new RegExp(`^${configMap}-[a-z0-9]{10}$`).test(o.metadata?.name ?? ''))
  if (generated.length !== 1) return [`expected one generated ConfigMap ${configMap}, found ${generated.length}`]
  const files = (await readdir(dir)).filter((file) => extensions.some((ext) => file.endsWith(ext)))
  return files.filter((file) => generated[0]!.data?.[file] === undefined)
    .map((file) => `${join(dir, file)} is not in ConfigMap ${configMap} (add it to the configMapGenerator)`)
}
