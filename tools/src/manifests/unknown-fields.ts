import * as k8s from '@kubernetes/client-node'

/**
 * Rejects fields the Kubernetes API does not know, as `kubectl apply --validate=strict` would.
 * The type maps come from @kubernetes/client-node's models, generated from the Kubernetes
 * OpenAPI spec: each model lists its fields and their types, so a walk over an object finds
 * every key that no model declares (`contianers`, `imagePullPolicyy`).
 * Types and required fields are checked by ./schema.ts with kubernetes-models.
 */

interface Attribute { baseName: string, type: string }
type Model = { attributeTypeMap?: Attribute[] } | undefined

const models = k8s as unknown as Record<string, Model>

/** `V1` + kind for `apps/v1`, `v1`, `policy/v1` …: client-node's class naming of top-level kinds. */
export function modelName (apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').at(-1)!
  return version.charAt(0).toUpperCase() + version.slice(1) + kind
}

/** Whether client-node has a model for this kind (else the caller reports an unknown kind). */
export function hasModel (apiVersion: string, kind: string): boolean {
  return models[modelName(apiVersion, kind)]?.attributeTypeMap !== undefined
}

/** Every unknown field of `object`, as `path: unknown field`; empty when all are known. */
export function unknownFields (object: { apiVersion: string, kind: string }): string[] {
  const errors: string[] = []
  walk(object, modelName(object.apiVersion, object.kind), '', errors)
  return errors
}

const ARRAY = /^Array<(.+)>$/
const MAP = /^\{ \[key: string\]: (.+); \}$/

function walk (value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || typeof value !== 'object') return
  const array = ARRAY.exec(type)
  if (array !== null) {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, array[1]!, `${path}[${index}]`, errors))
    return
  }
  const map = MAP.exec(type)
  if (map !== null) {
    for (const [key, item] of Object.entries(value)) walk(item, map[1]!, `${path}.${key}`, errors)
    return
  }
  const attributes = models[type]?.attributeTypeMap
  // Scalars, IntOrString, free-form `any`/`object` fields: nothing below them to check.
  if (attributes === undefined) return
  for (const [key, item] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`
    const attribute = attributes.find((a) => a.baseName === key)
    if (attribute === undefined) errors.push(`${where}: unknown field "${key}"`)
    else walk(item, attribute.type, where, errors)
  }
}
