import { readFileSync } from 'node:fs'
import { collectDefaultMetrics, Counter, Registry } from 'prom-client'
import t from 'tap'
import { deploymentLimits, memorySample, podmanRunArgs, quantity, verdict, type MemorySample } from '../src/soak-spec.ts'

const MIB = 2 ** 20

t.test('Kubernetes quantities: binary and decimal memory, millicores', async (t) => {
  const cases: Array<[string, 'memory' | 'CPU', number | RegExp]> = [
    ['192Mi', 'memory', 192 * MIB], ['1.5Gi', 'memory', 1.5 * 2 ** 30], ['200M', 'memory', 200e6], ['134217728', 'memory', 134217728],
    ['500m', 'CPU', 0.5], ['2', 'CPU', 2], ['192MB', 'memory', /not a memory quantity/], ['half', 'CPU', /not a CPU quantity/], ['500m', 'memory', /not a memory quantity/]
  ]
  for (const [text, kind, expected] of cases) {
    if (expected instanceof RegExp) t.throws(() => quantity(text, kind), expected, text)
    else t.equal(quantity(text, kind), expected, text)
  }
})

t.test('the limits and literal env of the named container are read from the Deployment, service-a\'s own included', async (t) => {
  const deployment = (resources: string): string => `spec: { template: { spec: { containers: [{ name: sidecar }, { name: service-a, ${resources}
    env: [{ name: LOG_LEVEL, value: info }, { name: FROM_SECRET, valueFrom: { secretKeyRef: { name: s, key: k } } }] }] } } }`
  t.same(deploymentLimits(deployment('resources: { limits: { cpu: 250m, memory: 64Mi } },'), 'service-a'), { memoryBytes: 64 * MIB, cpus: 0.25, env: { LOG_LEVEL: 'info' } })
  t.throws(() => deploymentLimits(deployment(''), 'service-a'), /no memory and CPU limits/)
  t.throws(() => deploymentLimits(deployment(''), 'other'), /no container other/)
  const own = deploymentLimits(readFileSync(new URL('../../service-a/k8s/service-a-deployment.yaml', import.meta.url), 'utf8'), 'service-a')
  t.ok(own.memoryBytes >= 32 * MIB && own.cpus > 0, JSON.stringify(own))
})

t.test('podman gets the limits, no swap, the hardening, and a loopback address', async (t) => {
  const args = podmanRunArgs({ name: 'n', image: 'img', port: 18080, limits: { memoryBytes: 64 * MIB, cpus: 0.25, env: { LOG_LEVEL: 'info', HOST: '0.0.0.0' } } }).join(' ')
  t.match(args, `--network host --log-driver passthrough --memory ${64 * MIB} --memory-swap ${64 * MIB} --cpus 0.25 --read-only`)
  t.match(args, /--cap-drop ALL --security-opt no-new-privileges --env LOG_LEVEL=info --env HOST=127\.0\.0\.1 --env PORT=18080 img$/)
})

t.test('a sample is read from a real prom-client page; request series leave out process and runtime metrics', async (t) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['route'], registers: [registry] }).inc({ route: '/' })
  const sample = memorySample(await registry.metrics(), 12)
  t.match(sample, { seconds: 12, series: 1 })
  t.ok(sample.rssBytes > 10 * MIB && sample.heapUsedBytes > 0 && sample.heapUsedBytes <= sample.heapTotalBytes && sample.newSpaceBytes > 0 && sample.externalBytes > 0, JSON.stringify(sample))
  t.throws(() => memorySample('up 1\n', 0), /no sample process_resident_memory_bytes/)
})

t.test('RSS passes when it levels off with a quarter of the limit to spare, and fails still growing or too tight', async (t) => {
  const run = (rssMiB: (minute: number) => number): MemorySample[] => Array.from({ length: 37 }, (_, i) =>
    ({ seconds: i * 5, rssBytes: rssMiB(i * 5 / 60) * MIB, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, newSpaceBytes: 0, series: 70 }))
  const cases: Array<[string, (minute: number) => number, object]> = [
    ['levels off at 130 of 192 MiB', (m) => 100 + 30 * Math.min(m, 1), { peakRssBytes: 130 * MIB, headroom: 1 - 130 / 192, levelsOff: true, pass: true }],
    ['grows 5 MiB a minute', (m) => 100 + 5 * m, { levelsOff: false, pass: false }],
    ['flat at 150 of 192 MiB', () => 150, { levelsOff: true, pass: false }]
  ]
  for (const [name, rss, expected] of cases) t.match(verdict(run(rss), 192 * MIB), expected, name)
  t.equal(verdict(run((m) => 100 + 5 * m), 192 * MIB).lateSlopeMiBPerMinute.toFixed(2), '5.00')
  t.throws(() => verdict(run(() => 1).slice(0, 3), 192 * MIB), /too few samples/)
})
