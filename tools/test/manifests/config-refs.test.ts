import t from 'tap'
import { checkConfigRefs } from '../../src/manifests/config-refs.ts'
import { broken, container, rendered } from './fixtures.ts'

const CONFIG = /^prometheus-config-/

/** The stack with the Prometheus config's text changed. */
async function withPrometheusConfig (dir: string, change: (text: string) => string): Promise<any[]> {
  const objects = await rendered(dir)
  const config = objects.find((o) => o.kind === 'ConfigMap' && CONFIG.test(o.metadata.name))!
  config.data['prometheus.yml'] = change(config.data['prometheus.yml'])
  return objects
}

t.test('the scrape targets and the datasource URL resolve in the stack, with either scraping', async (t) => {
  t.same(checkConfigRefs(await rendered('k8s')), [])
  t.same(checkConfigRefs(await rendered('overlays/multi-replica')), [])
  t.same(checkConfigRefs(await rendered('overlays/dev')), [])
})

t.test('the base scrapes service-a:80, the per-pod variant discovers pods', async (t) => {
  const text = (objects: any[]): string => objects.find((o) => o.kind === 'ConfigMap' && CONFIG.test(o.metadata.name)).data['prometheus.yml']
  t.match(text(await rendered('k8s')), "targets: ['service-a:80']")
  t.match(text(await rendered('overlays/multi-replica')), 'kubernetes_sd_configs')
})

t.test('a scrape target that is no Service fails', async (t) => {
  const objects = await withPrometheusConfig('k8s', (text) => text.replace("'service-a:80'", "'service-b:80'"))
  t.same(checkConfigRefs(objects), ['Deployment/prometheus: /etc/prometheus/prometheus.yml: job service-a: target service-b:80 is no Service of the stack (service-b)'])
})

t.test('a scrape target on a port the Service lacks fails', async (t) => {
  const objects = await withPrometheusConfig('k8s', (text) => text.replace("'service-a:80'", "'service-a.metrics-stack.svc:8080'"))
  t.same(checkConfigRefs(objects), ['Deployment/prometheus: /etc/prometheus/prometheus.yml: job service-a: target service-a.metrics-stack.svc:8080 is no port of Service service-a'])
})

t.test('a self-scrape on a port Prometheus does not listen on fails', async (t) => {
  const objects = await withPrometheusConfig('k8s', (text) => text.replace("'localhost:9090'", "'localhost:9091'"))
  t.same(checkConfigRefs(objects), ['Deployment/prometheus: /etc/prometheus/prometheus.yml: job prometheus: target localhost:9091 is no port of this container'])
})

t.test('a config file that is not mounted fails', async (t) => {
  const objects = broken(await rendered('k8s'), 'Deployment', 'prometheus', (d) => { container(d).args[0] = '--config.file=/etc/prometheus/config.yml' })
  t.same(checkConfigRefs(objects), ['Deployment/prometheus: /etc/prometheus/config.yml is not mounted from a ConfigMap'])
})

t.test('pod discovery fails without a pod to keep, a port, a token or the right to list pods', async (t) => {
  const objects = await withPrometheusConfig('overlays/multi-replica', (text) => text
    .replace('regex: service-a', 'regex: service-b').replace('regex: http', 'regex: metrics'))
  const noToken = broken(objects, 'Deployment', 'prometheus', (d) => { d.spec.template.spec.automountServiceAccountToken = false })
  const noRight = broken(noToken, 'Role', 'prometheus', (r) => { r.rules[0].verbs = ['get'] })
  const where = 'Deployment/prometheus: /etc/prometheus/prometheus.yml: job service-a'
  t.same(checkConfigRefs(noRight), [
    `${where}: keeps no pod of the stack (relabel keep on app.kubernetes.io/name)`,
    `${where}: keeps no container port of those pods`,
    `${where}: needs the ServiceAccount token, but automountServiceAccountToken is false`,
    `${where}: ServiceAccount prometheus may not list and watch pods`
  ])
})

t.test('pod discovery without its RoleBinding fails', async (t) => {
  const objects = (await rendered('overlays/multi-replica')).filter((o) => o.kind !== 'RoleBinding')
  t.same(checkConfigRefs(objects), ['Deployment/prometheus: /etc/prometheus/prometheus.yml: job service-a: ServiceAccount prometheus may not list and watch pods'])
})

t.test('discovery roles other than pod are reported as unchecked', async (t) => {
  const objects = await withPrometheusConfig('overlays/multi-replica', (text) => text.replace('role: pod', 'role: endpoints'))
  t.same(checkConfigRefs(objects), ['Deployment/prometheus: /etc/prometheus/prometheus.yml: job service-a: kubernetes_sd_configs role endpoints is not checked'])
})

t.test('a datasource URL that is no Service port fails', async (t) => {
  const objects = await rendered('k8s')
  const datasources = objects.find((o) => o.kind === 'ConfigMap' && /^grafana-datasources-/.test(o.metadata.name))!
  datasources.data['prometheus.yaml'] = datasources.data['prometheus.yaml'].replace('http://prometheus:9090', 'http://prometheus')
  t.same(checkConfigRefs(objects), ['Deployment/grafana: datasource Prometheus URL http://prometheus is no port of Service prometheus'])
})

t.test('Grafana without datasources, dashboards or its home dashboard fails', async (t) => {
  const objects = broken(await rendered('k8s'), 'Deployment', 'grafana', (d) => {
    const mounts = container(d).volumeMounts
    container(d).volumeMounts = mounts.filter((m: any) => !['datasources', 'dashboards'].includes(m.name))
    container(d).env.push({ name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' })
  })
  t.same(checkConfigRefs(objects), [
    'Deployment/grafana: no datasource is provisioned in /etc/grafana/provisioning/datasources',
    'Deployment/grafana: dashboard provider service-a reads /etc/grafana/dashboards, where no dashboard is mounted',
    'Deployment/grafana: home dashboard /etc/grafana/dashboards/service-a.json is not mounted'
  ])
})

t.test('Grafana with the default provisioning path and an empty datasource file passes', async (t) => {
  const objects = broken(await rendered('k8s'), 'Deployment', 'grafana', (d) => {
    container(d).env = container(d).env.filter((e: any) => !['GF_PATHS_PROVISIONING', 'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'].includes(e.name))
  })
  const datasources = objects.find((o) => o.kind === 'ConfigMap' && /^grafana-datasources-/.test(o.metadata.name))!
  datasources.data['prometheus.yaml'] = datasources.data['prometheus.yaml'].replace('url: http://prometheus:9090', 'url: https://prometheus')
  t.same(checkConfigRefs(objects), ['Deployment/grafana: datasource Prometheus URL https://prometheus is no port of Service prometheus'])
})

t.test('configs and pods without the optional parts are read without failing', async (t) => {
  const config = `
scrape_configs:
  - job_name: none
  - job_name: empty
    static_configs: [{}]
  - job_name: self
    static_configs: [{ targets: ['127.0.0.1:9090', 'headless:80'] }]
  - job_name: pods
    kubernetes_sd_configs: [{ role: pod }]
  - job_name: labelled
    kubernetes_sd_configs: [{ role: pod }]
    relabel_configs:
      - { action: replace, target_label: x }
      - { source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_name], regex: app, action: keep }
      - { source_labels: [__meta_kubernetes_pod_container_port_name], regex: web, action: keep }
`
  const prometheus = (name: string, configMap: string): any => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [{ name: 'p', image: 'prometheus:1', args: ['--config.file=/c/p.yml'], volumeMounts: [{ name: 'c', mountPath: '/c' }] }],
      volumes: [{ name: 'c', configMap: { name: configMap } }]
    }
  })
  const objects: any[] = [
    prometheus('prom', 'cfg'),
    prometheus('blank', 'blank'),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'p.yml': config } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blank' }, data: { 'p.yml': '' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless' }, spec: {} },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', labels: { 'app.kubernetes.io/name': 'app' } }, spec: { containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 1 }] }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other' }, spec: { containers: [{ name: 'o' }] } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'nobody' }, roleRef: { kind: 'Role', name: 'empty' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'gone' }, roleRef: { kind: 'Role', name: 'gone' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'vague' }, roleRef: { kind: 'ClusterRole', name: 'vague' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'vague' }, rules: [{ verbs: ['list', 'watch'] }, { apiGroups: [''], verbs: ['list', 'watch'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'empty' } }
  ]
  const where = 'Pod/prom: /c/p.yml: job'
  t.same(checkConfigRefs(objects), [
    `${where} self: target 127.0.0.1:9090 is no port of this container`,
    `${where} self: target headless:80 is no port of Service headless`,
    `${where} pods: keeps no pod of the stack (relabel keep on app.kubernetes.io/name)`,
    `${where} pods: ServiceAccount default may not list and watch pods`,
    `${where} labelled: keeps no container port of those pods`,
    `${where} labelled: ServiceAccount default may not list and watch pods`
  ])
})

t.test('a Grafana without provisioning mounts or with empty files reports what is missing', async (t) => {
  const grafana = (name: string, spec: any): any => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec })
  const mounted = {
    containers: [{
      name: 'g',
      image: 'grafana:1',
      volumeMounts: [
        { name: 'd', mountPath: '/etc/grafana/provisioning/datasources' },
        { name: 'p', mountPath: '/etc/grafana/provisioning/dashboards' },
        { name: 'x', mountPath: '/x' },
        { name: 'y', mountPath: '/y' }
      ]
    }],
    volumes: [{ name: 'd', configMap: { name: 'd' } }, { name: 'p', configMap: { name: 'p' } }, { name: 'x', configMap: { name: 'x' } }, { name: 'y', configMap: { name: 'y' } }]
  }
  const objects: any[] = [
    grafana('bare', { containers: [{ name: 'g', image: 'grafana:1' }] }),
    grafana('empty', mounted),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' }, data: { 'a.yaml': '' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' }, data: { 'a.yaml': '', 'b.yaml': 'providers: [{ name: loose }, { name: x, options: { path: /x } }, { name: y, options: { path: /y } }]' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }
  ]
  t.same(checkConfigRefs(objects), [
    'Pod/bare: no datasource is provisioned in /etc/grafana/provisioning/datasources',
    'Pod/empty: dashboard provider loose reads undefined, where no dashboard is mounted',
    'Pod/empty: dashboard provider x reads /x, where no dashboard is mounted',
    'Pod/empty: dashboard provider y reads /y, where no dashboard is mounted'
  ])
})
