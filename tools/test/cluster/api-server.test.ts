import { readFile } from 'node:fs/promises'
import t from 'tap'
import { stringify } from 'yaml'
import { testCluster } from '../../src/cluster/control-plane.ts'
import { describe, podTemplates, type K8sObject } from '../../src/manifests/objects.ts'
import { REPO_ROOT, TOOLS_DIR } from '../../src/support/paths.ts'
import { add, patched, remove, rendered, replace, type Change } from '../manifests/fixtures.ts'

// A real kube-apiserver judges what users apply, with the code every cluster runs: strict field
// validation (unknown and duplicate fields, types, enums, required fields) and Pod Security
// admission, which the stack's Namespace enforces at "restricted".
const cluster = await testCluster()
t.teardown(cluster.stop)

const yaml = (objects: readonly K8sObject[]): string => objects.map((o) => stringify(o)).join('---\n')
/** `kubectl apply --server-side` with strict field validation; `dryRun` asks the server to judge without storing. */
async function apply (objects: readonly K8sObject[], dryRun = false): Promise<{ ok: boolean, stdout: string, stderr: string }> {
  return await cluster.kubectl(['apply', '--server-side', '--field-manager=metrics-stack-tests', '--validate=strict', ...dryRun ? ['--dry-run=server'] : [], '-f', '-'], yaml(objects))
}

// The Namespace as users get it (k8s/namespace.yaml, which the dev loop's hook applies alone too),
// and the Prometheus Operator's CRDs (make tools writes them from its Go module), before anything else.
const namespace = await apply([(await rendered('k8s')).find((o) => o.kind === 'Namespace')!])
const crds = await cluster.kubectl(['apply', '--server-side', '-f', `${TOOLS_DIR}/prometheus-operator-crds.yaml`])
if (!namespace.ok || !crds.ok) throw new Error(`cannot prepare the cluster: ${namespace.stderr}${crds.stderr}`)
await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/podmonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com'])

t.test('a real kube-apiserver accepts every object of what Skaffold renders (k8s/, the dev profile) and of the multi-replica and Prometheus Operator overlays', async (t) => {
  for (const root of ['k8s', 'overlays/dev', 'overlays/multi-replica', 'overlays/prometheus-operator']) {
    const objects = await rendered(root)
    const result = await apply(objects)
    t.ok(result.ok, `${root}: ${result.stderr}`)
    t.equal(result.stdout.trim().split('\n').length, objects.length, `${root}: one line per object applied`)
  }
})

/** Each pod template of `objects` as the Pod its Deployment would create, server-dry-run: the API server's refusals. */
async function podsRefused (objects: readonly K8sObject[]): Promise<string[]> {
  const refusals: string[] = []
  for (const { owner, labels, spec } of podTemplates(objects)) {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${owner.metadata?.name}-template`, namespace: 'metrics-stack', labels }, spec }
    const result = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(pod))
    if (!result.ok) refusals.push(`${describe(owner)}: ${result.stderr.trim()}`)
  }
  return refusals
}

t.test('Pod Security "restricted", enforced by the Namespace\'s labels, admits the pod of every Deployment', async (t) => {
  for (const root of ['k8s', 'overlays/dev', 'overlays/multi-replica', 'overlays/prometheus-operator']) t.same(await podsRefused(await rendered(root)), [], root)
})

const [POD, C] = ['/spec/template/spec', '/spec/template/spec/containers/0']
const SC = `${C}/securityContext`
/** [what is broken, root, changes by `Kind/name`, what the API server's refusal must say]. */
const refusedPods: Array<[string, string, Record<string, Change[]>, RegExp[]]> = [
  // Without privilege escalation allowed too, validation refuses the pair before admission does.
  ['a privileged container', 'prometheus', { 'Deployment/prometheus': [add(`${SC}/privileged`, true), replace(`${SC}/allowPrivilegeEscalation`, true)] },
    [/violates PodSecurity "restricted:latest": privileged \(container "prometheus" must not set securityContext\.privileged=true\)/]],
  ['no runAsNonRoot', 'prometheus', { 'Deployment/prometheus': [remove(`${POD}/securityContext/runAsNonRoot`), remove(`${SC}/runAsNonRoot`)] },
    [/violates PodSecurity "restricted:latest": runAsNonRoot != true \(pod or container "prometheus" must set securityContext\.runAsNonRoot=true\)/]],
  ['a hostPath volume', 'grafana', { 'Deployment/grafana': [add(`${POD}/volumes/-`, { name: 'host', hostPath: { path: '/var/lib' } })] },
    [/violates PodSecurity "restricted:latest": restricted volume types \(volume "host" uses restricted volume type "hostPath"\)/]],
  ['capabilities kept, seccomp unset', 'service-a', { 'Deployment/service-a': [remove(`${SC}/capabilities`), remove(`${POD}/securityContext/seccompProfile`)] },
    [/unrestricted capabilities \(container "service-a" must set securityContext\.capabilities\.drop=\["ALL"\]\)/, /seccompProfile \(pod or container "service-a" must set securityContext\.seccompProfile\.type/]],
  ['privilege escalation allowed, a host port', 'alertmanager', { 'Deployment/alertmanager': [replace(`${SC}/allowPrivilegeEscalation`, true), add(`${C}/ports/0/hostPort`, 9093)] },
    [/allowPrivilegeEscalation != false \(container "alertmanager" must set securityContext\.allowPrivilegeEscalation=false\)/, /hostPort \(container "alertmanager" uses hostPort 9093\)/]]
]
for (const [what, root, changes, messages] of refusedPods) {
  t.test(`Pod Security refuses ${what} with the API server's own message`, async (t) => {
    const refusals = await podsRefused((await patched(root, changes)).filter((o) => o.kind === 'Deployment'))
    t.equal(refusals.length, 1, refusals.join('\n'))
    for (const message of messages) t.match(refusals[0], message)
  })
}

/** [what is broken, root, changes, what strict field validation must say]. */
const invalid: Array<[string, string, Record<string, Change[]>, RegExp[]]> = [
  // One unknown field per case: with two at different depths, the API server may name only one.
  ['a misspelled field of a container', 'service-a', { 'Deployment/service-a': [add(`${C}/imagePullPolicyy`, 'Always')] },
    [/\.spec\.template\.spec\.containers\[name="service-a"\]\.imagePullPolicyy: field not declared in schema/]],
  ['a misspelled field of the pod spec', 'service-a', { 'Deployment/service-a': [add(`${POD}/contianers`, [])] }, [/\.spec\.template\.spec\.contianers: field not declared in schema/]],
  ['an unknown field inside a list item', 'grafana', { 'Deployment/grafana': [add(`${C}/env/0/valueFrom/secretKeyRef/optinal`, true)] },
    [/\.containers\[name="grafana"\]\.env\[name="GF_SECURITY_ADMIN_USER"\]\.valueFrom\.secretKeyRef\.optinal: field not declared in schema/]],
  ['an unknown field inside a volume', 'grafana', { 'Deployment/grafana': [add(`${POD}/volumes/0/configMap/itemz`, [])] }, [/\.volumes\[name="datasources"\]\.configMap\.itemz: field not declared in schema/]],
  ['a wrong type', 'service-a', { 'Deployment/service-a': [replace(`${C}/ports/0/containerPort`, '8080')] }, [/\.containerPort: expected numeric \(int or float\), got string/]],
  ['a bad enum value', 'service-a', { 'Deployment/service-a': [add(`${C}/imagePullPolicy`, 'Sometimes')] }, [/imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"/]],
  ['a missing required field', 'service-a', { 'Deployment/service-a': [remove('/spec/selector')] }, [/spec\.selector: Required value/]],
  ['a Deployment selector that misses its own pods', 'service-a', { 'Deployment/service-a': [replace('/spec/template/metadata/labels', { app: 'x' })] }, [/`selector` does not match template `labels`/]],
  ['a volumeMount without volume', 'service-a', { 'Deployment/service-a': [replace(`${C}/volumeMounts/0/name`, 'scratch')] }, [/volumeMounts\[0\]\.name: Not found: "scratch"/]],
  ['a RoleBinding without roleRef', 'overlays/multi-replica', { 'RoleBinding/prometheus': [remove('/roleRef')] }, [/roleRef\.name: Required value/]],
  ['an unknown kind', 'service-a', { 'ServiceAccount/service-a': [replace('/kind', 'Gadget')] }, [/no matches for kind "Gadget" in version "v1"/]],
  ['a misspelled field of a custom resource', 'overlays/prometheus-operator', { 'PodMonitor/service-a': [add('/spec/jobLable', 'x')] }, [/PodMonitor\): \.spec\.jobLable: field not declared in schema/]],
  ['a wrong type and a missing field of custom resources', 'overlays/prometheus-operator', {
    'PodMonitor/service-a': [add('/spec/podMetricsEndpoints/0/interval', 15)], 'PrometheusRule/service-a-alerts': [remove('/spec/groups/1/name')]
  }, [/\.spec\.podMetricsEndpoints\[0\]\.interval: expected string, got/, /\.spec\.groups: element 1: associative list with keys has an element that omits all key fields \["name"\]/]]
]
for (const [what, root, changes, messages] of invalid) {
  t.test(`strict field validation refuses ${what}`, async (t) => {
    const result = await apply(await patched(root, changes), true)
    t.notOk(result.ok, 'refused')
    for (const message of messages) t.match(result.stderr, message)
  })
}

t.test('the API server and kubectl are the pinned Kubernetes release', async (t) => {
  const version = JSON.parse((await cluster.kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { gitVersion: string }, clientVersion: { gitVersion: string } }
  const pinned = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(await readFile(`${REPO_ROOT}hack/tools/kubernetes/go.mod`, 'utf8'))?.[1]
  // A cluster given by TEST_KUBECONFIG runs its own release.
  if (cluster.local) t.equal(version.serverVersion.gitVersion, pinned, 'kube-apiserver')
  t.equal(version.clientVersion.gitVersion, pinned, 'kubectl')
})
