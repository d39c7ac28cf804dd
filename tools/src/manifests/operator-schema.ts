import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import type { KubernetesObject } from '@kubernetes/client-node'
import { describe } from './objects.ts'
import { OPERATOR_GROUP, validateWith, type Validator } from './schema.ts'

/**
 * The Prometheus Operator's custom resources (PodMonitor, ServiceMonitor, PrometheusRule, …)
 * against the operator's CRD schemas, offline, as strictly as the built-in kinds are checked:
 * - @kubernetes-models/prometheus-operator (generated from the CRDs) checks types, required
 *   fields and enums, but, like kubernetes-models, accepts fields it does not know;
 * - so the same package's TypeScript declarations (generated from the same schemas) are read
 *   with the TypeScript compiler, and every field of the object must be a property of its
 *   declared type: `jobLable` or `podMetricsEndpoint` fail with their path.
 */

/** Whether an object is one of the operator's kinds. */
export const isOperatorKind = (object: KubernetesObject): boolean => object.apiVersion?.split('/')[0] === OPERATOR_GROUP

export async function checkOperatorSchema (objects: readonly KubernetesObject[]): Promise<string[]> {
  const errors: string[] = []
  for (const object of objects.filter(isOperatorKind)) {
    const report = (message: string): number => errors.push(`${describe(object)}: ${message}`)
    const module = `@kubernetes-models/prometheus-operator/${object.apiVersion}/${object.kind}`
    const Kind = await import(module).then((exports: Record<string, Validator | undefined>) => exports[object.kind ?? ''], () => undefined)
    if (Kind === undefined) {
      report(`no schema for apiVersion ${object.apiVersion} kind ${object.kind}`)
      continue
    }
    validateWith(Kind, object, report)
    unknownFields(object, declaredType(module, `I${object.kind}`), '', report)
  }
  return errors
}

// One TypeScript program per declaration file, built on first use. Only the ES5 library and no
// @types packages: the declarations need nothing more, and @types/node alone costs seconds.
const programs = new Map<string, ts.Program>()

/** The interface `name` declared in the .d.ts beside a module of the package. */
function declaredType (module: string, name: string): { checker: ts.TypeChecker, type: ts.Type } {
  const file = fileURLToPath(import.meta.resolve(module)).replace(/\.js$/, '.d.ts')
  if (!programs.has(file)) programs.set(file, ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es5.d.ts'] }))
  const program = programs.get(file)!
  const checker = program.getTypeChecker()
  const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).find((s) => s.name === name)
  if (symbol === undefined) throw new Error(`${file} declares no ${name}`)
  return { checker, type: checker.getDeclaredTypeOfSymbol(symbol) }
}

/** Reports every key of `value` that its declared type does not have, at any depth. */
function unknownFields (value: unknown, { checker, type }: { checker: ts.TypeChecker, type: ts.Type }, path: string, report: (message: string) => void): void {
  if (value === null || typeof value !== 'object') return
  // Optional fields are unions with undefined; the object (or array) members are what matter.
  const members = (type.isUnion() ? type.types : [type]).filter((t) => (t.flags & ts.TypeFlags.Object) !== 0)
  if (Array.isArray(value)) {
    const array = members.find((t) => checker.isArrayType(t))
    if (array === undefined) return
    const item = checker.getTypeArguments(array as ts.TypeReference)[0]!
    value.forEach((child, i) => unknownFields(child, { checker, type: item }, `${path}[${i}]`, report))
    return
  }
  for (const [key, child] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`
    const property = members.map((t) => t.getProperty(key)).find((p) => p !== undefined)
    const index = members.map((t) => checker.getIndexInfoOfType(t, ts.IndexKind.String)).find((i) => i !== undefined)
    // A free-form field (no declared object members: any, unknown, a map of any) has nothing to check.
    if (property !== undefined) unknownFields(child, { checker, type: checker.getTypeOfSymbol(property) }, where, report)
    else if (index !== undefined) unknownFields(child, { checker, type: index.type }, where, report)
    else if (members.length > 0) report(`${where}: unknown field "${key}"`)
  }
}
