import { BlockList, isIPv6 } from 'node:net'
import type { V1LabelSelector, V1NetworkPolicy, V1NetworkPolicyPeer, V1NetworkPolicyPort } from '@kubernetes/client-node'
import { containersOf, podTemplates, type K8sObject } from './objects.ts'

/**
 * The offline flow check of the NetworkPolicies: from the rendered policies and the pods' labels
 * and ports, every connection (from pod -> to pod:port) that the policies allow, computed with
 * the semantics of the Kubernetes documentation, to compare with the graph the stack intends.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 *
 * A connection is allowed when both ends allow it: the sender's egress (no policy of type Egress
 * selects it, or a rule of one that does matches the receiver and port) and the receiver's
 * ingress (the same, with the sender). Policies are additive; none can deny what another allows.
 */

/** A port a connection can reach; `label` is how a flow names it. */
export interface Port { name?: string, port: number, protocol: string, label: string }

/** Where a connection starts or ends: a pod of the rendered objects, or one of the WORLD around them. */
export interface Endpoint {
  name: string
  ip: string
  ports: Port[]
  /** Set for pods only: an address outside the cluster has no labels a selector could match. */
  pod?: { namespace: string, namespaceLabels: Record<string, string>, labels: Record<string, string> }
}

const port = (port: number, protocol = 'TCP', name?: string, label = `${name ?? port}`): Port =>
  ({ port, protocol, name, label: protocol === 'TCP' ? label : `${label}/${protocol}` })

const inNamespace = (namespace: string, labels: Record<string, string>): Endpoint['pod'] =>
  ({ namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels })

/**
 * Stand-ins for what surrounds the namespace, so that flows to and from it are computed too.
 * Their addresses are examples in the ranges clusters use; the API server's ports are the three
 * in use (443 managed clusters, 6443 kubeadm and kind, 8443 minikube), since a policy sees the
 * address the Service `kubernetes` forwards to, not the Service.
 */
export const WORLD: readonly Endpoint[] = [
  { name: 'kube-dns', ip: '10.244.200.10', ports: [port(53, 'UDP', 'dns', '53'), port(53, 'TCP', 'dns-tcp', '53'), port(9153, 'TCP', 'metrics', '9153')], pod: inNamespace('kube-system', { 'k8s-app': 'kube-dns' }) },
  { name: 'ingress-controller', ip: '10.244.200.20', ports: [port(80, 'TCP', 'http', '80')], pod: inNamespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }) },
  { name: 'kubernetes-api', ip: '172.18.0.2', ports: [port(443), port(6443), port(8443)] },
  { name: 'internet', ip: '203.0.113.10', ports: [port(80), port(443), port(587)] }
]

/** A port no container declares, probed on every pod: a rule that opens all ports shows there. */
export const UNDECLARED_PORT = 65000

/**
 * The pods of the rendered objects (one per workload: replicas share labels and ports), with
 * example addresses in a pod network, so that ipBlock rules are taken to match pods too: the
 * strictest reading, since network plugins differ there.
 */
export function stackPods (objects: readonly K8sObject[]): Endpoint[] {
  const namespaces = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]))
  return podTemplates(objects).map(({ owner, labels, spec }, index) => {
    const namespace = owner.metadata?.namespace ?? 'default'
    const declared = containersOf(spec).flatMap((c) => c.ports ?? []) as Array<{ name?: string, containerPort: number, protocol?: string }>
    return {
      name: owner.metadata?.name ?? owner.kind ?? '?',
      ip: `10.244.0.${index + 1}`,
      ports: [...declared.map((p) => port(p.containerPort, p.protocol, p.name)), port(UNDECLARED_PORT)],
      pod: { namespace, labels, namespaceLabels: { ...namespaces.get(namespace), 'kubernetes.io/metadata.name': namespace } }
    }
  })
}

/** Every allowed flow between the rendered pods and the WORLD, as sorted `from -> to:port` lines. */
export function networkFlows (objects: readonly K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as V1NetworkPolicy[]
  const pods = stackPods(objects)
  const flows: string[] = []
  for (const from of [...pods, ...WORLD]) {
    for (const to of [...pods, ...WORLD]) {
      // Between two outsiders the stack's policies decide nothing.
      if (!pods.includes(from) && !pods.includes(to)) continue
      for (const target of to.ports) {
        if (allows(policies, 'Egress', from, to, target) && allows(policies, 'Ingress', to, from, target)) flows.push(`${from.name} -> ${to.name}:${target.label}`)
      }
    }
  }
  return flows.sort()
}

/**
 * The check: the computed flows against the intended graph, one message per extra or missing
 * edge (an empty list when they are equal).
 */
export function checkNetworkFlows (objects: readonly K8sObject[], intended: readonly string[]): string[] {
  const actual = networkFlows(objects)
  return [
    ...actual.filter((flow) => !intended.includes(flow)).map((flow) => `extra flow, allowed but not intended: ${flow}`),
    ...[...new Set(intended)].sort().filter((flow) => !actual.includes(flow)).map((flow) => `missing flow, intended but not allowed: ${flow}`)
  ]
}

type Direction = 'Ingress' | 'Egress'

/** Whether `subject`'s policies of one direction let traffic to or from `peer` on `target` (a port of the receiver). */
function allows (policies: readonly V1NetworkPolicy[], direction: Direction, subject: Endpoint, peer: Endpoint, target: Port): boolean {
  const selecting = policies.filter((policy) => subject.pod !== undefined &&
    (policy.metadata?.namespace ?? 'default') === subject.pod.namespace &&
    matches(policy.spec?.podSelector, subject.pod.labels) &&
    types(policy).includes(direction))
  // A pod no policy of this direction selects is not isolated in it.
  if (selecting.length === 0) return true
  return selecting.some((policy) => {
    // Plain data as rendered: client-node's type calls the ingress peers `_from`, the API `from`.
    const rules = (direction === 'Ingress' ? policy.spec?.ingress?.map((r) => ({ peers: (r as { from?: V1NetworkPolicyPeer[] }).from, ports: r.ports })) : policy.spec?.egress?.map((r) => ({ peers: r.to, ports: r.ports }))) ?? []
    return rules.some(({ peers, ports }) => peersMatch(peers, policy.metadata?.namespace ?? 'default', peer) && portsMatch(ports, target))
  })
}

/** policyTypes, defaulted as the API server does: Ingress always, Egress when egress rules exist. */
function types (policy: V1NetworkPolicy): string[] {
  return policy.spec?.policyTypes ?? ['Ingress', ...policy.spec?.egress === undefined ? [] : ['Egress']]
}

/** No peers (or an empty list) means every peer; otherwise one of them must match. */
function peersMatch (peers: V1NetworkPolicyPeer[] | undefined, namespace: string, endpoint: Endpoint): boolean {
  if (peers === undefined || peers.length === 0) return true
  return peers.some(({ ipBlock, namespaceSelector, podSelector }) => {
    if (ipBlock !== undefined) return inBlock(endpoint.ip, ipBlock.cidr, ipBlock.except ?? [])
    if (endpoint.pod === undefined) return false
    const namespaceMatches = namespaceSelector === undefined ? endpoint.pod.namespace === namespace : matches(namespaceSelector, endpoint.pod.namespaceLabels)
    return namespaceMatches && (podSelector === undefined || matches(podSelector, endpoint.pod.labels))
  })
}

/** No ports means every port; a named port is looked up on the receiving pod (both directions). */
function portsMatch (ports: V1NetworkPolicyPort[] | undefined, target: Port): boolean {
  if (ports === undefined || ports.length === 0) return true
  return ports.some(({ port, endPort, protocol = 'TCP' }) => protocol === target.protocol && (
    port === undefined ||
    (typeof port === 'number' ? target.port >= port && target.port <= (endPort ?? port) : port === target.name)))
}

/** A Kubernetes label selector; the empty selector matches everything (unlike `selects` of objects.ts). */
export function matches (selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  const { matchLabels = {}, matchExpressions = [] } = selector ?? {}
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    matchExpressions.every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In': return key in labels && values.includes(labels[key]!)
        case 'NotIn': return !(key in labels) || !values.includes(labels[key]!)
        case 'Exists': return key in labels
        case 'DoesNotExist': return !(key in labels)
        default: throw new Error(`unknown label selector operator ${operator}`)
      }
    })
}

/**
 * Whether `ip` is in `cidr` and in none of `except`. Ranges of the other IP family never match:
 * node's BlockList would match an IPv4 address against `::/0` through its IPv4-mapped form.
 */
function inBlock (ip: string, cidr: string, except: readonly string[]): boolean {
  const family = isIPv6(ip) ? 'ipv6' : 'ipv4'
  const within = (range: string): boolean => {
    const [network = '', prefix] = range.split('/')
    if ((isIPv6(network) ? 'ipv6' : 'ipv4') !== family) return false
    const list = new BlockList()
    list.addSubnet(network, Number(prefix), family)
    return list.check(ip, family)
  }
  return within(cidr) && !except.some(within)
}
