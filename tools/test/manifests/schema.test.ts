import t from 'tap'
import { checkSchema } from '../../src/manifests/schema.ts'
import { KUSTOMIZE_ROOTS } from '../../src/manifests/render.ts'
import { modelName, unknownFields } from '../../src/manifests/unknown-fields.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test('every rendered object of every root matches the Kubernetes API schema', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) t.same(await checkSchema(await rendered(dir)), [], dir)
})

t.test('a misspelled field fails, naming its path', async (t) => {
  const objects = broken(await rendered('service-a'), 'Deployment', 'service-a', (d) => {
    d.spec.template.spec.contianers = d.spec.template.spec.containers
    container(d).imagePullPolicyy = 'Always'
    container(d).resources.limits.memory = '1Gi'
  })
  t.same(await checkSchema(objects), [
    'Deployment/service-a: spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"',
    'Deployment/service-a: spec.template.spec.contianers: unknown field "contianers"'
  ])
})

t.test('unknown fields are found in maps and lists of objects too', async (t) => {
  const objects = broken(await rendered('grafana'), 'Deployment', 'grafana', (d) => {
    container(d).env[0].valueFrom.secretKeyRef.optinal = true
    d.spec.template.spec.volumes[0].configMap.itemz = []
  })
  t.same(await checkSchema(objects), [
    'Deployment/grafana: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.optinal: unknown field "optinal"',
    'Deployment/grafana: spec.template.spec.volumes[0].configMap.itemz: unknown field "itemz"'
  ])
})

t.test('wrong types, bad enum values and missing required fields fail', async (t) => {
  const objects = broken(await rendered('service-a'), 'Deployment', 'service-a', (d) => {
    container(d).ports[0].containerPort = '8080'
    container(d).imagePullPolicy = 'Sometimes'
    delete d.spec.selector
  })
  t.same(await checkSchema(objects), [
    'Deployment/service-a: spec: must have required property selector',
    'Deployment/service-a: spec.template.spec.containers[0].imagePullPolicy: must be equal to one of the allowed values (Always, IfNotPresent, Never)',
    'Deployment/service-a: spec.template.spec.containers[0].ports[0].containerPort: must be integer'
  ])
})

t.test('a problem at the root names the root', async (t) => {
  const objects = await rendered('service-a')
  const service = objects.find((o) => o.kind === 'Service')!
  service.spec = 'none'
  t.same(await checkSchema([service]), ['Service/service-a: spec: must be object'])
  const list: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: 'x' }
  t.same(await checkSchema([list]), ['ConfigMap/c: data: must be object'])
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' } }
  t.same(await checkSchema([binding]), ['RoleBinding/b: (root): must have required property roleRef'])
})

t.test('a kind without a schema fails instead of passing unchecked', async (t) => {
  const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }
  t.same(await checkSchema([object]), ['Widget/w: no schema for apiVersion example.com/v1 kind Widget'])
  const known = { apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'g' } }
  t.same(await checkSchema([known]), ['Gadget/g: no schema for apiVersion v1 kind Gadget'])
})

t.test('client-node names top-level models after the version and kind', async (t) => {
  t.equal(modelName('apps/v1', 'Deployment'), 'V1Deployment')
  t.equal(modelName('v1', 'Service'), 'V1Service')
  t.equal(modelName('policy/v1', 'PodDisruptionBudget'), 'V1PodDisruptionBudget')
})

t.test('free-form fields and kinds without a model have nothing below them to check', async (t) => {
  t.same(unknownFields({ apiVersion: 'v1', kind: 'Gadget', spec: { anything: 1 } } as any), [])
})
