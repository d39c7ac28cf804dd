import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import type { KubernetesObject } from '@kubernetes/client-node'
import { describe } from './objects.ts'

/**
 * As strictly as `kubectl apply --validate=strict`: kubernetes-models' classes (and the operator's,
 * from its CRDs) check types, required fields and enums but accept unknown fields, so every field
 * must also be a property of the TypeScript declaration beside the model, from the same schema.
 */
export async function checkSchema (objects: readonly KubernetesObject[]): Promise<string[]> {
  const errors: string[] = []
  for (const object of objects) {
    const report = (message: string): number => errors.push(`${describe(object)}: ${message}`)
    const { apiVersion = '', kind = '' } = object
    const module = `${apiVersion.startsWith('monitoring.coreos.com/') ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models'}/${apiVersion}/${kind}`
    const Model = await import(module).then((exports: Record<string, (new (data: unknown) => { validate: () => void }) | undefined>) => exports[kind], () => undefined)
    if (Model === undefined) {
      report(`no schema for apiVersion ${apiVersion} kind ${kind}`)
      continue
    }
    try {
      new Model(object).validate()
    } catch (error) {
      for (const { instancePath, message, params } of (error as { errors: Array<{ instancePath: string, message?: string, params: { allowedValues?: unknown[] } }> }).errors) {
        report(`${dotted(instancePath)}: ${message}${params.allowedValues === undefined ? '' : ` (${params.allowedValues.join(', ')})`}`)
      }
    }
    unknownFields(object, declaredType(module, `I${kind}`), '', report)
  }
  return errors
}

const dotted = (pointer: string): string =>
  pointer.split('/').slice(1).map((part, i) => /^\d+$/.test(part) ? `[${part}]` : (i === 0 ? part : `.${part}`)).join('') || '(root)'

// One TypeScript program per declaration file, built on first use. Only the ES5 library and no
// @types packages: the declarations need nothing more, and @types/node alone costs seconds.
const programs = new Map<string, ts.Program>()

function declaredType (module: string, name: string): { checker: ts.TypeChecker, type: ts.Type } {
  const file = fileURLToPath(import.meta.resolve(module)).replace(/\.js$/, '.d.ts')
  if (!programs.has(file)) programs.set(file, ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es5.d.ts'] }))
  const checker = programs.get(file)!.getTypeChecker()
  const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(programs.get(file)!.getSourceFile(file)!)!).find((s) => s.name === name)
  if (symbol === undefined) throw new Error(`${file} declares no ${name}`)
  return { checker, type: checker.getDeclaredTypeOfSymbol(symbol) }
}

function unknownFields (value: unknown, { checker, type }: { checker: ts.TypeChecker, type: ts.Type }, path: string, report: (message: string) => void): void {
  if (value === null || typeof value !== 'object') return
  // Optional fields are unions with undefined; the object (or array) members are what matter.
  const members = (type.isUnion() ? type.types : [type]).filter((t) => (t.flags & ts.TypeFlags.Object) !== 0)
  if (Array.isArray(value)) {
    const array = members.find((t) => checker.isArrayType(t))
    const item = array === undefined ? undefined : checker.getTypeArguments(array as ts.TypeReference)[0]
    if (item !== undefined) value.forEach((child, i) => { unknownFields(child, { checker, type: item }, `${path}[${i}]`, report) })
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
