import t from 'tap'
import { render } from '../../src/manifests/render.ts'
import type { K8sObject } from '../../src/manifests/objects.ts'
import { replaceAddresses, STACK_LISTENERS, toLoopback, type LoopbackOptions } from '../../src/containers/loopback.ts'

// The real rendered objects, as `kubectl kustomize` gives them to users.
const rendered = [...await render('service-a'), ...await render('prometheus')]
const options: LoopbackOptions = {
  ports: { 'service-a': 41001, prometheus: 41002 },
  listeners: STACK_LISTENERS,
  images: { 'service-a': 'localhost/service-a:test' },
  fileDir: '/tmp/files',
  suffix: '-t1'
}
const { objects, files } = toLoopback(rendered, options)
const byKind = (kind: string): K8sObject[] => objects.filter((object) => object.kind === kind)
const deployment = (name: string): any => byKind('Deployment').find((object) => object.metadata.name === `${name}-t1`)
const container = (name: string): any => deployment(name).spec.template.spec.containers[0]

t.test('only what kube play runs is kept, every name suffixed', async (t) => {
  t.same(objects.map((object) => `${object.kind}/${object.metadata.name}`).sort(), [
    'ConfigMap/' + rendered.find((o) => o.metadata.name.startsWith('prometheus-config'))!.metadata.name + '-t1',
    'ConfigMap/' + rendered.find((o) => o.metadata.name.startsWith('prometheus-rules'))!.metadata.name + '-t1',
    'Deployment/prometheus-t1',
    'Deployment/service-a-t1',
    'PersistentVolumeClaim/prometheus-data-t1'
  ])
  const volumes = deployment('prometheus').spec.template.spec.volumes
  t.equal(volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName, 'prometheus-data-t1')
  t.match(volumes.find((v: any) => v.name === 'rules').configMap.name, /^prometheus-rules-.*-t1$/)
})

t.test("Prometheus' config scrapes service-a and itself on their loopback ports", async (t) => {
  const config = byKind('ConfigMap').find((object) => object.data['prometheus.yml'] !== undefined)!.data['prometheus.yml']
  t.match(config, "targets: ['127.0.0.1:41001']")
  t.match(config, "targets: ['127.0.0.1:41002']")
  t.notMatch(config, 'service-a:80')
  t.notMatch(config, 'localhost:9090')
  // The mounted file is that same transformed config, at the manifest's mount path.
  const path = Object.keys(files)[0]!
  t.same(Object.keys(files), [path])
  t.equal(files[path], config)
  const mount = container('prometheus').volumeMounts.find((m: any) => m.mountPath === '/etc/prometheus/prometheus.yml')
  t.equal(mount.subPath, undefined)
  t.same(deployment('prometheus').spec.template.spec.volumes.find((v: any) => v.name === mount.name).hostPath, { path, type: 'File' })
})

t.test('each app listens on its loopback port; ports and probes are gone, images swapped', async (t) => {
  const env = Object.fromEntries(container('service-a').env.map((v: any) => [v.name, v.value]))
  t.equal(env.PORT, '41001')
  t.equal(env.HOST, '127.0.0.1')
  t.equal(env.SHUTDOWN_TIMEOUT_MS, '15000', 'other variables pass through')
  t.equal(container('service-a').image, 'localhost/service-a:test')
  t.equal(container('prometheus').image, rendered.find((o) => o.metadata.name === 'prometheus' && o.kind === 'Deployment')!.spec.template.spec.containers[0].image)
  t.equal(container('prometheus').args.at(-1), '--web.listen-address=127.0.0.1:41002')
  for (const name of ['service-a', 'prometheus']) {
    for (const field of ['ports', 'startupProbe', 'livenessProbe', 'readinessProbe']) t.equal(container(name)[field], undefined, `${name} has no ${field}`)
  }
})

t.test('the securityContext passes through unchanged, and the input is not modified', async (t) => {
  const before = structuredClone(rendered)
  toLoopback(rendered, options)
  t.same(rendered, before)
  for (const name of ['service-a', 'prometheus']) {
    const original = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec.template.spec
    t.same(deployment(name).spec.template.spec.securityContext, original.securityContext)
    t.same(container(name).securityContext, original.containers[0].securityContext)
  }
})

t.test('an env variable the listener sets is added when the manifest lacks it', async (t) => {
  const bare = structuredClone(rendered)
  const spec = bare.find((o) => o.kind === 'Deployment' && o.metadata.name === 'service-a')!.spec.template.spec
  delete spec.containers[0].env
  const result = toLoopback(bare, { ...options, suffix: undefined })
  const env = result.objects.find((o) => o.metadata.name === 'service-a')!.spec.template.spec.containers[0].env
  t.same(env, [{ name: 'PORT', value: '41001' }, { name: 'HOST', value: '127.0.0.1' }])
})

t.test('a Deployment it cannot move to loopback, or a missing ConfigMap key, is an error', async (t) => {
  t.throws(() => toLoopback(rendered, { ...options, ports: { 'service-a': 1 } }), /Deployment\/prometheus: no loopback port/)
  const broken = structuredClone(rendered)
  const mount = broken.find((o) => o.kind === 'Deployment' && o.metadata.name === 'prometheus')!
    .spec.template.spec.containers[0].volumeMounts.find((m: any) => m.subPath !== undefined)
  mount.subPath = 'nope.yml'
  t.throws(() => toLoopback(broken, options), /has no key nope\.yml/)
})

t.test('addresses are replaced whole, never inside longer names or ports', async (t) => {
  const map = new Map([['service-a:80', '127.0.0.1:1'], ['localhost:9090', '127.0.0.1:2']])
  t.equal(replaceAddresses("['service-a:80', 'http://localhost:9090/x']", map), "['127.0.0.1:1', 'http://127.0.0.1:2/x']")
  const untouched = 'my-service-a:80 service-a:8080 a.service-a:80 localhost:90901'
  t.equal(replaceAddresses(untouched, map), untouched)
})

t.test('bare objects: no ports, env, args or data; selector-less Services; numeric targetPorts', async (t) => {
  const deploymentOf = (name: string, container: object, volumes?: object[]): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [container], ...(volumes && { volumes }) } } }
  })
  const service = (name: string, selector?: object): K8sObject =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ...(selector && { selector }), ports: [{ port: 80, targetPort: 8080 }] } })
  const bare: K8sObject[] = [
    deploymentOf('web', { name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 's', mountPath: '/s', subPath: 'k' }] },
      [{ name: 's', secret: { secretName: 'cred' } }]),
    deploymentOf('worker', { name: 'worker', image: 'worker:1' }),
    service('web', { app: 'web' }),
    service('manual'),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'urls' }, data: { list: 'web:80 manual:80' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cred' } }
  ]
  const result = toLoopback(bare, {
    ports: { web: 5001, worker: 5002 },
    listeners: { web: () => ({}), worker: (port) => ({ args: [`--port=${port}`] }) },
    fileDir: '/x',
    suffix: '-s'
  })
  const find = (name: string): any => result.objects.find((object) => object.metadata.name === name)
  t.same(find('web-s').spec.template.spec.containers[0], { name: 'web', image: 'web:1', volumeMounts: [{ name: 's', mountPath: '/s', subPath: 'k' }] })
  t.same(find('web-s').spec.template.spec.volumes, [{ name: 's', secret: { secretName: 'cred-s' } }])
  t.same(find('worker-s').spec.template.spec.containers[0].args, ['--port=5002'])
  t.same(find('urls-s').data, { list: '127.0.0.1:5001 manual:80' })
  t.equal(find('empty-s').data, undefined)
  t.same(result.files, {})
})

t.test('a subPath mount of a missing ConfigMap, or of one without data, is an error', async (t) => {
  const mounting = (configMaps: K8sObject[]): K8sObject[] => [...configMaps, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      template: {
        metadata: { labels: {} },
        spec: { containers: [{ name: 'web', volumeMounts: [{ name: 'c', mountPath: '/c', subPath: 'k' }] }], volumes: [{ name: 'c', configMap: { name: 'conf' } }] }
      }
    }
  }]
  const options = { ports: { web: 1 }, listeners: { web: () => ({}) }, fileDir: '/x' }
  t.throws(() => toLoopback(mounting([]), options), /ConfigMap conf has no key k/)
  t.throws(() => toLoopback(mounting([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' } }]), options), /ConfigMap conf has no key k/)
})
