import { readFile } from 'node:fs/promises'
import type { KubernetesObject } from '@kubernetes/client-node'
import t from 'tap'
import { parse } from 'yaml'
import { checkConfigRefs } from '../../src/manifests/config-refs.ts'
import { checkContainers } from '../../src/manifests/containers.ts'
import { checkCrossRefs } from '../../src/manifests/cross-refs.ts'
import { KUSTOMIZE_ROOTS, STACK_ROOTS } from '../../src/manifests/render.ts'
import { checkPodSecurity } from '../../src/manifests/pod-security.ts'
import { checkSchema } from '../../src/manifests/schema.ts'
import { withProfile, type SkaffoldConfig } from '../../src/manifests/skaffold.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { add, edit, expect, patched, remove, rendered, replace, unhashed, type Change } from './fixtures.ts'

// Each check as `make test-manifests` runs it on a root. skaffold.yaml's artifacts are the bare
// images it tags at deploy; in the dev overlay, containers of the images that its dev profile
// syncs files into may write their root filesystem.
const skaffold = parse(await readFile(`${REPO_ROOT}skaffold.yaml`, 'utf8')) as SkaffoldConfig
const ARTIFACTS = (skaffold.build?.artifacts ?? []).map((a) => a.image)
const SYNCED = (withProfile(skaffold, 'dev').build?.artifacts ?? []).filter((a) => a.sync !== undefined).map((a) => a.image)
const CHECKS = {
  schema: checkSchema,
  podSecurity: async (objects: KubernetesObject[], root: string) => checkPodSecurity(objects, root === 'overlays/dev' ? SYNCED : []),
  containers: async (objects: KubernetesObject[]) => checkContainers(objects, ARTIFACTS),
  crossRefs: async (objects: KubernetesObject[]) => checkCrossRefs(objects),
  configRefs: async (objects: KubernetesObject[]) => checkConfigRefs(objects)
}

t.test('every object of every kustomize root passes every check', async (t) => {
  for (const root of KUSTOMIZE_ROOTS) {
    for (const [name, check] of Object.entries(CHECKS)) {
      // A component root alone lacks the Services that its config files name: whole stacks only.
      if (name === 'configRefs' && !STACK_ROOTS.includes(root)) continue
      t.same(await check(await rendered(root), root), [], `${name} on ${root}`)
    }
  }
})

t.test("the dev overlay's writable root for file sync is the one exception it needs", async (t) => {
  t.same(SYNCED, ['service-a'])
  const errors = checkPodSecurity(await rendered('overlays/dev'))
  t.ok(errors.includes('Deployment/service-a: container service-a: readOnlyRootFilesystem must be true (writable paths are volumes)'))
  t.same(errors.filter((e) => !e.endsWith(': readOnlyRootFilesystem must be true (writable paths are volumes)')), [])
})

const POD = '/spec/template/spec'
const C = `${POD}/containers/0`
const SC = `${C}/securityContext`
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }
const P = 'Deployment/prometheus: container prometheus:'
const job = (name: string, file: string, message: string): string => `Deployment/prometheus: /etc/prometheus/${file}: job ${name}: ${message}`

/** [check, what is broken, root, changes by `Kind/name`, every message the check must give]. */
const cases: Array<[keyof typeof CHECKS, string, string, Record<string, Change[]>, string[]]> = [
  ['schema', 'misspelled fields', 'service-a', { 'Deployment/service-a': [add(`${POD}/contianers`, []), add(`${C}/imagePullPolicyy`, 'Always')] }, [
    'Deployment/service-a: spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"',
    'Deployment/service-a: spec.template.spec.contianers: unknown field "contianers"']],
  ['schema', 'unknown fields inside maps and lists', 'grafana', { 'Deployment/grafana': [add(`${C}/env/0/valueFrom/secretKeyRef/optinal`, true), add(`${POD}/volumes/0/configMap/itemz`, [])] }, [
    'Deployment/grafana: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.optinal: unknown field "optinal"',
    'Deployment/grafana: spec.template.spec.volumes[0].configMap.itemz: unknown field "itemz"']],
  ['schema', 'a wrong type, a bad enum value, a missing required field', 'service-a', { 'Deployment/service-a': [replace(`${C}/ports/0/containerPort`, '8080'), add(`${C}/imagePullPolicy`, 'Sometimes'), remove('/spec/selector')] }, [
    'Deployment/service-a: spec: must have required property selector',
    'Deployment/service-a: spec.template.spec.containers[0].imagePullPolicy: must be equal to one of the allowed values (Always, IfNotPresent, Never)',
    'Deployment/service-a: spec.template.spec.containers[0].ports[0].containerPort: must be integer']],
  ['schema', 'a spec that is no object', 'service-a', { 'Service/service-a': [replace('/spec', 'none')] }, ['Service/service-a: spec: must be object']],
  ['schema', 'ConfigMap data that is no map', 'prometheus', { 'ConfigMap/prometheus-config': [replace('/data', 'x')] }, ['ConfigMap/prometheus-config-<hash>: data: must be object']],
  ['schema', 'a RoleBinding without roleRef', 'overlays/multi-replica', { 'RoleBinding/prometheus': [remove('/roleRef')] }, ['RoleBinding/prometheus: (root): must have required property roleRef']],
  ['schema', 'a kind of an unknown API group', 'service-a', { 'ServiceAccount/service-a': [replace('/apiVersion', 'example.com/v1'), replace('/kind', 'Widget')] }, ['Widget/service-a: no schema for apiVersion example.com/v1 kind Widget']],
  ['schema', 'an unknown kind of a known group', 'service-a', { 'ServiceAccount/service-a': [replace('/kind', 'Gadget')] }, ['Gadget/service-a: no schema for apiVersion v1 kind Gadget']],

  ['podSecurity', 'runAsNonRoot unset', 'prometheus', { 'Deployment/prometheus': [remove(`${POD}/securityContext/runAsNonRoot`), remove(`${SC}/runAsNonRoot`)] }, [`${P} runAsNonRoot must be true`]],
  ['podSecurity', 'a container overriding runAsNonRoot', 'prometheus', { 'Deployment/prometheus': [replace(`${SC}/runAsNonRoot`, false)] }, [`${P} runAsNonRoot must be true`]],
  ['podSecurity', 'no numeric UID', 'prometheus', { 'Deployment/prometheus': [remove(`${POD}/securityContext/runAsUser`)] }, [`${P} runAsUser must be a numeric non-root UID`]],
  ['podSecurity', 'UID 0', 'prometheus', { 'Deployment/prometheus': [add(`${SC}/runAsUser`, 0)] }, [`${P} runAsUser must be a numeric non-root UID`]],
  ['podSecurity', 'no seccomp profile', 'prometheus', { 'Deployment/prometheus': [remove(`${POD}/securityContext/seccompProfile`)] }, [`${P} seccompProfile.type must be RuntimeDefault or Localhost`]],
  ['podSecurity', 'seccomp Unconfined', 'prometheus', { 'Deployment/prometheus': [add(`${SC}/seccompProfile`, { type: 'Unconfined' })] }, [`${P} seccompProfile.type must be RuntimeDefault or Localhost`]],
  ['podSecurity', 'privileged', 'prometheus', { 'Deployment/prometheus': [add(`${SC}/privileged`, true)] }, [`${P} privileged must not be true`]],
  ['podSecurity', 'privilege escalation allowed', 'prometheus', { 'Deployment/prometheus': [remove(`${SC}/allowPrivilegeEscalation`)] }, [`${P} allowPrivilegeEscalation must be false`]],
  ['podSecurity', 'capabilities kept', 'prometheus', { 'Deployment/prometheus': [remove(`${SC}/capabilities`)] }, [`${P} capabilities must drop ALL`]],
  ['podSecurity', 'a capability added', 'prometheus', { 'Deployment/prometheus': [add(`${SC}/capabilities/add`, ['NET_BIND_SERVICE', 'SYS_ADMIN'])] }, [`${P} capability SYS_ADMIN must not be added`]],
  ['podSecurity', 'no container securityContext', 'prometheus', { 'Deployment/prometheus': [remove(SC)] }, [
    `${P} allowPrivilegeEscalation must be false`, `${P} capabilities must drop ALL`, `${P} readOnlyRootFilesystem must be true (writable paths are volumes)`]],
  ['podSecurity', 'no security settings at all', 'prometheus', { 'Deployment/prometheus': [remove(`${POD}/securityContext`), remove(SC)] }, [
    `${P} runAsNonRoot must be true`, `${P} runAsUser must be a numeric non-root UID`, `${P} seccompProfile.type must be RuntimeDefault or Localhost`,
    `${P} allowPrivilegeEscalation must be false`, `${P} capabilities must drop ALL`, `${P} readOnlyRootFilesystem must be true (writable paths are volumes)`]],
  ['podSecurity', 'a host port', 'prometheus', { 'Deployment/prometheus': [add(`${C}/ports/0/hostPort`, 9090)] }, [`${P} hostPort 9090 must not be used`]],
  ['podSecurity', 'host namespaces', 'prometheus', { 'Deployment/prometheus': ['hostNetwork', 'hostPID', 'hostIPC'].map((field) => add(`${POD}/${field}`, true)) }, [
    'Deployment/prometheus: hostNetwork must not be true', 'Deployment/prometheus: hostPID must not be true', 'Deployment/prometheus: hostIPC must not be true']],
  ['podSecurity', 'a hostPath volume and a volume without type', 'prometheus', { 'Deployment/prometheus': [add(`${POD}/volumes/-`, { name: 'host', hostPath: { path: '/data' } }), add(`${POD}/volumes/-`, { name: 'typeless' })] }, [
    'Deployment/prometheus: volume host: type hostPath is not allowed', 'Deployment/prometheus: volume typeless: type undefined is not allowed']],
  ['podSecurity', 'an init container running as root', 'prometheus', { 'Deployment/prometheus': [add(`${POD}/initContainers`, [{ name: 'init', image: 'busybox:1', securityContext: { ...HARDENED, runAsUser: 0 } }])] }, [
    'Deployment/prometheus: container init: runAsUser must be a numeric non-root UID']],
  ['podSecurity', "a writable root in the dev overlay other than service-a's", 'overlays/dev', { 'Deployment/grafana': [replace(`${SC}/readOnlyRootFilesystem`, false)] }, [
    'Deployment/grafana: container grafana: readOnlyRootFilesystem must be true (writable paths are volumes)']],

  ['containers', 'a missing probe, request or limit', 'grafana', { 'Deployment/grafana': [remove(`${C}/readinessProbe`), remove(`${C}/resources/limits/memory`), remove(`${C}/resources/requests`)] }, [
    'Deployment/grafana: container grafana: readinessProbe is missing', 'Deployment/grafana: container grafana: resources.requests.cpu is missing',
    'Deployment/grafana: container grafana: resources.requests.memory is missing', 'Deployment/grafana: container grafana: resources.limits.memory is missing']],
  ['containers', 'the latest tag', 'grafana', { 'Deployment/grafana': [replace(`${C}/image`, 'grafana/grafana:latest')] }, ['Deployment/grafana: container grafana: image grafana/grafana:latest must not use the latest tag']],
  ['containers', 'no tag after a registry port', 'grafana', { 'Deployment/grafana': [replace(`${C}/image`, 'registry:5000/grafana')] }, ['Deployment/grafana: container grafana: image registry:5000/grafana has no tag']],
  ['containers', 'a bare image that no build tool tags', 'service-a', { 'Deployment/service-a': [replace(`${C}/image`, 'service-b')] }, ['Deployment/service-a: container service-a: image service-b has no tag']],
  ['containers', 'a grace period shorter than preStop plus the shutdown timeout', 'service-a', { 'Deployment/service-a': [replace(`${POD}/terminationGracePeriodSeconds`, 20)] }, [
    'Deployment/service-a: terminationGracePeriodSeconds 20 must exceed preStop sleep 5 s + SHUTDOWN_TIMEOUT_MS 15000 ms']],
  ['containers', 'a shutdown timeout that the default grace period (30 s) cannot cover', 'service-a', { 'Deployment/service-a': [remove(`${POD}/terminationGracePeriodSeconds`), remove(`${C}/lifecycle`), expect(`${C}/env/3/name`, 'SHUTDOWN_TIMEOUT_MS'), replace(`${C}/env/3/value`, '30000')] }, [
    'Deployment/service-a: terminationGracePeriodSeconds 30 must exceed preStop sleep 0 s + SHUTDOWN_TIMEOUT_MS 30000 ms']],

  ['crossRefs', 'a Service selector that matches no pod', 'overlays/multi-replica', { 'Service/service-a': [replace('/spec/selector', { 'app.kubernetes.io/name': 'service-b' })] }, ['Service/service-a: selector matches no pod template']],
  ['crossRefs', 'a named targetPort the container lacks', 'overlays/multi-replica', { 'Service/service-a': [replace('/spec/ports/0/targetPort', 'web')] }, ['Service/service-a: targetPort web is no port of the selected containers']],
  ['crossRefs', 'a numeric targetPort the container lacks', 'overlays/multi-replica', { 'Service/service-a': [replace('/spec/ports/0/targetPort', 8081)] }, ['Service/service-a: targetPort 8081 is no port of the selected containers']],
  ['crossRefs', 'no targetPort, and a port no container has', 'overlays/multi-replica', { 'Service/service-a': [remove('/spec/ports/0/targetPort')] }, ['Service/service-a: targetPort 80 is no port of the selected containers']],
  ['crossRefs', 'a Deployment selector that misses its own pods', 'overlays/multi-replica', { 'Deployment/service-a': [replace('/spec/template/metadata/labels', { app: 'x' })] }, [
    "Deployment/service-a: spec.selector does not match the pod template's labels", 'Service/service-a: selector matches no pod template']],
  ['crossRefs', 'a missing ServiceAccount', 'overlays/multi-replica', { 'Deployment/service-a': [replace(`${POD}/serviceAccountName`, 'service-b')] }, ['Deployment/service-a: ServiceAccount service-b does not exist']],
  ['crossRefs', 'a volumeMount without volume', 'overlays/multi-replica', { 'Deployment/service-a': [replace(`${C}/volumeMounts/0/name`, 'scratch')] }, [
    'Deployment/service-a: container service-a: volumeMount scratch has no volume', 'Deployment/service-a: volume tmp is mounted by no container']],
  ['crossRefs', 'a volume that nothing mounts', 'overlays/multi-replica', { 'Deployment/service-a': [add(`${POD}/volumes/-`, { name: 'spare', emptyDir: {} })] }, ['Deployment/service-a: volume spare is mounted by no container']],
  ['crossRefs', 'a missing ConfigMap, Secret and claim', 'overlays/multi-replica', {
    'Deployment/prometheus': ['rulez', 'tls', 'claim'].map((name) => add(`${C}/volumeMounts/-`, { name, mountPath: `/${name}` })).concat(add(`${POD}/volumes/-`, { name: 'rulez', configMap: { name: 'prometheus-rulez' } }),
      add(`${POD}/volumes/-`, { name: 'tls', secret: { secretName: 'tls' } }), add(`${POD}/volumes/-`, { name: 'claim', persistentVolumeClaim: { claimName: 'data' } }))
  }, ['Deployment/prometheus: ConfigMap prometheus-rulez does not exist', 'Deployment/prometheus: Secret tls does not exist', 'Deployment/prometheus: PersistentVolumeClaim data does not exist']],
  ['crossRefs', 'a subPath that is no key of the ConfigMap', 'overlays/multi-replica', { 'Deployment/prometheus': [replace(`${C}/volumeMounts/0/subPath`, 'prometheus.yaml')] }, [
    `${P} subPath prometheus.yaml is no key of ConfigMap prometheus-config-<hash>`]],
  ['crossRefs', 'projected keys that the ConfigMap lacks', 'overlays/multi-replica', { 'Deployment/grafana': [expect(`${POD}/volumes/2/name`, 'dashboards'), add(`${POD}/volumes/2/configMap/items`, [{ key: 'other.json', path: 'other.json' }])] }, [
    'Deployment/grafana: ConfigMap grafana-dashboards-<hash> has no key other.json']],
  ['crossRefs', 'a missing Secret key, a missing Secret, a missing ConfigMap key reference', 'overlays/multi-replica', {
    'Deployment/grafana': [replace(`${C}/env/1/valueFrom/secretKeyRef/key`, 'password'), replace(`${C}/env/0/valueFrom/secretKeyRef/name`, 'admin'), add(`${C}/env/-`, { name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } })]
  }, ['Deployment/grafana: Secret admin does not exist', 'Deployment/grafana: Secret grafana-admin-<hash> has no key password', 'Deployment/grafana: ConfigMap settings does not exist']],
  ['crossRefs', 'nothing: optional references and non-ServiceAccount subjects need not exist', 'overlays/multi-replica', {
    'Deployment/grafana': [replace(`${C}/env/0/valueFrom/secretKeyRef`, { name: 'admin', key: 'user', optional: true })], 'RoleBinding/prometheus': [add('/subjects/-', { kind: 'User', name: 'jane' })]
  }, []],
  ['crossRefs', 'a RoleBinding to a missing Role', 'overlays/multi-replica', { 'RoleBinding/prometheus': [replace('/roleRef/name', 'reader')] }, ['RoleBinding/prometheus: roleRef Role reader does not exist']],
  ['crossRefs', 'a RoleBinding to a missing ClusterRole', 'overlays/multi-replica', { 'RoleBinding/prometheus': [replace('/roleRef/kind', 'ClusterRole')] }, ['RoleBinding/prometheus: roleRef ClusterRole prometheus does not exist']],
  ['crossRefs', 'a RoleBinding subject in another namespace or of another name', 'overlays/multi-replica', { 'RoleBinding/prometheus': [add('/subjects/0/namespace', 'default'), add('/subjects/-', { kind: 'ServiceAccount', name: 'android' })] }, [
    'RoleBinding/prometheus: subject ServiceAccount prometheus does not exist in namespace default', 'RoleBinding/prometheus: subject ServiceAccount android does not exist in namespace metrics-stack']],

  ['configRefs', 'a scrape target that is no Service', 'k8s', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', "'service-a:80'", "'service-b:80'")] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'target service-b:80 is no Service of the stack (service-b)')]],
  ['configRefs', 'a scrape target on a port the Service lacks', 'k8s', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', "'service-a:80'", "'service-a.metrics-stack.svc:8080'")] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'target service-a.metrics-stack.svc:8080 is no port of Service service-a')]],
  ['configRefs', 'a scraped Service without ports', 'k8s', { 'Service/service-a': [remove('/spec/ports')] }, [job('service-a', 'scrape-configs/service-a.yml', 'target service-a:80 is no port of Service service-a')]],
  ['configRefs', 'a self-scrape on a port Prometheus does not listen on', 'k8s', { 'ConfigMap/prometheus-config': [edit('/data/prometheus.yml', "'localhost:9090'", "'127.0.0.1:9091'")] }, [
    job('prometheus', 'prometheus.yml', 'target 127.0.0.1:9091 is no container port of this pod')]],
  ['configRefs', 'a config file that is not mounted', 'k8s', { 'Deployment/prometheus': [replace(`${C}/args/0`, '--config.file=/etc/prometheus/config.yml')] }, ['Deployment/prometheus: /etc/prometheus/config.yml is not mounted from a ConfigMap']],
  ['configRefs', 'scrape config and rule file patterns that match no mounted file', 'k8s', {
    'ConfigMap/prometheus-config': [edit('/data/prometheus.yml', '- scrape-configs/*.yml', '- scrape-config/*.yml'), edit('/data/prometheus.yml', '- rules/*.yml', '- rules/*.yaml')]
  }, ['Deployment/prometheus: /etc/prometheus/prometheus.yml: rule_files rules/*.yaml matches no mounted file', 'Deployment/prometheus: /etc/prometheus/prometheus.yml: scrape_config_files scrape-config/*.yml matches no mounted file']],
  ['configRefs', 'pod discovery that keeps no pod', 'overlays/multi-replica', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', 'regex: service-a', 'regex: service-b')] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'keeps no pod of the stack (relabel keep on app.kubernetes.io/name)'), job('service-a', 'scrape-configs/service-a.yml', 'keeps no container port of those pods')]],
  ['configRefs', 'pod discovery that keeps no port', 'overlays/multi-replica', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', 'regex: http', 'regex: metrics')] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'keeps no container port of those pods')]],
  ['configRefs', 'pod discovery without the token', 'overlays/multi-replica', { 'Deployment/prometheus': [replace(`${POD}/automountServiceAccountToken`, false)] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'needs the ServiceAccount token, but automountServiceAccountToken is false')]],
  ['configRefs', 'pod discovery without the right to list pods', 'overlays/multi-replica', { 'Role/prometheus': [replace('/rules/0/verbs', ['get']), remove('/rules/0/apiGroups')] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'ServiceAccount prometheus may not list and watch pods')]],
  ['configRefs', 'pod discovery whose RoleBinding binds another account', 'overlays/multi-replica', { 'RoleBinding/prometheus': [replace('/subjects/0/name', 'grafana')] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'ServiceAccount prometheus may not list and watch pods')]],
  ['configRefs', 'discovery roles other than pod', 'overlays/multi-replica', { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', 'role: pod', 'role: endpoints')] }, [
    job('service-a', 'scrape-configs/service-a.yml', 'kubernetes_sd_configs role endpoints is not checked')]],
  ['configRefs', 'alerts sent to a port the alertmanager Service lacks', 'k8s', { 'ConfigMap/prometheus-config': [edit('/data/prometheus.yml', "'alertmanager:9093'", "'alertmanager:9094'")] }, [
    'Deployment/prometheus: /etc/prometheus/prometheus.yml: alerting target alertmanager:9094 is no port of Service alertmanager']],
  ['configRefs', 'alerts sent to no Alertmanager of the stack', 'k8s', { 'Service/alertmanager': [replace('/metadata/name', 'alerts')] }, [
    'Deployment/grafana: datasource Alertmanager URL http://alertmanager:9093 is no Service of the stack (alertmanager)',
    'Deployment/prometheus: /etc/prometheus/prometheus.yml: alerting target alertmanager:9093 is no Service of the stack (alertmanager)']],
  ['configRefs', 'a datasource URL that is no Service port', 'k8s', { 'ConfigMap/grafana-datasources': [edit('/data/prometheus.yaml', 'http://prometheus:9090', 'http://prometheus')] }, [
    'Deployment/grafana: datasource Prometheus URL http://prometheus is no port of Service prometheus']],
  ['configRefs', 'an https datasource URL on the default port', 'k8s', { 'ConfigMap/grafana-datasources': [edit('/data/prometheus.yaml', 'http://prometheus:9090', 'https://prometheus')] }, [
    'Deployment/grafana: datasource Prometheus URL https://prometheus is no port of Service prometheus']],
  ['configRefs', 'Grafana without its datasources and dashboards mounted', 'k8s', {
    'Deployment/grafana': [expect(`${C}/volumeMounts/2/name`, 'dashboards'), remove(`${C}/volumeMounts/2`), expect(`${C}/volumeMounts/0/name`, 'datasources'), remove(`${C}/volumeMounts/0`)]
  }, ['Deployment/grafana: no datasource is provisioned in /etc/grafana/provisioning/datasources',
    'Deployment/grafana: dashboard provider service-a reads /etc/grafana/dashboards, where no dashboard is mounted',
    'Deployment/grafana: home dashboard /etc/grafana/dashboards/service-a.json is not mounted']],
  ['configRefs', 'a dashboard provider path where nothing is mounted', 'k8s', { 'ConfigMap/grafana-dashboard-providers': [edit('/data/dashboards.yaml', 'path: /etc/grafana/dashboards', 'path: /var/lib/grafana/dashboards')] }, [
    'Deployment/grafana: dashboard provider service-a reads /var/lib/grafana/dashboards, where no dashboard is mounted']],
  ['configRefs', "nothing: Grafana's default provisioning path", 'k8s', { 'Deployment/grafana': [expect(`${C}/env/2/name`, 'GF_PATHS_PROVISIONING'), remove(`${C}/env/2`)] }, []]
]

for (const [check, what, root, changes, messages] of cases) {
  t.test(`${check} on ${what} (${root})`, async (t) => {
    t.same(unhashed(await CHECKS[check](await patched(root, changes), root)), messages)
  })
}
