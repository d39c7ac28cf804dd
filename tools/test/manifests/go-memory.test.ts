import t from 'tap'
import { checkGoMemory } from '../../src/manifests/go-memory.ts'
import { KUSTOMIZE_ROOTS } from '../../src/manifests/render.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test('Grafana takes GOMEMLIMIT from its memory limit and preinstalls no plugin; Prometheus 3 derives its own', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) t.same(checkGoMemory(await rendered(dir)), [], dir)
  const grafana = container((await rendered('grafana')).find((o) => o.kind === 'Deployment')!)
  t.same(grafana.env.find((e: any) => e.name === 'GOMEMLIMIT').valueFrom, { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } })
})

t.test('Grafana without GOMEMLIMIT, from the request, or with the preinstall on, fails', async (t) => {
  const without = broken(await rendered('grafana'), 'Deployment', 'grafana', (d) => {
    container(d).env = container(d).env.filter((e: any) => !['GOMEMLIMIT', 'GF_PLUGINS_PREINSTALL_DISABLED'].includes(e.name))
  })
  t.same(checkGoMemory(without), [
    'Deployment/grafana: container grafana: GOMEMLIMIT must come from its own limits.memory (valueFrom.resourceFieldRef)',
    'Deployment/grafana: container grafana: GF_PLUGINS_PREINSTALL_DISABLED must be "true": plugin downloads at start need egress and fill /tmp'
  ])
  const fromRequest = broken(await rendered('grafana'), 'Deployment', 'grafana', (d) => {
    container(d).env.find((e: any) => e.name === 'GOMEMLIMIT').valueFrom.resourceFieldRef.resource = 'requests.memory'
    delete container(d).resources.limits.memory
  })
  t.same(checkGoMemory(fromRequest), [
    'Deployment/grafana: container grafana: no memory limit for the Go runtime to follow',
    'Deployment/grafana: container grafana: GOMEMLIMIT must come from its own limits.memory (valueFrom.resourceFieldRef)'
  ])
})

t.test('Alertmanager takes GOMEMLIMIT from its memory limit; without it, it fails', async (t) => {
  const alertmanager = container((await rendered('alertmanager')).find((o) => o.kind === 'Deployment')!)
  t.same(alertmanager.env.find((e: any) => e.name === 'GOMEMLIMIT').valueFrom, { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } })
  const without = broken(await rendered('alertmanager'), 'Deployment', 'alertmanager', (d) => { delete container(d).env })
  t.same(checkGoMemory(without), ['Deployment/alertmanager: container alertmanager: GOMEMLIMIT must come from its own limits.memory (valueFrom.resourceFieldRef)'])
})

t.test('Prometheus 3 with its own GOMEMLIMIT or --no-auto-gomemlimit fails', async (t) => {
  const objects = broken(await rendered('prometheus'), 'Deployment', 'prometheus', (d) => {
    container(d).env = [{ name: 'GOMEMLIMIT', value: '900MiB' }]
    container(d).args.push('--no-auto-gomemlimit')
  })
  t.same(checkGoMemory(objects), [
    'Deployment/prometheus: container prometheus: GOMEMLIMIT overrides the limit Prometheus 3 derives from the container (--auto-gomemlimit)',
    "Deployment/prometheus: container prometheus: --no-auto-gomemlimit leaves the Go runtime without the container's limit"
  ])
})
