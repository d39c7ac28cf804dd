import { existsSync } from 'node:fs'
import jsonPatch from 'fast-json-patch'
import t from 'tap'
import { hardeningProblems } from '../../src/containers/hardening.ts'
import { prepareStack, toLoopback } from '../../src/containers/kube-play.ts'
import { IMAGES, podman, requireImage, uniqueName } from '../../src/containers/podman.ts'
import { ofKind } from '../../src/manifests/objects.ts'
import { render } from '../../src/manifests/render.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'
import { smoke } from '../../src/smoke/checks.ts'
import { smokeOptions } from '../../src/smoke/options.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { freePort } from '../../src/support/ports.ts'

// What the loopback transformation may change (docs/containers.md says why); the rest, the
// securityContext and resources above all, must pass through as rendered.
const ALLOWED = [
  /^\w+ replace \/metadata\/name$/,
  /^Deployment \w+ \/spec\/template\/spec\/containers\/\d+\/(image|ports|startupProbe|livenessProbe|readinessProbe|env(\/.*)?|args\/\d+)$/,
  /^Deployment \w+ \/spec\/template\/spec\/containers\/\d+\/volumeMounts\/\d+\/(name|subPath)$/,
  /^Deployment \w+ \/spec\/template\/spec\/volumes\/\d+(\/configMap\/name|\/persistentVolumeClaim\/claimName)?$/,
  /^ConfigMap replace \/data\/[\w.-]+$/
]

t.test('the loopback transformation changes only addresses, ports, probes, images, names and subPath files', async (t) => {
  const rendered = [...await render('service-a'), ...await render('prometheus')]
  const { objects, files } = toLoopback(rendered, { 'service-a': 41001, prometheus: 41002 }, { 'service-a': 'localhost/service-a:test' }, '/files', '-t1')
  t.same(objects.map((o) => o.kind).sort(), ['ConfigMap', 'ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'PersistentVolumeClaim'], 'Services and ServiceAccounts left out')
  const changes = objects.flatMap((object) => jsonPatch.compare(rendered.find((o) => o.kind === object.kind && `${o.metadata?.name}-t1` === object.metadata?.name)!, object)
    .map((op) => `${object.kind} ${op.op} ${op.path}`))
  t.same(changes.filter((change) => !ALLOWED.some((allowed) => allowed.test(change))), [])
  const data = ofKind(objects, 'ConfigMap').map((c) => Object.values(c.data ?? {}).join('\n')).join('\n')
  for (const address of ["'127.0.0.1:41001'", "'127.0.0.1:41002'"]) t.match(data, address, 'Prometheus scrapes service-a and itself on their loopback ports')
  t.notMatch(data, /service-a:80|localhost:9090/)
  const config = ofKind(objects, 'ConfigMap').find((c) => c.data?.['prometheus.yml'] !== undefined)!.data!['prometheus.yml']
  t.same(Object.values(files), [config], 'the prometheus.yml mounted with subPath is written out as a file, transformed')
})

t.test('kube play runs service-a and Prometheus from the rendered manifests; make smoke passes', async (t) => {
  await requireImage(IMAGES.runtime)
  const suffix = `-${uniqueName('t')}`
  const stack = await prepareStack(['service-a', 'prometheus'], { 'service-a': IMAGES.runtime }, suffix)
  t.teardown(stack.down)
  await stack.play()

  // Ready as the kubelet would judge it: each container's own readinessProbe path.
  for (const deployment of ofKind(stack.rendered, 'Deployment')) {
    const [name, pod] = [deployment.metadata!.name!, deployment.spec!.template.spec!]
    const path = pod.containers[0]!.readinessProbe!.httpGet!.path
    await waitFor(`${name} ready at ${path}`, async () => (await request(`${stack.urls[name]}${path}`)).ok || undefined, 90_000)
    const containers = await stack.containers(name)
    t.equal(containers.length, 1, `${name}: one app container`)
    t.same(await hardeningProblems(containers[0]!), [], `${name} runs under its securityContext`)
    t.equal(await podman(['exec', containers[0]!, 'id', '-u']), String(pod.securityContext?.runAsUser), `${name} runs as uid ${pod.securityContext?.runAsUser}`)
  }

  // The TSDB lives on the claimed volume, not in the (read-only) container.
  const claim = ofKind(stack.rendered, 'PersistentVolumeClaim')[0]!.metadata!.name!
  t.ok(existsSync(`${await podman(['volume', 'inspect', '--format', '{{.Mountpoint}}', `${claim}${suffix}`])}/wal`), `Prometheus writes its WAL to the ${claim} volume`)

  const prometheus = new PrometheusApi(stack.urls.prometheus!)
  const { data: build } = await fetchJson<{ data: { version: string } }>(`${stack.urls.prometheus}/api/v1/status/buildinfo`)
  t.match(build.version, /^3\./, `the Prometheus image runs ${build.version}`)
  await waitFor('Prometheus to scrape service-a', async () => {
    const targets = (await prometheus.targets()).filter((target) => target.labels.job === 'service-a')
    return targets.length > 0 && targets.every((target) => target.health === 'up') ? true : undefined
  }, 90_000)

  // Nothing listens on these ports: Grafana and Alertmanager do not run here, and smoke must say it skipped them.
  const lines: string[] = []
  const nowhere = async (): Promise<string> => `http://127.0.0.1:${await freePort()}`
  await smoke(smokeOptions([stack.urls['service-a']!, stack.urls.prometheus!, await nowhere()], { ALERTMANAGER_URL: await nowhere() }), (line) => lines.push(line))
  for (const line of lines) t.comment(line)
  for (const line of [/^ok {4}service-a answers/, /^ok {4}Prometheus scrapes service-a/, /^ok {4}Prometheus has every rule/, /^skip {2}Grafana is not reachable/]) {
    t.ok(lines.some((l) => line.test(l)), line.source)
  }

  // The teardown (also registered above, for a failing test) leaves nothing of this run behind.
  await stack.down()
  for (const args of [['pod', 'ps', '--format', '{{.Name}}'], ['ps', '--all', '--format', '{{.Names}}'], ['volume', 'ls', '--format', '{{.Name}}']]) {
    t.same((await podman(args)).split('\n').filter((name) => name.includes(suffix)), [], `no ${args[0]} of this run is left`)
  }
})
