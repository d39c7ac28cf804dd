import { Ajv } from 'ajv'
import jsonPatch from 'fast-json-patch'
import { resolveService } from './config-refs.ts'
import { containersOf, podTemplates, type K8sObject } from './objects.ts'
import { skaffoldSchema } from './skaffold-schema.ts'

/** skaffold.yaml, typed where the checks read it. */
export interface SkaffoldConfig {
  build?: { artifacts?: Array<{ image: string, context?: string, docker?: { dockerfile?: string, target?: string } }> }
  manifests?: { kustomize?: { paths?: string[] }, hooks?: { before?: Array<{ host?: { command: string[] } }> } }
  portForward?: Array<{ resourceType?: string, resourceName?: string, namespace?: string, port?: number | string, localPort?: number }>
  profiles?: Array<{ name: string, patches?: jsonPatch.Operation[] }>
  [key: string]: unknown
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(skaffoldSchema)

/** Schema errors of a skaffold.yaml, each naming the field path. */
export function checkSkaffoldSchema (config: unknown): string[] {
  if (validate(config)) return []
  return validate.errors!.map((e) => {
    const extra = e.params.additionalProperty === undefined ? '' : ` "${e.params.additionalProperty}"`
    return `skaffold.yaml ${e.instancePath || '(root)'}: ${e.message}${extra}`
  })
}

/** The config as skaffold sees it with a profile active: its JSON patches applied, strictly. */
export function withProfile (config: SkaffoldConfig, name: string): SkaffoldConfig {
  const profile = config.profiles?.find((p) => p.name === name)
  if (profile === undefined) throw new Error(`skaffold.yaml has no profile ${name}`)
  // validateOperation: a patch whose path does not exist throws instead of being ignored.
  return jsonPatch.applyPatch(structuredClone(config), profile.patches ?? [], true, false).newDocument
}

/**
 * Skaffold's references into the rendered manifests: every artifact is an image some pod
 * uses, every bare image is built by an artifact, and every port forward is a Service port.
 */
export function checkSkaffoldRefs (config: SkaffoldConfig, objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  const artifacts = (config.build?.artifacts ?? []).map((a) => a.image)
  const images = new Set(podTemplates(objects).flatMap(({ spec }) => containersOf(spec).map((c) => c.image as string)))
  for (const image of artifacts) {
    if (!images.has(image)) errors.push(`skaffold.yaml: artifact ${image} is the image of no container`)
  }
  for (const image of images) {
    // A bare name (no registry, no tag) can only be an image that skaffold builds.
    if (!/[:/@]/.test(image) && !artifacts.includes(image)) errors.push(`skaffold.yaml: image ${image} is built by no artifact`)
  }
  for (const forward of config.portForward ?? []) {
    if (forward.resourceType?.toLowerCase() !== 'service') {
      errors.push(`skaffold.yaml: port forward to ${forward.resourceType} ${forward.resourceName}: only Services are checked`)
      continue
    }
    const problem = resolveService(objects, forward.namespace, `${forward.resourceName}`, Number(forward.port))
    if (problem !== undefined) errors.push(`skaffold.yaml: port forward ${forward.resourceName}:${forward.port} in namespace ${forward.namespace} ${problem}`)
  }
  return errors
}

/** The stage names of a Dockerfile (`FROM image AS name`), for the docker.target of a profile. */
export function dockerStages (dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase())
}
