import { totalmem } from 'node:os'
import t from 'tap'
import { startFromDeployment } from '../../src/manifests/prometheus-run.ts'
import { checkPrometheusProbes, goMemoryLimit } from '../../src/manifests/prometheus-startup.ts'
import { KUSTOMIZE_ROOTS } from '../../src/manifests/render.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test('no probe that restarts Prometheus waits for the WAL replay; readiness does', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) t.same(checkPrometheusProbes(await rendered(dir)), [], dir)
})

t.test('a startup or liveness probe on /-/ready, or a readiness probe on /-/healthy, fails', async (t) => {
  const objects = broken(await rendered('prometheus'), 'Deployment', 'prometheus', (d) => {
    container(d).startupProbe.httpGet.path = '/-/ready'
    container(d).livenessProbe.httpGet.path = '/-/ready'
    container(d).readinessProbe.httpGet.path = '/-/healthy'
  })
  t.same(checkPrometheusProbes(objects), [
    'Deployment/prometheus: container prometheus: startupProbe must GET /-/healthy, not /-/ready: it restarts the container while the WAL replays',
    'Deployment/prometheus: container prometheus: livenessProbe must GET /-/healthy, not /-/ready: it restarts the container while the WAL replays',
    'Deployment/prometheus: container prometheus: readinessProbe must GET /-/ready (the TSDB is open)'
  ])
})

// Prometheus 3 sets GOMEMLIMIT to 0.9 of the cgroup's memory limit, or of the machine's memory
// where no limit is set (here): either way, below the machine's memory and far from unset.
t.test("the real Prometheus 3, started with the Deployment's args, sets GOMEMLIMIT by itself", async (t) => {
  const prometheus = await startFromDeployment(await rendered('k8s'), 'prometheus', t.testdir())
  t.teardown(prometheus.stop)
  const limit = await goMemoryLimit(prometheus.url)
  t.ok(limit > 0 && limit <= 0.9 * totalmem() + 1, `GOMEMLIMIT ${limit} is at most 0.9 of ${totalmem()}`)
})

t.test('with --no-auto-gomemlimit the real Prometheus leaves GOMEMLIMIT unset (math.MaxInt64)', async (t) => {
  const objects = broken(await rendered('k8s'), 'Deployment', 'prometheus', (d) => { container(d).args.push('--no-auto-gomemlimit') })
  const prometheus = await startFromDeployment(objects, 'prometheus', t.testdir())
  t.teardown(prometheus.stop)
  t.equal(await goMemoryLimit(prometheus.url), 2 ** 63 - 1)
})
