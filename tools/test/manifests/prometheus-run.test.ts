import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { startFromDeployment } from '../../src/manifests/prometheus-run.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test("the real prometheus starts with the Deployment's exact args and config, and becomes ready", async (t) => {
  const prometheus = await startFromDeployment(await rendered('k8s'), 'prometheus', t.testdir())
  t.teardown(prometheus.stop)
  const response = await fetch(`${prometheus.url}/api/v1/status/flags`)
  const flags = ((await response.json()) as { data: Record<string, string> }).data
  t.equal(flags['storage.tsdb.retention.time'], '15d')
  // Prometheus reads size units as powers of 1024.
  t.equal(flags['storage.tsdb.retention.size'], '6GiB')
  t.match(flags['config.file'], /\/etc\/prometheus\/prometheus\.yml$/)
  // The rules ConfigMap is mounted where the config's `rules/*.yml` finds it.
  const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: unknown[] } }
  t.ok(rules.data.groups.length >= 2, 'the rule groups are loaded')
  await prometheus.stop()
  t.match(prometheus.output(), /Server is ready to receive web requests/)
})

t.test('a flag that Prometheus does not know fails the start', async (t) => {
  const objects = broken(await rendered('k8s'), 'Deployment', 'prometheus', (d) => { container(d).args.push('--storage.tsdb.retention.sizes=1GB') })
  await t.rejects(startFromDeployment(objects, 'prometheus', t.testdir()), /prometheus exited \(1\) before .*\/-\/ready answers; its output ends with:[\s\S]*retention\.sizes/)
})

t.test('a broken config from the ConfigMap fails the start', async (t) => {
  const objects = await rendered('k8s')
  const config = objects.find((o) => o.kind === 'ConfigMap' && /^prometheus-config-/.test(o.metadata.name))!
  config.data['prometheus.yml'] += '\nscrape_configz: []\n'
  await t.rejects(startFromDeployment(objects, 'prometheus', t.testdir()), /scrape_configz/)
})

t.test('a path on no volume, or a missing ConfigMap, is refused before starting', async (t) => {
  const noVolume = broken(await rendered('k8s'), 'Deployment', 'prometheus', (d) => { container(d).args[1] = '--storage.tsdb.path=/data' })
  await t.rejects(startFromDeployment(noVolume, 'prometheus', t.testdir()), /--storage\.tsdb\.path=\/data: \/data is on no volume/)
  const noConfigMap = (await rendered('k8s')).filter((o) => !/^prometheus-rules-/.test(o.metadata.name))
  await t.rejects(startFromDeployment(noConfigMap, 'prometheus', t.testdir()), /ConfigMap prometheus-rules-\w+ does not exist/)
})

t.test('the listen address is replaced by a loopback one', async (t) => {
  const objects = broken(await rendered('k8s'), 'Deployment', 'prometheus', (d) => { container(d).args.push('--web.listen-address=0.0.0.0:9090') })
  const prometheus = await startFromDeployment(objects, 'prometheus', t.testdir())
  t.teardown(prometheus.stop)
  t.match(prometheus.url, /^http:\/\/127\.0\.0\.1:\d+$/)
})

t.test('a Deployment that is not there or runs no Prometheus is refused', async (t) => {
  const objects = await rendered('k8s')
  await t.rejects(startFromDeployment(objects, 'prom', t.testdir()), /no Deployment prom/)
  await t.rejects(startFromDeployment(objects, 'grafana', t.testdir()), /Deployment grafana has no container with --config.file/)
})

t.test('a server that never gets ready is stopped after the timeout', async (t) => {
  const dir = t.testdir()
  const fake = join(dir, 'fake-prometheus')
  await writeFile(fake, '#!/bin/sh\necho waiting\nexec sleep 30\n')
  await chmod(fake, 0o755)
  process.env.PROMETHEUS_BIN = fake
  t.teardown(() => { delete process.env.PROMETHEUS_BIN })
  await t.rejects(startFromDeployment(await rendered('k8s'), 'prometheus', join(dir, 'root'), 1000), /timed out after 1000 ms waiting for .*\/-\/ready answers[\s\S]*; its output ends with:\nwaiting/)
})
