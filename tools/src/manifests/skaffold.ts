import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { Ajv } from 'ajv'
import jsonPatch from 'fast-json-patch'
import { REPO_ROOT } from '../support/paths.ts'
import { resolveService } from './config-refs.ts'
import { containersOf, podTemplates } from './objects.ts'
import { KUSTOMIZE_ROOTS } from './render.ts'
import { skaffoldSchema } from './skaffold-schema.ts'

/** skaffold.yaml, typed where the checks read it (the schema in skaffold-schema.ts has the rest). */
export interface SkaffoldConfig {
  build?: { artifacts?: Array<{ image: string, context?: string, docker?: { dockerfile?: string, target?: string }, sync?: object }> }
  manifests?: { kustomize?: { paths?: string[] }, hooks?: { before?: Array<{ host?: { command: string[] } }> } }
  portForward?: Array<{ resourceType?: string, resourceName?: string, namespace?: string, port?: number | string }>
  profiles?: Array<{ name: string, patches?: jsonPatch.Operation[] }>
  [field: string]: unknown
}

const validate = new Ajv({ allErrors: true, strict: true }).compile<SkaffoldConfig>(skaffoldSchema)

/**
 * skaffold.yaml as skaffold runs it (with `profile`'s patches applied): the strict schema, then
 * its references into the repository and into what its kustomize paths render (`renderRoot`):
 * artifacts and images, port forwards, docker targets, kustomize paths, hook scripts.
 */
export async function checkSkaffold (raw: unknown, profile: string | undefined, renderRoot: (root: string) => Promise<KubernetesObject[]>): Promise<string[]> {
  if (!validate(raw)) return schemaErrors()
  let config = raw
  if (profile !== undefined) {
    try {
      config = withProfile(raw, profile)
    } catch (error) {
      return [`skaffold.yaml: ${(error as Error).message.split('\n')[0]}`]
    }
    if (!validate(config)) return schemaErrors()
  }
  const errors: string[] = []
  const objects: KubernetesObject[] = []
  for (const path of config.manifests?.kustomize?.paths ?? []) {
    if (KUSTOMIZE_ROOTS.includes(path as typeof KUSTOMIZE_ROOTS[number])) objects.push(...await renderRoot(path))
    else errors.push(`skaffold.yaml: kustomize path ${path} is no root that the tests check`)
  }
  for (const script of (config.manifests?.hooks?.before ?? []).flatMap((hook) => hook.host?.command.filter((arg) => arg.endsWith('.sh')) ?? [])) {
    await access(join(REPO_ROOT, script)).catch(() => errors.push(`skaffold.yaml: hook script ${script} does not exist`))
  }
  const artifacts = config.build?.artifacts ?? []
  const images = new Set(podTemplates(objects).flatMap(({ spec }) => containersOf(spec).map((c) => c.image ?? '')))
  for (const { image, context = '.', docker } of artifacts) {
    if (!images.has(image)) errors.push(`skaffold.yaml: artifact ${image} is the image of no container`)
    const dockerfile = join(context, docker?.dockerfile ?? 'Dockerfile')
    const stages = [...(await readFile(join(REPO_ROOT, dockerfile), 'utf8')).matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase())
    if (docker?.target !== undefined && !stages.includes(docker.target)) errors.push(`skaffold.yaml: artifact ${image}: target ${docker.target} is no stage of ${dockerfile}`)
  }
  for (const image of images) {
    // A bare name (no registry, no tag) can only be an image that skaffold builds.
    if (!/[:/@]/.test(image) && !artifacts.some((a) => a.image === image)) errors.push(`skaffold.yaml: image ${image} is built by no artifact`)
  }
  for (const { resourceType, resourceName, namespace, port } of config.portForward ?? []) {
    if (resourceType?.toLowerCase() !== 'service') {
      errors.push(`skaffold.yaml: port forward to ${resourceType} ${resourceName}: only Services are checked`)
      continue
    }
    const problem = resolveService(objects, namespace, `${resourceName}`, Number(port))
    if (problem !== undefined) errors.push(`skaffold.yaml: port forward ${resourceName}:${port} in namespace ${namespace} ${problem}`)
  }
  return errors
}

/** The config as skaffold sees it with a profile active: its JSON patches applied, strictly. */
export function withProfile (config: SkaffoldConfig, name: string): SkaffoldConfig {
  const profile = config.profiles?.find((p) => p.name === name)
  if (profile === undefined) throw new Error(`no profile ${name}`)
  try {
    // validateOperation: a patch whose path does not exist throws instead of being ignored.
    return jsonPatch.applyPatch(structuredClone(config), profile.patches ?? [], true, false).newDocument
  } catch (error) {
    throw new Error(`profile ${name}: ${(error as Error).message}`)
  }
}

function schemaErrors (): string[] {
  return validate.errors!.map((e) => {
    const extra = e.params.additionalProperty === undefined ? '' : ` "${e.params.additionalProperty}"`
    return `skaffold.yaml ${e.instancePath || '(root)'}: ${e.message}${extra}`
  })
}
