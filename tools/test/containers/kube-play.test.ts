import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import t from 'tap'
import { hardeningProblems, observe } from '../../src/containers/hardening.ts'
import { prepareStack } from '../../src/containers/kube-play.ts'
import { IMAGES, podman, requireImage, uniqueName } from '../../src/containers/podman.ts'
import { freePort } from '../../src/support/ports.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'

const run = promisify(execFile)

t.test('kube play runs service-a and Prometheus from the rendered manifests; make smoke passes', async (t) => {
  await requireImage(IMAGES.runtime)
  const suffix = `-${uniqueName('t')}`
  const stack = await prepareStack(['service-a', 'prometheus'], { 'service-a': IMAGES.runtime }, suffix)
  t.teardown(stack.down)
  await stack.play()

  // Ready as the kubelet would judge it: each container's own readinessProbe path.
  for (const deployment of stack.rendered.filter((object) => object.kind === 'Deployment')) {
    const name = deployment.metadata.name
    const path = deployment.spec.template.spec.containers[0].readinessProbe.httpGet.path
    await waitFor(`${name} ready at ${path}`, async () => (await request(`${stack.urls[name]}${path}`)).ok || undefined, 60_000)

    const containers = await stack.containers(name)
    t.equal(containers.length, 1, `${name}: one app container`)
    t.same(hardeningProblems(await observe(containers[0]!)), [], `${name} runs under its securityContext`)
    const { runAsUser } = deployment.spec.template.spec.securityContext
    t.equal(await podman('exec', containers[0]!, 'id', '-u'), String(runAsUser), `${name} runs as uid ${runAsUser}`)
  }

  // The TSDB lives on the claimed volume, not in the (read-only) container.
  const claim = stack.rendered.find((object) => object.kind === 'PersistentVolumeClaim')!.metadata.name
  const mountpoint = await podman('volume', 'inspect', '--format', '{{.Mountpoint}}', `${claim}${suffix}`)
  t.ok(existsSync(`${mountpoint}/wal`), `Prometheus writes its WAL to the ${claim} volume`)

  const prometheus = new PrometheusApi(stack.urls.prometheus!)
  await waitFor('Prometheus to scrape service-a', async () => {
    const targets = (await prometheus.targets()).filter((target) => target.labels.job === 'service-a')
    return targets.length > 0 && targets.every((target) => target.health === 'up') ? true : undefined
  }, 60_000)

  // Nothing listens on this port: Grafana cannot be run here, and smoke must say it skipped it.
  const grafanaUrl = `http://127.0.0.1:${await freePort()}`
  const { stdout } = await run('make', ['-s', '--no-print-directory', '-C', REPO_ROOT, 'smoke',
    `SERVICE_URL=${stack.urls['service-a']}`, `PROMETHEUS_URL=${stack.urls.prometheus}`, `GRAFANA_URL=${grafanaUrl}`])
  for (const line of stdout.trim().split('\n')) t.comment(line)
  t.match(stdout, /ok {4}Prometheus scrapes service-a/)
  t.match(stdout, /skip {2}Grafana is not reachable/)
  t.match(stdout, /smoke: every check passed/)

  // The teardown (also registered above, for a failing test) leaves nothing of this run behind.
  await stack.down()
  const listings = {
    pod: ['pod', 'ps', '--format', '{{.Name}}'],
    container: ['ps', '--all', '--format', '{{.Names}}'],
    volume: ['volume', 'ls', '--format', '{{.Name}}']
  }
  for (const [kind, args] of Object.entries(listings)) {
    const left = (await podman(...args)).split('\n').filter((name) => name.includes(suffix))
    t.same(left, [], `no ${kind} of this run is left`)
  }
})
