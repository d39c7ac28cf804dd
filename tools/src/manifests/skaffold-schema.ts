/**
 * The part of Skaffold's `skaffold/v4beta14` config schema that this repository uses, strict:
 * an unknown or misspelled field fails, as `skaffold` itself refuses it. Field names and types
 * follow Skaffold's published JSON schema (docs-v2/content/en/schemas/v4beta14.json); fields
 * the stack does not use are left out on purpose, so adding one means adding it here.
 */

const strings = { type: 'array', items: { type: 'string' } } as const

const hostHook = {
  type: 'object',
  additionalProperties: false,
  required: ['command'],
  properties: { command: strings, os: strings, dir: { type: 'string' } }
} as const

const artifact = {
  type: 'object',
  additionalProperties: false,
  required: ['image'],
  properties: {
    image: { type: 'string' },
    context: { type: 'string' },
    docker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dockerfile: { type: 'string' },
        target: { type: 'string' },
        buildArgs: { type: 'object', additionalProperties: { type: 'string' } }
      }
    },
    sync: {
      type: 'object',
      additionalProperties: false,
      properties: {
        infer: strings,
        manual: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['src', 'dest'],
            properties: { src: { type: 'string' }, dest: { type: 'string' }, strip: { type: 'string' } }
          }
        }
      }
    }
  }
} as const

const build = {
  type: 'object',
  additionalProperties: false,
  properties: {
    artifacts: { type: 'array', items: artifact },
    local: {
      type: 'object',
      additionalProperties: false,
      properties: { push: { type: 'boolean' }, useBuildkit: { type: 'boolean' }, concurrency: { type: 'integer' } }
    }
  }
} as const

const manifests = {
  type: 'object',
  additionalProperties: false,
  properties: {
    hooks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        before: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { host: hostHook } } }
      }
    },
    kustomize: {
      type: 'object',
      additionalProperties: false,
      properties: { paths: strings, buildArgs: strings }
    }
  }
} as const

const deploy = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kubectl: { type: 'object', additionalProperties: false, properties: { defaultNamespace: { type: 'string' }, flags: { type: 'object' } } },
    statusCheckDeadlineSeconds: { type: 'integer' }
  }
} as const

const portForward = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      resourceType: { type: 'string', enum: ['service', 'Service', 'pod', 'Pod', 'deployment', 'Deployment'] },
      resourceName: { type: 'string' },
      namespace: { type: 'string' },
      port: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      address: { type: 'string' },
      localPort: { type: 'integer' }
    }
  }
} as const

const profile = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string' },
    activation: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { command: { type: 'string' }, env: { type: 'string' }, kubeContext: { type: 'string' } }
      }
    },
    patches: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: { op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] }, path: { type: 'string' }, from: { type: 'string' }, value: {} }
      }
    },
    build,
    manifests,
    deploy,
    portForward
  }
} as const

export const skaffoldSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { const: 'skaffold/v4beta14' },
    kind: { const: 'Config' },
    metadata: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } },
    build,
    manifests,
    deploy,
    portForward,
    profiles: { type: 'array', items: profile }
  }
} as const
