import t from 'tap'
import { alertingBinaries } from '../../src/alerting/binaries.ts'
import { startFromDeployment } from '../../src/manifests/prometheus-run.ts'
import { fetchJson } from '../../src/support/http.ts'
import { add, edit, patched, rendered } from './fixtures.ts'

// The real Alertmanager (Debian sid's, the nearest to the image's) started as its Deployment
// starts it: its exact args, its config from the generated ConfigMap at the mounted path, its
// data on the claim's path. The Makefile installs it (scripts/install-alertmanager.sh --tests).

const { alertmanager } = alertingBinaries()
const C = '/spec/template/spec/containers/0'

t.test("Alertmanager starts with the Deployment's exact args and ConfigMap, one instance without gossip", async (t) => {
  const { url, child } = await startFromDeployment(await rendered('k8s'), 'alertmanager', t.testdir(), alertmanager)
  t.teardown(child.stop)
  const status = await fetchJson<{ cluster: { status: string, peers: unknown[] }, config: { original: string }, versionInfo: { version: string } }>(`${url}/api/v2/status`)
  t.comment(`Alertmanager ${status.versionInfo.version}`)
  t.equal(status.cluster.status, 'disabled', '--cluster.listen-address= turns the gossip port off')
  t.match(status.config.original, /receiver: replace-me/, 'the stack\'s alertmanager.yml is loaded')
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
})

t.test('an unknown flag or a broken config fails the start, with Alertmanager saying why', async (t) => {
  const flag = await patched('k8s', { 'Deployment/alertmanager': [add(`${C}/args/-`, '--storage.paths=/alertmanager')] })
  await t.rejects(startFromDeployment(flag, 'alertmanager', t.testdir(), alertmanager), /exited \(\d+\)[\s\S]*storage\.paths/)
  const config = await patched('k8s', { 'ConfigMap/alertmanager-config': [edit('/data/alertmanager.yml', 'receiver: replace-me', 'receiver: nobody')] })
  await t.rejects(startFromDeployment(config, 'alertmanager', t.testdir(), alertmanager), /exited \(\d+\)[\s\S]*undefined receiver \\"nobody\\"/)
})
