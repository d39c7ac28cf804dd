/**
 * The part of Skaffold's `skaffold/v4beta14` config schema that this repository uses, strict:
 * an unknown or misspelled field fails, as `skaffold` itself refuses it. Field names and types
 * follow Skaffold's published JSON schema (docs-v2/content/en/schemas/v4beta14.json); fields the
 * stack does not use are left out on purpose, so adding one means adding it here.
 */
const strict = (properties: Record<string, object>, required: string[] = []): object => ({ type: 'object', additionalProperties: false, required, properties })
const string = { type: 'string' }
const strings = { type: 'array', items: string }
const integer = { type: 'integer' }
const list = (items: object): object => ({ type: 'array', items })

const artifact = strict({
  image: string,
  context: string,
  docker: strict({ dockerfile: string, target: string, buildArgs: { type: 'object', additionalProperties: string } }),
  sync: strict({ infer: strings, manual: list(strict({ src: string, dest: string, strip: string }, ['src', 'dest'])) })
}, ['image'])
const build = strict({ artifacts: list(artifact), local: strict({ push: { type: 'boolean' }, useBuildkit: { type: 'boolean' }, concurrency: integer }) })
// Host hooks only (HostHook: command, os, dir); the stack runs no container hooks.
const hostHooks = list(strict({ host: strict({ command: strings, os: strings, dir: string }, ['command']) }))
const manifests = strict({
  hooks: strict({ before: hostHooks }),
  kustomize: strict({ paths: strings, buildArgs: strings })
})
const deploy = strict({ kubectl: strict({ defaultNamespace: string, flags: { type: 'object' }, hooks: strict({ before: hostHooks, after: hostHooks }) }), statusCheckDeadlineSeconds: integer })
const resourceType = { type: 'string', enum: ['service', 'Service', 'pod', 'Pod', 'deployment', 'Deployment'] }
const portForward = list(strict({ resourceType, resourceName: string, namespace: string, port: { anyOf: [string, integer] }, address: string, localPort: integer }))
const patch = strict({ op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] }, path: string, from: string, value: {} }, ['path'])
const profile = strict({ name: string, activation: list(strict({ command: string, env: string, kubeContext: string })), patches: list(patch), build, manifests, deploy, portForward }, ['name'])

export const skaffoldSchema = strict({
  apiVersion: { const: 'skaffold/v4beta14' }, kind: { const: 'Config' }, metadata: strict({ name: string }), build, manifests, deploy, portForward, profiles: list(profile)
}, ['apiVersion', 'kind'])
