import { describe, type K8sObject } from './objects.ts'
import { hasModel, unknownFields } from './unknown-fields.ts'

/**
 * Validates each rendered object against the Kubernetes API schema, offline:
 * - kubernetes-models (generated from the Kubernetes OpenAPI spec): types, required fields,
 *   enum values, formats;
 * - ./unknown-fields.ts: fields that the API does not know (kubernetes-models accepts them).
 * Returns one message per problem, each naming the object and the field path.
 */
export async function checkSchema (objects: readonly K8sObject[]): Promise<string[]> {
  const errors: string[] = []
  for (const object of objects) {
    const name = describe(object)
    const Model = await modelClass(object.apiVersion, object.kind)
    if (Model === undefined || !hasModel(object.apiVersion, object.kind)) {
      errors.push(`${name}: no schema for apiVersion ${object.apiVersion} kind ${object.kind}`)
      continue
    }
    try {
      new Model(object).validate()
    } catch (error) {
      const details = (error as { errors: SchemaError[] }).errors
      for (const detail of details) {
        const allowed = detail.params.allowedValues === undefined ? '' : ` (${detail.params.allowedValues.join(', ')})`
        errors.push(`${name}: ${dotted(detail.instancePath)}: ${detail.message}${allowed}`)
      }
    }
    for (const message of unknownFields(object)) errors.push(`${name}: ${message}`)
  }
  return errors
}

interface SchemaError { instancePath: string, message?: string, params: { allowedValues?: unknown[] } }

type ModelClass = new (data: unknown) => { validate: () => void }

/** kubernetes-models has one module per API group version: `kubernetes-models/apps/v1`. */
async function modelClass (apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const module = await import(`kubernetes-models/${apiVersion}`) as Record<string, ModelClass>
    return module[kind]
  } catch {
    return undefined
  }
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
function dotted (pointer: string): string {
  return pointer.split('/').slice(1).map((part, i) => /^\d+$/.test(part) ? `[${part}]` : (i === 0 ? part : `.${part}`)).join('').replace(/^$/, '(root)')
}
