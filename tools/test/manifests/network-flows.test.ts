import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { checkNetworkFlows, networkFlows } from '../../src/manifests/network-flows.ts'
import type { K8sObject } from '../../src/manifests/objects.ts'
import { REPO_ROOT, STACK_ROOTS } from '../../src/manifests/render.ts'
import { broken, rendered } from './fixtures.ts'

// The intended graph, edge by edge: `from -> to:port`. Pods are named after their Deployment and
// ports by their name; kube-dns, ingress-controller (a pod in another namespace), kubernetes-api
// and internet stand for the world around the namespace (WORLD in network-flows.ts).
const STACK_PODS = ['alertmanager', 'grafana', 'prometheus', 'service-a']
const ANYWHERE = ['ingress-controller', 'internet', 'kube-dns', 'kubernetes-api']

const STACK = [
  // Every pod resolves names through the cluster DNS, over UDP and TCP.
  ...STACK_PODS.flatMap((pod) => [`${pod} -> kube-dns:53/UDP`, `${pod} -> kube-dns:53`]),
  'prometheus -> service-a:http',
  'prometheus -> alertmanager:http',
  'prometheus -> prometheus:http',
  'grafana -> prometheus:http',
  'grafana -> alertmanager:http',
  // Receivers outside the cluster, over HTTPS only.
  'alertmanager -> internet:443',
  // service-a is the application: its http port from anywhere, inside the namespace limited by
  // each sender's own egress (only Prometheus may send there).
  ...ANYWHERE.map((from) => `${from} -> service-a:http`)
]

// The load generator (k8s/components/load-generator, in the dev overlay) has its own narrow rule.
const LOAD_GENERATOR = ['load-generator -> kube-dns:53/UDP', 'load-generator -> kube-dns:53', 'load-generator -> service-a:http']

// Pod discovery (k8s/components/per-pod-scraping, in overlays/multi-replica) needs the API
// server, which is no pod: the rule names its ports only, so any address on 443 is open too.
const KUBERNETES_API = ['prometheus -> kubernetes-api:443', 'prometheus -> kubernetes-api:6443', 'prometheus -> kubernetes-api:8443', 'prometheus -> internet:443']

/** Each kustomize root that composes the stack, with the graph it must allow exactly. */
const INTENDED: Record<string, string[]> = {
  k8s: STACK,
  'overlays/dev': [...STACK, ...LOAD_GENERATOR],
  'overlays/multi-replica': [...STACK, ...KUBERNETES_API]
}

t.test('the rendered NetworkPolicies allow exactly the intended flows', async (t) => {
  t.same(Object.keys(INTENDED).sort(), [...STACK_ROOTS].sort(), 'every root that composes the stack has its graph here')
  for (const [root, intended] of Object.entries(INTENDED)) {
    t.same(checkNetworkFlows(await rendered(root), intended), [], root)
  }
})

/** A broken copy of k8s/'s objects: `change` applied to NetworkPolicy `name`. */
const breaking = async (name: string, change: (policy: any) => void): Promise<string[]> =>
  checkNetworkFlows(broken(await rendered('k8s'), 'NetworkPolicy', name, change), STACK)

t.test('a policy that loses a peer leaves a missing edge', async (t) => {
  t.same(await breaking('grafana', (p) => p.spec.egress[0].to.pop()), ['missing flow, intended but not allowed: grafana -> alertmanager:http'])
})

t.test('a misspelled label in a selector cuts the flow it meant', async (t) => {
  t.same(await breaking('prometheus', (p) => { p.spec.egress[0].to[0].podSelector.matchLabels['app.kubernetes.io/name'] = 'service_a' }),
    ['missing flow, intended but not allowed: prometheus -> service-a:http'])
})

t.test('a rule without ports opens every port of the pod: extra edges', async (t) => {
  t.same(await breaking('service-a', (p) => { delete p.spec.ingress[0].ports }),
    ANYWHERE.map((from) => `extra flow, allowed but not intended: ${from} -> service-a:65000`))
})

t.test('a named port is looked up on the receiving pod, a number is taken as it is', async (t) => {
  // 8080 is service-a's `http`; Prometheus and Alertmanager listen elsewhere.
  t.same(await breaking('prometheus', (p) => { p.spec.egress[0].ports[0].port = 8080 }), [
    'missing flow, intended but not allowed: prometheus -> alertmanager:http',
    'missing flow, intended but not allowed: prometheus -> prometheus:http'])
})

t.test('the DNS rule without its namespace selector looks for kube-dns in the own namespace', async (t) => {
  t.same(await breaking('dns', (p) => { delete p.spec.egress[0].to[0].namespaceSelector }),
    STACK.filter((flow) => flow.includes('kube-dns:')).sort().map((flow) => `missing flow, intended but not allowed: ${flow}`))
})

t.test("Alertmanager's ipBlock exceptions keep it off private addresses", async (t) => {
  t.same(await breaking('alertmanager', (p) => { delete p.spec.egress[0].to[0].ipBlock.except }),
    ['extra flow, allowed but not intended: alertmanager -> kubernetes-api:443'])
})

t.test('without the default deny, Grafana, whose policy restricts its egress only, is open to anyone', async (t) => {
  const objects = (await rendered('k8s')).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny'))
  // Every pod's egress stays isolated: the dns policy selects them all for Egress.
  t.same(checkNetworkFlows(objects, STACK), ANYWHERE.flatMap((from) => [`${from} -> grafana:65000`, `${from} -> grafana:http`])
    .map((flow) => `extra flow, allowed but not intended: ${flow}`))
})

t.test('without any policy every pod reaches every port of every pod', async (t) => {
  const flows = networkFlows((await rendered('k8s')).filter((o) => o.kind !== 'NetworkPolicy'))
  t.ok(flows.includes('service-a -> grafana:65000'))
  t.ok(flows.includes('internet -> prometheus:http'))
  // 4 pods with 2 ports each (http and the undeclared one) from 8 senders, and 10 ports of the world from 4 pods.
  t.equal(flows.length, 8 * 4 * 2 + 4 * 10, 'every pair with a pod at one end, on every probed port')
})

t.test('label selectors: the empty selector, matchExpressions', async (t) => {
  const toGrafana = async (to: unknown[]): Promise<string[]> => await breaking('grafana', (p) => { p.spec.egress[0].to = to })
  const name = 'app.kubernetes.io/name'
  // service-a takes http from anywhere: a wider Grafana egress shows there.
  t.same(await toGrafana([{ podSelector: {} }]), ['extra flow, allowed but not intended: grafana -> service-a:http'], 'an empty podSelector selects every pod of the namespace')
  t.same(await toGrafana([{ podSelector: { matchExpressions: [{ key: name, operator: 'Exists' }] } }]), ['extra flow, allowed but not intended: grafana -> service-a:http'], 'Exists')
  t.same(await toGrafana([{ podSelector: { matchExpressions: [{ key: name, operator: 'In', values: ['prometheus'] }] } }]), ['missing flow, intended but not allowed: grafana -> alertmanager:http'], 'In')
  t.same(await toGrafana([{ podSelector: { matchExpressions: [{ key: name, operator: 'NotIn', values: ['alertmanager', 'service-a'] }] } }]), ['missing flow, intended but not allowed: grafana -> alertmanager:http'], 'NotIn')
  t.same(await toGrafana([{ podSelector: { matchExpressions: [{ key: name, operator: 'Exists' }, { key: 'app.kubernetes.io/component', operator: 'DoesNotExist' }] } }]), [
    'missing flow, intended but not allowed: grafana -> alertmanager:http',
    'missing flow, intended but not allowed: grafana -> prometheus:http'], 'DoesNotExist: every pod has a component label')
})

t.test('a port range (endPort) and another protocol', async (t) => {
  t.same(await breaking('alertmanager', (p) => { p.spec.egress[0].ports = [{ protocol: 'TCP', port: 400, endPort: 600 }] }),
    ['extra flow, allowed but not intended: alertmanager -> internet:587'])
  t.same(await breaking('alertmanager', (p) => { p.spec.egress[0].ports[0].protocol = 'UDP' }),
    ['missing flow, intended but not allowed: alertmanager -> internet:443'])
})

t.test("without the per-pod component's API rule, pod discovery in overlays/multi-replica is cut off", async (t) => {
  const objects = (await rendered('overlays/multi-replica')).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'prometheus-kubernetes-api'))
  t.same(checkNetworkFlows(objects, INTENDED['overlays/multi-replica']!), KUBERNETES_API.sort().map((flow) => `missing flow, intended but not allowed: ${flow}`))
})

t.test("docs/kubernetes.md's policy for an ingress controller opens Grafana's http port to it, and nothing else", async (t) => {
  const doc = await readFile(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8')
  const example = /\*\*Opening a UI to an ingress controller\.\*\*[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1]
  if (example === undefined) throw new Error('docs/kubernetes.md shows no policy for an ingress controller')
  // Applied in an overlay of k8s/, it gets the stack's namespace.
  const policy = parse(example) as K8sObject
  policy.metadata.namespace = 'metrics-stack'
  t.same(checkNetworkFlows([...await rendered('k8s'), policy], STACK), ['extra flow, allowed but not intended: ingress-controller -> grafana:http'])
})
