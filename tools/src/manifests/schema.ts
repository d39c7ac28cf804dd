import * as k8s from '@kubernetes/client-node'
import type { KubernetesObject } from '@kubernetes/client-node'
import { describe } from './objects.ts'

/** The API group of the Prometheus Operator's custom resources. */
export const OPERATOR_GROUP = 'monitoring.coreos.com'

/**
 * Each rendered object against the Kubernetes API schema, offline: kubernetes-models checks
 * types, required fields and enum values but accepts unknown fields, so the attribute maps of
 * @kubernetes/client-node's models (both generated from the OpenAPI spec) are walked to reject
 * those (`contianers`), as `kubectl apply --validate=strict` would. One message per problem.
 */
export async function checkSchema (objects: readonly KubernetesObject[]): Promise<string[]> {
  const errors: string[] = []
  for (const object of objects) {
    const report = (message: string): number => errors.push(`${describe(object)}: ${message}`)
    const { apiVersion = '', kind = '' } = object
    // The Prometheus Operator's custom resources have the operator's schemas (operator-schema.ts,
    // loaded only when needed: it brings the TypeScript compiler).
    if (apiVersion.startsWith(`${OPERATOR_GROUP}/`)) {
      errors.push(...await (await import('./operator-schema.ts')).checkOperatorSchema([object]))
      continue
    }
    // client-node names top-level models `V1Deployment` for apps/v1, v1, policy/v1, …
    const version = apiVersion.split('/').at(-1)!
    const model = version.charAt(0).toUpperCase() + version.slice(1) + kind
    const Validator = await validator(apiVersion, kind)
    if (Validator === undefined || models[model]?.attributeTypeMap === undefined) {
      report(`no schema for apiVersion ${apiVersion} kind ${kind}`)
      continue
    }
    validateWith(Validator, object, report)
    unknownFields(object, model, '', report)
  }
  return errors
}

interface AjvError { instancePath: string, message?: string, params: { allowedValues?: unknown[] } }
/** A model class of kubernetes-models (or of its Prometheus Operator package). */
export type Validator = new (data: unknown) => { validate: () => void }

/** Types, required fields and enum values, as the model's schema checks them: one report per problem. */
export function validateWith (Validator: Validator, object: unknown, report: (message: string) => void): void {
  try {
    new Validator(object).validate()
  } catch (error) {
    for (const { instancePath, message, params } of (error as { errors: AjvError[] }).errors) {
      report(`${dotted(instancePath)}: ${message}${params.allowedValues === undefined ? '' : ` (${params.allowedValues.join(', ')})`}`)
    }
  }
}

/** kubernetes-models has one module per API group version: `kubernetes-models/apps/v1`. */
async function validator (apiVersion: string, kind: string): Promise<Validator | undefined> {
  return await import(`kubernetes-models/${apiVersion}`).then((exports: Record<string, Validator | undefined>) => exports[kind], () => undefined)
}

const models = k8s as unknown as Record<string, { attributeTypeMap?: Array<{ baseName: string, type: string }> } | undefined>
const ARRAY = /^Array<(.+)>$/
const MAP = /^\{ \[key: string\]: (.+); \}$/

function unknownFields (value: unknown, type: string, path: string, report: (message: string) => void): void {
  if (value === null || typeof value !== 'object') return
  const item = ARRAY.exec(type)?.[1] ?? MAP.exec(type)?.[1]
  if (item !== undefined) {
    for (const [key, child] of Object.entries(value)) unknownFields(child, item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, report)
    return
  }
  // Scalars, IntOrString and free-form fields have no attribute map: nothing below to check.
  const attributes = models[type]?.attributeTypeMap
  for (const [key, child] of attributes === undefined ? [] : Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`
    const attribute = attributes!.find((a) => a.baseName === key)
    if (attribute === undefined) report(`${where}: unknown field "${key}"`)
    else unknownFields(child, attribute.type, where, report)
  }
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function dotted (pointer: string): string {
  return pointer.split('/').slice(1).map((part, i) => /^\d+$/.test(part) ? `[${part}]` : (i === 0 ? part : `.${part}`)).join('') || '(root)'
}
