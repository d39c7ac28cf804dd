import { existsSync } from 'node:fs'
import type { KubernetesObject } from '@kubernetes/client-node'
import jsonPatch from 'fast-json-patch'
import t from 'tap'
import { hardeningProblems } from '../../src/containers/hardening.ts'
import { prepareStack, toLoopback } from '../../src/containers/kube-play.ts'
import { podman, uniqueName } from '../../src/containers/podman.ts'
import { startSkaffoldBuilder } from '../../src/containers/skaffold-build.ts'
import { ofKind } from '../../src/manifests/objects.ts'
import { skaffoldRender } from '../../src/manifests/render.ts'
import { smoke, smokeOptions } from '../../src/smoke/checks.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { freePort } from '../../src/support/ports.ts'

// What the loopback transformation may change (docs/containers.md says why); the rest, the
// securityContext and resources above all, must pass through as rendered.
const ALLOWED = [
  /^\w+ replace \/metadata\/name$/,
  /^Deployment \w+ \/spec\/template\/spec\/containers\/\d+\/(ports|startupProbe|livenessProbe|readinessProbe|env(\/.*)?|args\/\d+)$/,
  /^Deployment \w+ \/spec\/template\/spec\/containers\/\d+\/volumeMounts\/\d+\/(name|subPath)$/,
  /^Deployment \w+ \/spec\/template\/spec\/volumes\/\d+(\/configMap\/name|\/secret(\/secretName)?|\/emptyDir|\/persistentVolumeClaim\/claimName)?$/,
  /^ConfigMap replace \/data\/[\w.-]+$/
]

/** What `skaffold run` would apply, tagged `tag`, but the Deployments of Grafana and Jaeger: no image of either can be had here. */
const renderedWithoutGrafanaOrJaeger = async (tag: string): Promise<KubernetesObject[]> =>
  (await skaffoldRender({ tag })).filter((o) => !(o.kind === 'Deployment' && ['grafana', 'jaeger'].includes(o.metadata.name ?? '')))

t.test('the loopback transformation changes only addresses, ports, probes, names and subPath files', async (t) => {
  const rendered = await renderedWithoutGrafanaOrJaeger('test')
  const { objects, files } = toLoopback(rendered, { 'service-a': 41001, prometheus: 41002, alertmanager: 41003 }, '/files', '-t1')
  t.same(objects.map((o) => o.kind).sort(), [...Array(4).fill('ConfigMap'), ...Array(3).fill('Deployment'), 'PersistentVolumeClaim', 'PersistentVolumeClaim'], 'the Deployments and what they mount, no more')
  const changes = objects.flatMap((object) => jsonPatch.compare(rendered.find((o) => o.kind === object.kind && `${o.metadata?.name}-t1` === object.metadata?.name)!, object)
    .map((op) => `${object.kind} ${op.op} ${op.path}`))
  t.same(changes.filter((change) => !ALLOWED.some((allowed) => allowed.test(change))), [])
  const data = ofKind(objects, 'ConfigMap').map((c) => Object.values(c.data ?? {}).join('\n')).join('\n')
  for (const port of [41001, 41002, 41003]) t.match(data, `'127.0.0.1:${port}'`, 'Prometheus scrapes service-a and itself, and alerts Alertmanager, on their loopback ports')
  t.notMatch(data, /service-a:80|localhost:9090|alertmanager:9093/)
  const configs = ofKind(objects, 'ConfigMap').flatMap((c) => ['prometheus.yml', 'alertmanager.yml'].map((key) => c.data?.[key])).filter((text) => text !== undefined)
  t.same(Object.values(files).sort(), configs.sort(), 'the configs mounted with subPath are written out as files, transformed')
})

t.test('skaffold build through podman, and kube play of what skaffold render gives: the stack runs hardened and make smoke passes', async (t) => {
  const run = uniqueName('t')
  const builder = await startSkaffoldBuilder()
  t.teardown(builder.stop)
  let started = Date.now()
  const images = [...await builder.build({ tag: run }), ...await builder.build({ tag: `${run}-dev`, profile: 'dev' })]
  t.comment(`skaffold build, plain and dev profile: ${(Date.now() - started) / 1000} s`)
  const removeImages = async (): Promise<void> => { await podman(['rmi', '--ignore', ...images]) }
  t.teardown(removeImages)
  await builder.stop()
  const commands = await Promise.all(images.map(async (image) => JSON.parse(await podman(['image', 'inspect', '--format', '{{json .Config.Cmd}}', image]))))
  t.same(commands, [['node', 'dist/server.js'], ['node', '--watch', 'src/server.ts'], ['node', 'dist/main.js']], 'the dev profile builds the dev stage and the load generator')

  const rendered = await renderedWithoutGrafanaOrJaeger(run)
  const stack = await prepareStack(rendered, `-${run}`)
  t.teardown(stack.down)
  started = Date.now()
  await stack.play()
  t.comment(`kube play until every pod is ready: ${(Date.now() - started) / 1000} s`)
  for (const { metadata, spec } of ofKind(rendered, 'Deployment')) {
    const [name, pod] = [metadata!.name!, spec!.template.spec!]
    const containers = await stack.containers(name)
    t.equal(containers.length, 1, `${name}: one app container`)
    t.same(await hardeningProblems(containers[0]!), [], `${name} runs under its securityContext`)
    t.equal(await podman(['exec', containers[0]!, 'id', '-u']), String(pod.securityContext?.runAsUser), `${name} runs as uid ${pod.securityContext?.runAsUser}`)
  }
  const [serviceA] = await stack.containers('service-a')
  t.equal(await podman(['inspect', '--format', '{{.ImageName}}', serviceA!]), images[0], 'service-a runs the image Skaffold built')
  t.equal(await podman(['exec', serviceA!, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline']), 'node dist/server.js', 'node is PID 1')
  t.same(await fetchJson(`${stack.urls['service-a']}/hello/podman`), { message: 'Hello, podman!' })

  // The TSDB lives on the claimed volume, not in the (read-only) container.
  t.ok(existsSync(`${await podman(['volume', 'inspect', '--format', '{{.Mountpoint}}', `prometheus-data-${run}`])}/wal`), 'Prometheus writes its WAL to the prometheus-data volume')
  const { data: build } = await fetchJson<{ data: { version: string } }>(`${stack.urls.prometheus}/api/v1/status/buildinfo`)
  t.match(build.version, /^3\./, `the Prometheus image runs ${build.version}`)

  // Nothing listens on Grafana's port: it does not run here, and smoke must say it skipped it.
  // Retried until Prometheus has scraped service-a (the first scrape comes within an interval).
  const options = smokeOptions([stack.urls['service-a']!, stack.urls.prometheus!, `http://127.0.0.1:${await freePort()}`], { ALERTMANAGER_URL: stack.urls.alertmanager })
  const lines = await waitFor('make smoke to pass', async () => { const lines: string[] = []; await smoke(options, (line) => lines.push(line)); return lines }, 90_000)
  t.match(lines, [/^ok {4}service-a answers/, /^ok {4}Prometheus scrapes service-a/, /^ok {4}Prometheus has every rule/, /^ok {4}Alertmanager is ready/, /^skip {2}Grafana is not reachable/], lines.join('\n'))

  // The teardown (also registered above, for a failing test) leaves nothing of this run behind.
  await stack.down()
  await removeImages()
  for (const args of [['pod', 'ps', '--format', '{{.Name}}'], ['ps', '--all', '--format', '{{.Names}}'], ['volume', 'ls', '--format', '{{.Name}}'], ['images', '--format', '{{.Repository}}:{{.Tag}}']]) {
    t.same((await podman(args)).split('\n').filter((name) => name.includes(run)), [], `no ${args[0]} of this run is left`)
  }
})
