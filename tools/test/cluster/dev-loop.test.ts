import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import t from 'tap'
import { testCluster } from '../../src/cluster/control-plane.ts'
import { PODMAN_ENV, podman } from '../../src/containers/podman.ts'
import { tool } from '../../src/support/paths.ts'
import { start, startReady, untilReady, type Child } from '../../src/support/processes.ts'
import { freshClone } from '../manifests/fixtures.ts'

// `skaffold dev` as a developer runs it, against a cluster whose Deployments roll out (see
// control-plane.ts): it builds through podman's Docker API, deploys, waits for its status check;
// Ctrl-C cleans up; and the next `skaffold dev` starts again at once.
const cluster = await testCluster({ nodes: true })
t.teardown(cluster.stop)
const clone = await freshClone()
const dir = t.testdir()
const socket = join(dir, 'podman.sock')
const docker = await startReady('podman', ['system', 'service', '--time=0', `unix://${socket}`], async () => existsSync(socket),
  { name: 'podman system service', env: { ...process.env, ...PODMAN_ENV }, what: `${socket} to exist` })
t.teardown(async () => {
  await docker.stop()
  // --no-prune keeps them through each Ctrl-C, for the second start to find: removed here.
  await podman(['rmi', '--ignore', 'docker.io/library/service-a:dev-loop', 'docker.io/library/load-generator:dev-loop'])
})

// As for minikube: the images stay in the local store, nothing is pushed (Skaffold's global config, its documented switch).
const globalConfig = join(dir, 'skaffold-config.yaml')
const context = (await cluster.kubectl(['config', 'current-context'])).stdout.trim()
await execa(tool('skaffold'), ['config', 'set', '--config', globalConfig, '--kube-context', context, 'local-cluster', 'true'])

const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, DOCKER_HOST: `unix://${socket}` }
const skaffoldDev = (): Child => start(tool('skaffold'), ['dev', '--config', globalConfig, '--port-forward=off', '--tag=dev-loop', '--no-prune=true', `--cache-file=${join(dir, 'cache')}`],
  { name: 'skaffold dev', cwd: clone, env, graceMs: 60_000 })
const deployments = async (): Promise<string> => (await cluster.kubectl(['get', 'deployments', '-n', 'metrics-stack', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.readyReplicas}/{.spec.replicas} {end}'])).stdout.trim()
// Skaffold prints this once the deploy passed its status check and it watches for changes.
const watching = (child: Child) => async (): Promise<boolean> => /Press Ctrl\+C to exit/.test(child.output())

t.test('skaffold dev builds, deploys and passes its status check; Ctrl-C removes what it deployed, and it starts again at once', async (t) => {
  for (const round of ['first', 'second']) {
    const dev = skaffoldDev()
    await untilReady(dev, watching(dev), { what: `skaffold dev (${round} start) watches`, timeoutMs: 480_000, intervalMs: 1_000 })
    // The first start builds both images; the next finds them in its artifact cache.
    for (const image of ['service-a', 'load-generator']) t.match(dev.output(), round === 'first' ? `Build [${image}] succeeded` : `- ${image}: Found Locally`, `${round}: ${image}'s image`)
    t.match(dev.output(), /Deployments stabilized/, `${round}: the status check passed`)
    t.equal(await deployments(), 'alertmanager=1/1 grafana=1/1 jaeger=1/1 load-generator=1/1 prometheus=1/1 service-a=1/1', `${round}: every Deployment ready`)
    t.equal(await dev.stop('SIGINT'), 0, `${round}: Ctrl-C ends it cleanly`)
    t.match(dev.output(), /Cleaning up/, `${round}: it cleans up`)
    t.equal(await deployments(), '', `${round}: nothing it deployed is left`)
    t.equal((await cluster.kubectl(['get', 'namespace', 'metrics-stack', '-o', 'jsonpath={.status.phase}'])).stdout, 'Active', `${round}: the namespace stays for the next start`)
  }
})
