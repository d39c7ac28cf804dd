import { BlockList, isIPv6 } from 'node:net'
import type { V1LabelSelector, V1NetworkPolicy, V1NetworkPolicyPeer, V1NetworkPolicyPort } from '@kubernetes/client-node'
import { containersOf, podTemplates, type K8sObject } from './objects.ts'

/**
 * A connection is allowed when the sender's egress and the receiver's ingress both allow it: a pod
 * that no policy of that direction selects is open in it, else a rule of a selecting policy must
 * match the peer and the port. Policies are additive; none can deny what another allows.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
interface Port { name?: string, port: number, protocol: string, label: string }
/** No `pod`: an address outside the cluster, which no selector matches. */
interface Endpoint { name: string, ip: string, ports: Port[], pod?: { namespace: string, namespaceLabels: Record<string, string>, labels: Record<string, string> } }

const port = (port: number, protocol = 'TCP', name?: string, label = `${name ?? port}`): Port =>
  ({ port, protocol, name, label: protocol === 'TCP' ? label : `${label}/${protocol}` })

/**
 * Stand-ins for what surrounds the namespace, at example addresses in the ranges clusters use.
 * The API server listens on one of three ports (443 managed clusters, 6443 kubeadm and kind, 8443
 * minikube), and a policy sees the address the Service `kubernetes` forwards to, not the Service.
 */
const WORLD: readonly Endpoint[] = [
  { name: 'kube-dns', ip: '10.244.200.10', ports: [port(53, 'UDP', 'dns', '53'), port(53, 'TCP', 'dns-tcp', '53'), port(9153, 'TCP', 'metrics', '9153')], pod: { namespace: 'kube-system', namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, labels: { 'k8s-app': 'kube-dns' } } },
  { name: 'ingress-controller', ip: '10.244.200.20', ports: [port(80, 'TCP', 'http', '80')], pod: { namespace: 'ingress-nginx', namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, labels: { 'app.kubernetes.io/name': 'ingress-nginx' } } },
  { name: 'kubernetes-api', ip: '172.18.0.2', ports: [port(443), port(6443), port(8443)] },
  { name: 'internet', ip: '203.0.113.10', ports: [port(80), port(443), port(587)] }
]

/**
 * Every allowed flow between the rendered pods (one per workload, at example pod addresses, so
 * that ipBlock rules are taken to match pods too: the strictest reading, as network plugins
 * differ there) and the WORLD, as sorted `from -> to:port` lines. Every pod is also probed on
 * port 65000, which no container declares: a rule that opens all ports shows there.
 */
export function networkFlows (objects: readonly K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as V1NetworkPolicy[]
  const namespaces = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]))
  const pods: Endpoint[] = podTemplates(objects).map(({ owner, labels, spec }, index) => {
    const namespace = owner.metadata?.namespace ?? 'default'
    const ports = [...containersOf(spec).flatMap((c) => c.ports ?? []).map((p) => port(p.containerPort, p.protocol, p.name)), port(65000)]
    return { name: owner.metadata?.name ?? '?', ip: `10.244.0.${index + 1}`, ports, pod: { namespace, labels, namespaceLabels: { ...namespaces.get(namespace), 'kubernetes.io/metadata.name': namespace } } }
  })
  const all = [...pods, ...WORLD]
  // Between two outsiders the stack's policies decide nothing.
  return all.flatMap((from) => all.filter((to) => pods.includes(from) || pods.includes(to)).flatMap((to) => to.ports
    .filter((target) => allows(policies, 'Egress', from, to, target) && allows(policies, 'Ingress', to, from, target)).map((target) => `${from.name} -> ${to.name}:${target.label}`))).sort()
}

export function checkNetworkFlows (objects: readonly K8sObject[], intended: readonly string[]): string[] {
  const actual = networkFlows(objects)
  return [
    ...actual.filter((flow) => !intended.includes(flow)).map((flow) => `extra flow, allowed but not intended: ${flow}`),
    ...[...new Set(intended)].sort().filter((flow) => !actual.includes(flow)).map((flow) => `missing flow, intended but not allowed: ${flow}`)
  ]
}

function allows (policies: readonly V1NetworkPolicy[], direction: 'Ingress' | 'Egress', subject: Endpoint, peer: Endpoint, target: Port): boolean {
  const selecting = policies.filter(({ metadata, spec }) => subject.pod !== undefined && (metadata?.namespace ?? 'default') === subject.pod.namespace &&
    matches(spec?.podSelector, subject.pod.labels) &&
    // policyTypes defaulted as the API server does: Ingress always, Egress when egress rules exist.
    (spec?.policyTypes ?? ['Ingress', ...spec?.egress === undefined ? [] : ['Egress']]).includes(direction))
  return selecting.length === 0 || selecting.some(({ metadata, spec }) => {
    // Plain data as rendered: client-node's type calls the ingress peers `_from`, the API `from`.
    const rules = (direction === 'Ingress' ? spec?.ingress?.map((r) => ({ peers: (r as { from?: V1NetworkPolicyPeer[] }).from, ports: r.ports })) : spec?.egress?.map((r) => ({ peers: r.to, ports: r.ports }))) ?? []
    return rules.some(({ peers, ports }) => peersMatch(peers, metadata?.namespace ?? 'default', peer) && portsMatch(ports, target))
  })
}

function peersMatch (peers: V1NetworkPolicyPeer[] | undefined, namespace: string, endpoint: Endpoint): boolean {
  return peers === undefined || peers.length === 0 || peers.some(({ ipBlock, namespaceSelector, podSelector }) => {
    if (ipBlock !== undefined) return inRange(endpoint.ip, ipBlock.cidr) && !(ipBlock.except ?? []).some((range) => inRange(endpoint.ip, range))
    if (endpoint.pod === undefined) return false
    const namespaceMatches = namespaceSelector === undefined ? endpoint.pod.namespace === namespace : matches(namespaceSelector, endpoint.pod.namespaceLabels)
    return namespaceMatches && (podSelector === undefined || matches(podSelector, endpoint.pod.labels))
  })
}

// A named port is looked up on the receiving pod (both directions).
function portsMatch (ports: V1NetworkPolicyPort[] | undefined, target: Port): boolean {
  return ports === undefined || ports.length === 0 || ports.some(({ port, endPort, protocol = 'TCP' }) => protocol === target.protocol &&
    (port === undefined || (typeof port === 'number' ? target.port >= port && target.port <= (endPort ?? port) : port === target.name)))
}

/** A Kubernetes label selector; the empty selector matches everything (unlike `selects` of objects.ts). */
export function matches (selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  const { matchLabels = {}, matchExpressions = [] } = selector ?? {}
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value) && matchExpressions.every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]!)
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]!)
      case 'Exists': return key in labels
      case 'DoesNotExist': return !(key in labels)
      default: throw new Error(`unknown label selector operator ${operator}`)
    }
  })
}

/** Whether `ip` is in `range`; never across IP families (node's BlockList would match an IPv4 address against `::/0` through its IPv4-mapped form). */
function inRange (ip: string, range: string): boolean {
  const [network = '', prefix] = range.split('/')
  const family = isIPv6(ip) ? 'ipv6' : 'ipv4'
  if ((isIPv6(network) ? 'ipv6' : 'ipv4') !== family) return false
  const list = new BlockList()
  list.addSubnet(network, Number(prefix), family)
  return list.check(ip, family)
}
