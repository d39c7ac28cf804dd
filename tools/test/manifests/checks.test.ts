import { readFile } from 'node:fs/promises'
import t from 'tap'
import { parse } from 'yaml'
import { checkConfigRefs } from '../../src/manifests/config-refs.ts'
import { checkContainers, checkHardening, checkPartOf, MIN_KUBERNETES_VERSION } from '../../src/manifests/containers.ts'
import { checkCrossRefs } from '../../src/manifests/cross-refs.ts'
import { checkNetworkFlows, networkFlows } from '../../src/manifests/network-flows.ts'
import type { K8sObject } from '../../src/manifests/objects.ts'
import { checkJobLabel } from '../../src/manifests/operator-files.ts'
import { parseObjects, skaffoldConfig } from '../../src/manifests/render.ts'
import { checkDevOverlay, type SkaffoldConfig } from '../../src/manifests/skaffold.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { add, edit, expect, KUSTOMIZE_ROOTS, patched, remove, rendered, replace, TAG, unhashed, type Change } from './fixtures.ts'

// The intended network graph, `from -> to:port`: pods named after their Deployment, ports by
// name; kube-dns, ingress-controller, kubernetes-api and internet are WORLD in network-flows.ts.
const ANYWHERE = ['ingress-controller', 'internet', 'kube-dns', 'kubernetes-api']
const dns = (...pods: string[]): string[] => pods.flatMap((pod) => [`${pod} -> kube-dns:53/UDP`, `${pod} -> kube-dns:53`])
const STACK = [...dns('alertmanager', 'grafana', 'jaeger', 'prometheus', 'service-a'), 'alertmanager -> internet:443',
  'prometheus -> service-a:http', 'prometheus -> alertmanager:http', 'prometheus -> prometheus:http', 'grafana -> prometheus:http', 'grafana -> alertmanager:http',
  'service-a -> jaeger:otlp-http', 'grafana -> jaeger:http',
  // The application: from anywhere, inside the namespace limited by each sender's own egress.
  ...ANYWHERE.map((from) => `${from} -> service-a:http`)]
// Pod discovery needs the API server, which is no pod: the rule names its ports only, so any address on 443 is open too.
const KUBERNETES_API = ['prometheus -> kubernetes-api:443', 'prometheus -> kubernetes-api:6443', 'prometheus -> kubernetes-api:8443', 'prometheus -> internet:443']
const INTENDED: Record<string, string[]> = { k8s: STACK, 'overlays/dev': [...STACK, ...dns('load-generator'), 'load-generator -> service-a:http'], 'overlays/multi-replica': [...STACK, ...KUBERNETES_API] }
const missing = (flows: string[]): string[] => [...flows].sort().map((flow) => `missing flow, intended but not allowed: ${flow}`)
const extra = (flows: string[]): string[] => flows.map((flow) => `extra flow, allowed but not intended: ${flow}`)

// skaffold.yaml's artifacts are the bare images it tags at deploy; in the dev render, the
// containers of the images that its dev profile syncs files into may write their root filesystem.
const ARTIFACTS = ((await skaffoldConfig<SkaffoldConfig>()).build?.artifacts ?? []).map((a) => a.image)
const SYNCED = ((await skaffoldConfig<SkaffoldConfig>({ profile: 'dev' })).build?.artifacts ?? []).filter((a) => a.sync !== undefined).map((a) => `${a.image}:${TAG}`)
type Check = (objects: K8sObject[], root: string, minimum?: string) => string[] | Promise<string[]>

/** Each check with the roots it passes on; `containers@1.29` runs it for Kubernetes 1.29. */
const CHECKS: Record<string, [Check, readonly string[]]> = {
  hardening: [(objects, root) => checkHardening(objects, root === 'overlays/dev' ? SYNCED : []), KUSTOMIZE_ROOTS],
  containers: [(objects, _, minimum) => checkContainers(objects, ARTIFACTS, minimum), KUSTOMIZE_ROOTS],
  crossRefs: [checkCrossRefs, KUSTOMIZE_ROOTS],
  // A component root alone lacks the Services that its config files name, and gets the label from k8s/.
  configRefs: [checkConfigRefs, Object.keys(INTENDED)],
  partOf: [checkPartOf, KUSTOMIZE_ROOTS.filter((root) => root === 'k8s' || root.startsWith('overlays/'))],
  devOverlay: [checkDevOverlay, ['overlays/dev']],
  flows: [(objects, root) => checkNetworkFlows(objects, INTENDED[root] ?? []), Object.keys(INTENDED)],
  jobLabel: [checkJobLabel, ['overlays/prometheus-operator']]
}

t.test('every object of every kustomize root passes every check that applies to it', async (t) => {
  for (const root of KUSTOMIZE_ROOTS) {
    for (const [name, [check, roots]] of Object.entries(CHECKS)) if (roots.includes(root)) t.same(await check(await rendered(root), root), [], `${name} on ${root}`)
  }
})

t.test("the dev render keeps every Deployment of k8s/ with its images and mounts; service-a's synced image is the one writable root", async (t) => {
  const dev = await rendered('overlays/dev')
  for (const deployment of (await rendered('k8s')).filter((o) => o.kind === 'Deployment')) {
    const shape = (d: any): unknown => d?.spec.template.spec.containers.map((c: any) => [c.image, c.volumeMounts])
    t.same(shape(dev.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment.metadata.name)), shape(deployment), `Deployment/${deployment.metadata.name}`)
  }
  t.same(SYNCED, [`service-a:${TAG}`])
  t.same(checkHardening(dev), ['Deployment/service-a: container service-a: readOnlyRootFilesystem must be true (writable paths are volumes)'])
})

t.test("the per-pod component's own files carry part-of, for any overlay that uses it; the README and docs/kubernetes.md state the minimum Kubernetes", async (t) => {
  const folder = `${REPO_ROOT}k8s/components/per-pod-scraping/`
  const component = parse(await readFile(`${folder}kustomization.yaml`, 'utf8')) as { resources: string[] }
  const objects = (await Promise.all(component.resources.map(async (file) => parseObjects(await readFile(folder + file, 'utf8'))))).flat()
  t.same(objects.map((o) => o.kind).sort(), ['NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding'])
  t.same(checkPartOf(objects), [])
  t.match(/^### Into a real cluster\n([\s\S]*?)(?=^#)/m.exec(await readFile(`${REPO_ROOT}README.md`, 'utf8'))?.[1], `Kubernetes ${MIN_KUBERNETES_VERSION}`)
  t.match(await readFile(`${REPO_ROOT}docs/kubernetes.md`, 'utf8'), `Kubernetes ${MIN_KUBERNETES_VERSION}`)
})

t.test("without NetworkPolicies every pod reaches every port; docs/kubernetes.md's policy for an ingress controller opens Grafana's http port to it, and nothing else", async (t) => {
  // 4 pods with 2 ports each (http and the undeclared one) and Jaeger with 4 (otlp-http, http,
  // health, undeclared), from 9 senders; and 10 ports of the world from 5 pods.
  t.equal(networkFlows((await rendered('k8s')).filter((o) => o.kind !== 'NetworkPolicy')).length, 9 * (4 * 2 + 4) + 5 * 10)
  const doc = await readFile(`${REPO_ROOT}docs/kubernetes.md`, 'utf8')
  const policy = parse(/\*\*Opening a UI to an ingress controller\.\*\*[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? 'null') as K8sObject
  // Applied in an overlay of k8s/, it gets the stack's namespace.
  policy.metadata.namespace = 'metrics-stack'
  t.same(checkNetworkFlows([...await rendered('k8s'), policy], STACK), extra(['ingress-controller -> grafana:http']))
})

const [POD, MR, OPERATOR, PM, name] = ['/spec/template/spec', 'overlays/multi-replica', 'overlays/prometheus-operator', '/spec/podMetricsEndpoints/0', 'app.kubernetes.io/name']
const C = `${POD}/containers/0`
const SC = `${C}/securityContext`
const [P, G, S] = ['Deployment/prometheus: container prometheus:', 'Deployment/grafana: container grafana:', 'Deployment/service-a: container service-a']
const discovery = (message: string): string => `Deployment/prometheus: /etc/prometheus/scrape-configs/service-a.yml: job service-a: ${message}`
const GO = 'GOMEMLIMIT must come from its own limits.memory (valueFrom.resourceFieldRef)'
const READ_ONLY = 'readOnlyRootFilesystem must be true (writable paths are volumes)'
const grafanaTo = (to: unknown[]): Record<string, Change[]> => ({ 'NetworkPolicy/grafana': [replace('/spec/egress/0/to', to)] })
const sidecar = add(`${POD}/initContainers`, [{ name: 'proxy', image: 'proxy:1', restartPolicy: 'Always' }])

/** [check, what is broken, root, changes by `Kind/name` (null: left out), every message the check must give]. */
const cases: Array<[string, string, string, Record<string, Change[] | null>, string[]]> = [
  ['hardening', 'no numeric UID', 'prometheus', { 'Deployment/prometheus': [remove(`${POD}/securityContext/runAsUser`)] }, [`${P} runAsUser must be a numeric non-root UID`]],
  ['hardening', "a writable root in the dev overlay other than service-a's", 'overlays/dev', { 'Deployment/grafana': [replace(`${SC}/readOnlyRootFilesystem`, false)] }, [`${G} ${READ_ONLY}`]],

  ['containers', 'a missing probe, request or limit', 'grafana', { 'Deployment/grafana': [remove(`${C}/readinessProbe`), remove(`${C}/resources/limits/memory`), remove(`${C}/resources/requests`)] }, [
    `${G} readinessProbe is missing`, `${G} resources.requests.cpu is missing`, `${G} resources.requests.memory is missing`, `${G} resources.limits.memory is missing`]],
  ['containers', 'the latest tag', 'grafana', { 'Deployment/grafana': [replace(`${C}/image`, 'grafana/grafana:latest')] }, [`${G} image grafana/grafana:latest must not use the latest tag`]],
  ['containers', 'no tag after a registry port', 'grafana', { 'Deployment/grafana': [replace(`${C}/image`, 'registry:5000/grafana')] }, [`${G} image registry:5000/grafana has no tag`]],
  ['containers', 'a bare image that no build tool tags', 'service-a', { 'Deployment/service-a': [replace(`${C}/image`, 'service-b')] }, [`${S}: image service-b has no tag`]],
  ['containers', 'a grace period shorter than preStop plus the shutdown timeout', 'service-a', { 'Deployment/service-a': [replace(`${POD}/terminationGracePeriodSeconds`, 20)] }, ['Deployment/service-a: terminationGracePeriodSeconds 20 must exceed preStop sleep 5 s + SHUTDOWN_TIMEOUT_MS 15000 ms']],
  ['containers', 'a shutdown timeout that the default grace period (30 s) cannot cover', 'service-a', {
    'Deployment/service-a': [remove(`${POD}/terminationGracePeriodSeconds`), remove(`${C}/lifecycle`), expect(`${C}/env/3/name`, 'SHUTDOWN_TIMEOUT_MS'), replace(`${C}/env/3/value`, '30000')]
  }, ['Deployment/service-a: terminationGracePeriodSeconds 30 must exceed preStop sleep 0 s + SHUTDOWN_TIMEOUT_MS 30000 ms']],
  ['containers', 'Grafana without GOMEMLIMIT, with the plugin preinstall', 'grafana', {
    'Deployment/grafana': [expect(`${C}/env/8/name`, 'GOMEMLIMIT'), remove(`${C}/env/8`), expect(`${C}/env/7/name`, 'GF_PLUGINS_PREINSTALL_DISABLED'), remove(`${C}/env/7`)]
  }, [`${G} ${GO}`, `${G} GF_PLUGINS_PREINSTALL_DISABLED must be "true": plugin downloads at start need egress and fill /tmp`]],
  ['containers', "Grafana's GOMEMLIMIT from the request, no memory limit", 'grafana', { 'Deployment/grafana': [expect(`${C}/env/8/name`, 'GOMEMLIMIT'), replace(`${C}/env/8/valueFrom/resourceFieldRef/resource`, 'requests.memory'), remove(`${C}/resources/limits/memory`)] }, [`${G} resources.limits.memory is missing`, `${G} ${GO}`]],
  ['containers', 'Alertmanager without GOMEMLIMIT', 'alertmanager', { 'Deployment/alertmanager': [remove(`${C}/env`)] }, [`Deployment/alertmanager: container alertmanager: ${GO}`]],
  ['containers', 'Prometheus 3 with its own GOMEMLIMIT and --no-auto-gomemlimit', 'prometheus', { 'Deployment/prometheus': [add(`${C}/env`, [{ name: 'GOMEMLIMIT', value: '900MiB' }]), add(`${C}/args/-`, '--no-auto-gomemlimit')] }, [
    `${P} GOMEMLIMIT overrides the limit Prometheus 3 derives from the container (--auto-gomemlimit)`, `${P} --no-auto-gomemlimit leaves the Go runtime without the container's limit`]],
  ['containers', 'startup and liveness on /-/ready, readiness on /-/healthy', 'prometheus', {
    'Deployment/prometheus': [replace(`${C}/startupProbe/httpGet/path`, '/-/ready'), replace(`${C}/livenessProbe/httpGet/path`, '/-/ready'), replace(`${C}/readinessProbe/httpGet/path`, '/-/healthy')]
  }, [...['startupProbe', 'livenessProbe'].map((probe) => `${P} ${probe} must GET /-/healthy, not /-/ready: it restarts the container while the WAL replays`), `${P} readinessProbe must GET /-/ready (the TSDB is open)`]],
  ['containers@1.29', "service-a's preStop sleep below its minimum", 'service-a', {}, [`${S} uses the sleep lifecycle action (PodLifecycleSleepAction), Kubernetes 1.30+, above the minimum 1.29`]],
  ['containers@1.28', 'a zero-second sleep, a sidecar and trafficDistribution', 'service-a', {
    'Deployment/service-a': [replace(`${C}/lifecycle/preStop/sleep/seconds`, 0), sidecar], 'Service/service-a': [add('/spec/trafficDistribution', 'PreferClose')]
  }, ['Deployment/service-a: container proxy uses restartPolicy: Always on an init container (sidecar, SidecarContainers), Kubernetes 1.29+, above the minimum 1.28',
    `${S} uses the sleep lifecycle action (PodLifecycleSleepAction), Kubernetes 1.30+, above the minimum 1.28`,
    `${S} uses a sleep of 0 seconds (PodLifecycleSleepActionAllowZero), Kubernetes 1.33+, above the minimum 1.28`, 'Service/service-a: spec.trafficDistribution needs Kubernetes 1.31+, above the minimum 1.28']],
  ['containers@1.33', 'nothing: the same fields at a minimum that has them', 'service-a', { 'Deployment/service-a': [replace(`${C}/lifecycle/preStop/sleep/seconds`, 0), sidecar] }, []],

  ['crossRefs', 'a Service selector that matches no pod', MR, { 'Service/service-a': [replace('/spec/selector', { [name]: 'service-b' })] }, ['Service/service-a: selector matches no pod template']],
  ['crossRefs', 'a named targetPort the container lacks', MR, { 'Service/service-a': [replace('/spec/ports/0/targetPort', 'web')] }, ['Service/service-a: targetPort web is no port of the selected containers']],
  ['crossRefs', 'a numeric targetPort the container lacks', MR, { 'Service/service-a': [replace('/spec/ports/0/targetPort', 8081)] }, ['Service/service-a: targetPort 8081 is no port of the selected containers']],
  ['crossRefs', 'no targetPort, and a port no container has', MR, { 'Service/service-a': [remove('/spec/ports/0/targetPort')] }, ['Service/service-a: targetPort 80 is no port of the selected containers']],
  ['crossRefs', 'a missing ServiceAccount', MR, { 'Deployment/service-a': [replace(`${POD}/serviceAccountName`, 'service-b')] }, ['Deployment/service-a: ServiceAccount service-b does not exist']],
  ['crossRefs', 'a volume that nothing mounts', MR, { 'Deployment/service-a': [add(`${POD}/volumes/-`, { name: 'spare', emptyDir: {} })] }, ['Deployment/service-a: volume spare is mounted by no container']],
  ['crossRefs', 'a missing ConfigMap, Secret and claim', MR, {
    'Deployment/prometheus': ['rulez', 'tls', 'claim'].map((name) => add(`${C}/volumeMounts/-`, { name, mountPath: `/${name}` })).concat(add(`${POD}/volumes/-`, { name: 'rulez', configMap: { name: 'prometheus-rulez' } }),
      add(`${POD}/volumes/-`, { name: 'tls', secret: { secretName: 'tls' } }), add(`${POD}/volumes/-`, { name: 'claim', persistentVolumeClaim: { claimName: 'data' } }))
  }, ['Deployment/prometheus: ConfigMap prometheus-rulez does not exist', 'Deployment/prometheus: Secret tls does not exist', 'Deployment/prometheus: PersistentVolumeClaim data does not exist']],
  ['crossRefs', 'a generated ConfigMap left out', MR, { 'ConfigMap/prometheus-rules': null }, ['Deployment/prometheus: ConfigMap prometheus-rules-<hash> does not exist']],
  ['crossRefs', 'a subPath that is no key of the ConfigMap', MR, { 'Deployment/prometheus': [replace(`${C}/volumeMounts/0/subPath`, 'prometheus.yaml')] }, [`${P} subPath prometheus.yaml is no key of ConfigMap prometheus-config-<hash>`]],
  ['crossRefs', 'projected keys that the ConfigMap lacks', MR, { 'Deployment/grafana': [expect(`${POD}/volumes/2/name`, 'dashboards'), add(`${POD}/volumes/2/configMap/items`, [{ key: 'other.json', path: 'other.json' }])] }, ['Deployment/grafana: ConfigMap grafana-dashboards-<hash> has no key other.json']],
  ['crossRefs', 'a missing Secret key, a missing Secret, a missing ConfigMap key reference', MR, {
    'Deployment/grafana': [replace(`${C}/env/1/valueFrom/secretKeyRef/key`, 'password'), replace(`${C}/env/0/valueFrom/secretKeyRef/name`, 'admin'), add(`${C}/env/-`, { name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } })]
  }, ['Deployment/grafana: Secret admin does not exist', 'Deployment/grafana: Secret grafana-admin-<hash> has no key password', 'Deployment/grafana: ConfigMap settings does not exist']],
  ['crossRefs', 'nothing: optional references and non-ServiceAccount subjects need not exist', MR, { 'Deployment/grafana': [replace(`${C}/env/0/valueFrom/secretKeyRef`, { name: 'admin', key: 'user', optional: true })], 'RoleBinding/prometheus': [add('/subjects/-', { kind: 'User', name: 'jane' })] }, []],
  ['crossRefs', 'a RoleBinding to a missing Role', MR, { 'RoleBinding/prometheus': [replace('/roleRef/name', 'reader')] }, ['RoleBinding/prometheus: roleRef Role reader does not exist']],
  ['crossRefs', 'a RoleBinding to a missing ClusterRole', MR, { 'RoleBinding/prometheus': [replace('/roleRef/kind', 'ClusterRole')] }, ['RoleBinding/prometheus: roleRef ClusterRole prometheus does not exist']],
  ['crossRefs', 'a RoleBinding subject in another namespace or of another name', MR, { 'RoleBinding/prometheus': [add('/subjects/0/namespace', 'default'), add('/subjects/-', { kind: 'ServiceAccount', name: 'android' })] }, [
    'RoleBinding/prometheus: subject ServiceAccount prometheus does not exist in namespace default', 'RoleBinding/prometheus: subject ServiceAccount android does not exist in namespace metrics-stack']],

  ['configRefs', 'pod discovery that keeps no pod', MR, { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', 'regex: service-a', 'regex: service-b')] }, [discovery('keeps no pod of the stack (relabel keep on app.kubernetes.io/name)'), discovery('keeps no container port of those pods')]],
  ['configRefs', 'pod discovery that keeps no port', MR, { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', 'regex: http', 'regex: metrics')] }, [discovery('keeps no container port of those pods')]],
  ['configRefs', 'pod discovery without the token', MR, { 'Deployment/prometheus': [replace(`${POD}/automountServiceAccountToken`, false)] }, [discovery('needs the ServiceAccount token, but automountServiceAccountToken is false')]],
  ['configRefs', 'pod discovery without the right to list pods', MR, { 'Role/prometheus': [replace('/rules/0/verbs', ['get']), remove('/rules/0/apiGroups')] }, [discovery('ServiceAccount prometheus may not list and watch pods')]],
  ['configRefs', 'pod discovery whose RoleBinding binds another account', MR, { 'RoleBinding/prometheus': [replace('/subjects/0/name', 'grafana')] }, [discovery('ServiceAccount prometheus may not list and watch pods')]],
  ['configRefs', 'discovery roles other than pod', MR, { 'ConfigMap/prometheus-scrape-configs': [edit('/data/service-a.yml', 'role: pod', 'role: endpoints')] }, [discovery('kubernetes_sd_configs role endpoints is not checked')]],
  ['configRefs', 'no Alertmanager Service for the datasource', 'k8s', { 'Service/alertmanager': [replace('/metadata/name', 'alerts')] }, ['Deployment/grafana: datasource Alertmanager URL http://alertmanager:9093 is no Service of the stack (alertmanager)']],
  ['configRefs', 'a datasource URL that is no Service port', 'k8s', { 'ConfigMap/grafana-datasources': [edit('/data/prometheus.yaml', 'http://prometheus:9090', 'http://prometheus')] }, ['Deployment/grafana: datasource Prometheus URL http://prometheus is no port of Service prometheus']],
  ['configRefs', 'an https datasource URL on the default port', 'k8s', { 'ConfigMap/grafana-datasources': [edit('/data/prometheus.yaml', 'http://prometheus:9090', 'https://prometheus')] }, ['Deployment/grafana: datasource Prometheus URL https://prometheus is no port of Service prometheus']],
  ['configRefs', 'Grafana without its datasources and dashboards mounted', 'k8s', {
    'Deployment/grafana': [expect(`${C}/volumeMounts/2/name`, 'dashboards'), remove(`${C}/volumeMounts/2`), expect(`${C}/volumeMounts/0/name`, 'datasources'), remove(`${C}/volumeMounts/0`)]
  }, ['Deployment/grafana: no datasource is provisioned in /etc/grafana/provisioning/datasources',
    'Deployment/grafana: dashboard provider service-a reads /etc/grafana/dashboards, where no dashboard is mounted', 'Deployment/grafana: home dashboard /etc/grafana/dashboards/service-a.json is not mounted']],
  ['configRefs', 'a dashboard provider path where nothing is mounted', 'k8s', { 'ConfigMap/grafana-dashboard-providers': [edit('/data/dashboards.yaml', 'path: /etc/grafana/dashboards', 'path: /var/lib/grafana/dashboards')] }, [
    'Deployment/grafana: dashboard provider service-a reads /var/lib/grafana/dashboards, where no dashboard is mounted']],
  ['configRefs', "nothing: Grafana's default provisioning path", 'k8s', { 'Deployment/grafana': [expect(`${C}/env/2/name`, 'GF_PATHS_PROVISIONING'), remove(`${C}/env/2`)] }, []],

  ['partOf', 'an object without the label', MR, { 'PodDisruptionBudget/service-a': [remove('/metadata/labels/app.kubernetes.io~1part-of')] }, ['PodDisruptionBudget/service-a: label app.kubernetes.io/part-of=metrics-stack is missing']],
  ['devOverlay', "k8s/'s stack as the dev loop would deploy it", 'k8s', {}, ["Namespace/metrics-stack: skaffold dev would delete it on exit; the dev profile's before-deploy hook applies it instead",
    ...['alertmanager', 'grafana', 'prometheus'].map((name) => `PersistentVolumeClaim/${name}-data: skaffold dev would delete it, and its data, on exit`),
    ...['alertmanager', 'grafana', 'prometheus'].map((name) => `Deployment/${name}: volume data mounts claim ${name}-data; add the Deployment to overlays/dev's emptyDir patch`),
    'Deployment/prometheus: terminationGracePeriodSeconds 120 exceeds 30 s in the dev loop']],

  ['flows', 'a policy that loses a peer', 'k8s', { 'NetworkPolicy/grafana': [remove('/spec/egress/0/to/1')] }, missing(['grafana -> alertmanager:http'])],
  ['flows', 'a misspelled label in a selector', 'k8s', { 'NetworkPolicy/prometheus': [replace('/spec/egress/0/to/0/podSelector/matchLabels/app.kubernetes.io~1name', 'service_a')] }, missing(['prometheus -> service-a:http'])],
  ['flows', 'a rule without ports: every port of the pod', 'k8s', { 'NetworkPolicy/service-a': [remove('/spec/ingress/0/ports')] }, extra(ANYWHERE.map((from) => `${from} -> service-a:65000`))],
  // 8080 is service-a's `http`: a named port is looked up on the receiving pod, a number taken as it is.
  ['flows', 'a port number instead of its name', 'k8s', { 'NetworkPolicy/prometheus': [replace('/spec/egress/0/ports/0/port', 8080)] }, missing(['prometheus -> alertmanager:http', 'prometheus -> prometheus:http'])],
  ['flows', 'the DNS rule without its namespace selector', 'k8s', { 'NetworkPolicy/dns': [remove('/spec/egress/0/to/0/namespaceSelector')] }, missing(STACK.filter((flow) => flow.includes('kube-dns:')))],
  ['flows', "Alertmanager's ipBlock without exceptions", 'k8s', { 'NetworkPolicy/alertmanager': [remove('/spec/egress/0/to/0/ipBlock/except')] }, extra(['alertmanager -> kubernetes-api:443'])],
  // Every pod's egress stays isolated: the dns policy selects them all for Egress.
  ['flows', 'no default deny: Grafana restricts its egress only', 'k8s', { 'NetworkPolicy/default-deny': null }, extra(ANYWHERE.flatMap((from) => [`${from} -> grafana:65000`, `${from} -> grafana:http`]))],
  // service-a takes http from anywhere: a wider Grafana egress shows there.
  ['flows', 'an empty podSelector: every pod of the namespace', 'k8s', grafanaTo([{ podSelector: {} }]), extra(['grafana -> service-a:http'])],
  ['flows', 'matchExpressions Exists', 'k8s', grafanaTo([{ podSelector: { matchExpressions: [{ key: name, operator: 'Exists' }] } }]), extra(['grafana -> service-a:http'])],
  ['flows', 'matchExpressions In', 'k8s', grafanaTo([{ podSelector: { matchExpressions: [{ key: name, operator: 'In', values: ['prometheus'] }] } }]), missing(['grafana -> alertmanager:http', 'grafana -> jaeger:http'])],
  ['flows', 'matchExpressions NotIn', 'k8s', grafanaTo([{ podSelector: { matchExpressions: [{ key: name, operator: 'NotIn', values: ['alertmanager', 'service-a'] }] } }]), missing(['grafana -> alertmanager:http'])],
  // Every pod has a component label.
  ['flows', 'matchExpressions DoesNotExist', 'k8s', grafanaTo([{ podSelector: { matchExpressions: [{ key: name, operator: 'Exists' }, { key: 'app.kubernetes.io/component', operator: 'DoesNotExist' }] } }]), missing(['grafana -> alertmanager:http', 'grafana -> jaeger:http', 'grafana -> prometheus:http'])],
  ['flows', 'a port range (endPort)', 'k8s', { 'NetworkPolicy/alertmanager': [replace('/spec/egress/0/ports', [{ protocol: 'TCP', port: 400, endPort: 600 }])] }, extra(['alertmanager -> internet:587'])],
  ['flows', 'another protocol', 'k8s', { 'NetworkPolicy/alertmanager': [replace('/spec/egress/0/ports/0/protocol', 'UDP')] }, missing(['alertmanager -> internet:443'])],
  ['flows', "no per-pod component's API rule: pod discovery cut off", MR, { 'NetworkPolicy/prometheus-kubernetes-api': null }, missing(KUBERNETES_API)],

  ['jobLabel', 'a monitor whose port no pod has', OPERATOR, { 'PodMonitor/service-a': [replace(`${PM}/port`, 'metrics')] }, ['no PodMonitor scrapes a pod of the rendered objects']],
  ['jobLabel', 'a ServiceMonitor, refused rather than derived', OPERATOR, { 'PodMonitor/service-a': [replace('/kind', 'ServiceMonitor'), replace('/spec', { selector: { matchLabels: { [name]: 'service-a' } }, endpoints: [{ port: 'http' }] })] }, [
    'ServiceMonitor/service-a: its job label is not derived here (only PodMonitors without a relabeling of job are)']],
  ['jobLabel', 'a relabeling of job, refused rather than derived', OPERATOR, { 'PodMonitor/service-a': [add(`${PM}/relabelings`, [{ sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'job' }])] }, ['PodMonitor/service-a: its job label is not derived here (only PodMonitors without a relabeling of job are)']]
]

for (const [check, what, root, changes, messages] of cases) {
  t.test(`${check} on ${what} (${root})`, async (t) => {
    const [id, minimum] = check.split('@')
    t.same(unhashed(await CHECKS[id!]![0](await patched(root, changes), root, minimum)), messages)
  })
}
