import t from 'tap'
import { checkShutdown } from '../../src/manifests/shutdown.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test("service-a's grace period covers the preStop sleep and the app's shutdown timeout", async (t) => {
  t.same(checkShutdown(await rendered('k8s')), [])
  t.same(checkShutdown(await rendered('overlays/multi-replica')), [])
})

t.test('a grace period shorter than preStop plus the shutdown timeout fails', async (t) => {
  const objects = broken(await rendered('service-a'), 'Deployment', 'service-a', (d) => { d.spec.template.spec.terminationGracePeriodSeconds = 20 })
  t.same(checkShutdown(objects), ['Deployment/service-a: terminationGracePeriodSeconds 20 must exceed preStop sleep 5 s + SHUTDOWN_TIMEOUT_MS 15000 ms'])
})

t.test('the default grace period (30 s) counts when unset, and a missing preStop counts as 0 s', async (t) => {
  const objects = broken(await rendered('service-a'), 'Deployment', 'service-a', (d) => {
    delete d.spec.template.spec.terminationGracePeriodSeconds
    delete container(d).lifecycle
    container(d).env.find((e: any) => e.name === 'SHUTDOWN_TIMEOUT_MS').value = '30000'
  })
  t.same(checkShutdown(objects), ['Deployment/service-a: terminationGracePeriodSeconds 30 must exceed preStop sleep 0 s + SHUTDOWN_TIMEOUT_MS 30000 ms'])
})

t.test('containers without env or without SHUTDOWN_TIMEOUT_MS are not concerned', async (t) => {
  t.same(checkShutdown([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }]), [])
  t.same(checkShutdown([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }]), [])
})
