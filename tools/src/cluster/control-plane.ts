import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { stringify } from 'yaml'
import { tool, TOOLS_DIR } from '../support/paths.ts'
import { freePort } from '../support/ports.ts'
import { start, startReady, untilReady, type Child } from '../support/processes.ts'

/** A Kubernetes API server to test against: `kubectl` runs the pinned kubectl with its kubeconfig. */
export interface Cluster {
  kubeconfig: string
  /** Local (started here) or given (TEST_KUBECONFIG). */
  local: boolean
  kubectl: (args: readonly string[], input?: string) => Promise<{ ok: boolean, stdout: string, stderr: string }>
  stop: () => Promise<void>
}

const kubectlOf = (kubeconfig: string): Cluster['kubectl'] => async (args, input) => {
  const result = await execa(tool('kubectl'), ['--kubeconfig', kubeconfig, ...args], { input, reject: false })
  return { ok: !result.failed, stdout: result.stdout, stderr: result.stderr }
}

/** The cluster named by TEST_KUBECONFIG (a real one, such as CI's kind cluster), else a control plane of our own. */
export async function testCluster (options: { nodes?: boolean } = {}): Promise<Cluster> {
  const given = process.env.TEST_KUBECONFIG
  if (given !== undefined && given !== '') return { kubeconfig: given, local: false, kubectl: kubectlOf(given), stop: async () => {} }
  return await startControlPlane(options)
}

/**
 * etcd and kube-apiserver on loopback, as controller-runtime's envtest starts them, with
 * PodSecurity admission on (the default); with `nodes`, also kube-controller-manager,
 * kube-scheduler and KWOK with one fake node, so that Deployments get Pods that turn Ready.
 * Everything lives in a fresh folder and is stopped by PID; `stop` removes the folder.
 * @see https://book.kubebuilder.io/reference/envtest
 */
export async function startControlPlane ({ nodes = false }: { nodes?: boolean } = {}): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'control-plane-'))
  const children: Child[] = []
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await child.stop().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()]
    const etcdUrl = `http://127.0.0.1:${etcdPort}`
    children.push(await startReady(tool('etcd'), [`--data-dir=${join(dir, 'etcd')}`, `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`, '--unsafe-no-fsync', '--log-level=warn'], `${etcdUrl}/health`, { name: 'etcd' }))

    // One RSA key signs and verifies service account tokens; a static token makes us system:masters.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const [saKey, saPub, tokens, certs] = ['sa.key', 'sa.pub', 'tokens.csv', 'certs'].map((file) => join(dir, file)) as [string, string, string, string]
    await writeFile(saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }))
    await writeFile(saPub, publicKey.export({ type: 'spki', format: 'pem' }))
    const token = randomUUID()
    await writeFile(tokens, `${token},admin,admin,system:masters\n`)
    await mkdir(certs)
    const apiServer = start(tool('kube-apiserver'), [`--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none', `--secure-port=${apiPort}`,
      `--cert-dir=${certs}`, '--service-cluster-ip-range=10.96.0.0/16', '--authorization-mode=RBAC', '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${saPub}`, `--service-account-signing-key-file=${saKey}`,
      `--token-auth-file=${tokens}`, ...nodes ? [] : ['--disable-admission-plugins=ServiceAccount']], { name: 'kube-apiserver' })
    children.push(apiServer)

    const kubeconfig = join(dir, 'kubeconfig')
    await writeFile(kubeconfig, stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: `https://127.0.0.1:${apiPort}`, 'certificate-authority': join(certs, 'apiserver.crt') } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
      'current-context': 'test'
    }))
    const kubectl = kubectlOf(kubeconfig)
    await untilReady(apiServer, async () => (await kubectl(['get', '--raw', '/readyz'])).ok, { what: 'kube-apiserver is ready', timeoutMs: 60_000 })

    if (nodes) {
      const common = [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1']
      const manager = start(tool('kube-controller-manager'), [...common, `--secure-port=${await freePort()}`, `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${join(certs, 'apiserver.crt')}`, '--use-service-account-credentials=false'], { name: 'kube-controller-manager' })
      children.push(manager)
      children.push(start(tool('kube-scheduler'), [...common, `--secure-port=${await freePort()}`], { name: 'kube-scheduler' }))
      children.push(start(tool('kwok'), [`--kubeconfig=${kubeconfig}`, `--config=${TOOLS_DIR}/kwok-stages.yaml`, '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--cidr=10.244.0.0/16', '--node-ip=127.0.0.1', `--server-address=127.0.0.1:${await freePort()}`], { name: 'kwok' }))
      const node = await kubectl(['apply', '-f', '-'], JSON.stringify(FAKE_NODE))
      if (!node.ok) throw new Error(`the fake node: ${node.stderr}`)
      // The service account controller makes each namespace's `default` account: the controllers run.
      await untilReady(manager, async () => (await kubectl(['get', 'serviceaccount', 'default'])).ok, { what: 'kube-controller-manager runs', timeoutMs: 60_000 })
      await untilReady(children.at(-1)!, async () => (await kubectl(['get', 'node', FAKE_NODE.metadata.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True',
        { what: 'KWOK marks its node Ready', timeoutMs: 60_000 })
    }
    return { kubeconfig, local: true, kubectl, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A node that KWOK plays the kubelet of, large enough for the whole stack. */
const FAKE_NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'kwok-node', annotations: { 'kwok.x-k8s.io/node': 'fake' }, labels: { 'kubernetes.io/hostname': 'kwok-node', 'kubernetes.io/os': 'linux', type: 'kwok' } },
  status: { allocatable: { cpu: '16', memory: '64Gi', pods: '110' }, capacity: { cpu: '16', memory: '64Gi', pods: '110' } }
}
