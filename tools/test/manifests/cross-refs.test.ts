import t from 'tap'
import { checkCrossRefs, selects } from '../../src/manifests/cross-refs.ts'
import { KUSTOMIZE_ROOTS } from '../../src/manifests/render.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test('every reference of every root resolves', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) t.same(checkCrossRefs(await rendered(dir)), [], dir)
})

const cases: Array<[string, string, string, (o: any) => void, string]> = [
  ['a Service selector that matches no pod', 'Service', 'service-a', (s) => { s.spec.selector = { 'app.kubernetes.io/name': 'service-b' } }, 'Service/service-a: selector matches no pod template'],
  ['a named targetPort the container lacks', 'Service', 'service-a', (s) => { s.spec.ports[0].targetPort = 'web' }, 'Service/service-a: targetPort web is no port of the selected containers'],
  ['a numeric targetPort the container lacks', 'Service', 'service-a', (s) => { s.spec.ports[0].targetPort = 8081 }, 'Service/service-a: targetPort 8081 is no port of the selected containers'],
  ['a Service without targetPort whose port no container has', 'Service', 'service-a', (s) => { delete s.spec.ports[0].targetPort }, 'Service/service-a: targetPort 80 is no port of the selected containers'],
  ['a Deployment selector that misses its own pods', 'Deployment', 'service-a', (d) => { d.spec.template.metadata.labels = { app: 'x' } }, 'Deployment/service-a: spec.selector does not match the pod template\'s labels'],
  ['a missing ServiceAccount', 'Deployment', 'service-a', (d) => { d.spec.template.spec.serviceAccountName = 'service-b' }, 'Deployment/service-a: ServiceAccount service-b does not exist'],
  ['a volumeMount without volume', 'Deployment', 'service-a', (d) => { container(d).volumeMounts[0].name = 'scratch' }, 'Deployment/service-a: container service-a: volumeMount scratch has no volume'],
  ['a volume that nothing mounts', 'Deployment', 'service-a', (d) => { d.spec.template.spec.volumes.push({ name: 'spare', emptyDir: {} }) }, 'Deployment/service-a: volume spare is mounted by no container'],
  ['a missing ConfigMap', 'Deployment', 'prometheus', (d) => { d.spec.template.spec.volumes[1].configMap.name = 'prometheus-rulez' }, 'Deployment/prometheus: ConfigMap prometheus-rulez does not exist'],
  ['a subPath that is no key of the ConfigMap', 'Deployment', 'prometheus', (d) => { container(d).volumeMounts[0].subPath = 'prometheus.yaml' }, 'Deployment/prometheus: container prometheus: subPath prometheus.yaml is no key of ConfigMap '],
  ['a missing PersistentVolumeClaim', 'Deployment', 'prometheus', (d) => { d.spec.template.spec.volumes[2].persistentVolumeClaim.claimName = 'data' }, 'Deployment/prometheus: PersistentVolumeClaim data does not exist'],
  ['projected keys that the ConfigMap lacks', 'Deployment', 'grafana', (d) => { d.spec.template.spec.volumes[2].configMap.items = [{ key: 'other.json', path: 'other.json' }] }, 'Deployment/grafana: ConfigMap grafana-dashboards-'],
  ['a missing Secret key', 'Deployment', 'grafana', (d) => { container(d).env[1].valueFrom.secretKeyRef.key = 'password' }, 'Deployment/grafana: Secret grafana-admin-'],
  ['a missing Secret', 'Deployment', 'grafana', (d) => { container(d).env[0].valueFrom.secretKeyRef.name = 'admin' }, 'Deployment/grafana: Secret admin does not exist'],
  ['a missing ConfigMap key reference', 'Deployment', 'grafana', (d) => { container(d).env.push({ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } }) }, 'Deployment/grafana: ConfigMap settings does not exist'],
  ['a missing Secret volume', 'Deployment', 'grafana', (d) => { d.spec.template.spec.volumes[4] = { name: 'tmp', secret: { secretName: 'tls' } } }, 'Deployment/grafana: Secret tls does not exist'],
  ['a RoleBinding to a missing Role', 'RoleBinding', 'prometheus', (b) => { b.roleRef.name = 'reader' }, 'RoleBinding/prometheus: roleRef Role reader does not exist'],
  ['a RoleBinding to a missing ClusterRole', 'RoleBinding', 'prometheus', (b) => { b.roleRef.kind = 'ClusterRole' }, 'RoleBinding/prometheus: roleRef ClusterRole prometheus does not exist'],
  ['a RoleBinding subject in another namespace', 'RoleBinding', 'prometheus', (b) => { b.subjects[0].namespace = 'default' }, 'RoleBinding/prometheus: subject ServiceAccount prometheus does not exist in namespace default']
]

for (const [name, kind, object, change, message] of cases) {
  t.test(`fails on ${name}`, async (t) => {
    const errors = checkCrossRefs(broken(await rendered('overlays/multi-replica'), kind, object, change))
    t.ok(errors.some((e) => e.startsWith(message)), errors.join('\n'))
  })
}

t.test('optional references and other subjects are not required to exist', async (t) => {
  const objects = broken(await rendered('overlays/multi-replica'), 'Deployment', 'grafana', (d) => {
    container(d).env[0].valueFrom.secretKeyRef = { name: 'admin', key: 'user', optional: true }
  })
  const withUser = broken(objects, 'RoleBinding', 'prometheus', (b) => { b.subjects.push({ kind: 'User', name: 'jane' }) })
  t.same(checkCrossRefs(withUser), [])
})

t.test('objects without the optional parts pass', async (t) => {
  const objects: any[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'sidecar' }, { name: 'c', ports: [{ containerPort: 80 }] }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { a: '1' }, ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless' }, spec: { selector: { a: '1' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'robot' }] },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'view' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' } }
  ]
  t.same(checkCrossRefs(objects), [])
  objects[4]!.subjects[0].name = 'android'
  t.same(checkCrossRefs(objects), ['RoleBinding/r: subject ServiceAccount android does not exist in namespace undefined'])
})

t.test('an empty selector selects nothing', async (t) => {
  t.equal(selects({}, { a: '1' }), false)
  t.equal(selects(undefined, { a: '1' }), false)
  t.equal(selects({ a: '1' }, { a: '1', b: '2' }), true)
})
