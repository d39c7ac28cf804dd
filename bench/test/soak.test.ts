import { readFileSync } from 'node:fs'
import { collectDefaultMetrics, Counter, Registry } from 'prom-client'
import t from 'tap'
import { deploymentLimits, memorySample, podmanRunArgs, quantity, soakRuns, verdict } from '../src/soak-spec.ts'

const MIB = 2 ** 20

t.test('Kubernetes quantities: binary and decimal memory, millicores', async (t) => {
  const cases = { '192Mi': 192 * MIB, '1.5Gi': 1.5 * 2 ** 30, '200M': 200e6, 134217728: 134217728, '500m CPU': 0.5, '2 CPU': 2, '192MB': /not a memory/, 'half CPU': /not a CPU/, '500m': /not a memory/ }
  for (const [text, expected] of Object.entries(cases)) {
    const [value, kind = 'memory'] = text.split(' ') as [string, 'memory' | 'CPU']
    if (expected instanceof RegExp) t.throws(() => quantity(value, kind), expected, text)
    else t.equal(quantity(value, kind), expected, text)
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
  t.match(args, new RegExp(`--network host --log-driver passthrough --memory ${64 * MIB} --memory-swap ${64 * MIB} --cpus 0.25 --read-only .* --cap-drop ALL --security-opt no-new-privileges --env LOG_LEVEL=info --env HOST=127\\.0\\.0\\.1 --env PORT=18080 img$`))
})

t.test('a sample is read from a real prom-client page; request series leave out process and runtime metrics', async (t) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['route'], registers: [registry] }).inc({ route: '/' })
  const s = memorySample(await registry.metrics(), 12)
  t.ok(s.seconds === 12 && s.series === 1 && s.rssBytes > 10 * MIB && s.heapUsedBytes > 0 && s.heapUsedBytes <= s.heapTotalBytes && s.newSpaceBytes > 0 && s.externalBytes > 0, JSON.stringify(s))
  t.throws(() => memorySample('up 1\n', 0), /no sample process_resident_memory_bytes/)
})

t.test('RSS passes when it levels off with a quarter of the limit to spare, and fails still growing or too tight', async (t) => {
  const run = (rssMiB: (minute: number) => number) => verdict(Array.from({ length: 37 }, (_, i) => ({ seconds: i * 5, rssBytes: rssMiB(i / 12) * MIB, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, newSpaceBytes: 0, series: 70 })), 192 * MIB)
  t.match(run((m) => 100 + 30 * Math.min(m, 1)), { peakRssBytes: 130 * MIB, headroom: 1 - 130 / 192, levelsOff: true, pass: true }, 'levels off at 130 of 192 MiB')
  t.match(run((m) => 100 + 5 * m), { levelsOff: false, pass: false }, 'grows 5 MiB a minute')
  t.equal(run((m) => 100 + 5 * m).lateSlopeMiBPerMinute.toFixed(2), '5.00')
  t.match(run(() => 150), { levelsOff: true, pass: false }, 'flat at 150 of 192 MiB')
  t.throws(() => verdict([], 192 * MIB), /too few samples/)
})

t.test('one run soaks the image untraced, then traced at the given percentage, then the comparison images; bad settings are refused', async (t) => {
  t.same(soakRuns({ image: 'img', compare: 'ec84941=localhost/service-a:ec84941', tracePercent: 10 }), [
    { label: 'service-a, tracing off', image: 'img' },
    { label: 'service-a, tracing on at 10 %', image: 'img', tracePercent: 10 },
    { label: 'ec84941, tracing off', image: 'localhost/service-a:ec84941' }
  ])
  t.same(soakRuns({ image: 'img', compare: '', tracePercent: 0 }).map((r) => r.label), ['service-a, tracing off'], 'SOAK_TRACE_PERCENT=0 leaves the traced soak out')
  t.throws(() => soakRuns({ image: 'img', compare: 'no-image', tracePercent: 10 }), /SOAK_COMPARE: expected name=IMAGE, got "no-image"/)
  t.throws(() => soakRuns({ image: 'img', compare: '', tracePercent: Number('ten') }), /SOAK_TRACE_PERCENT must be a number from 0 to 100 \(got NaN\)/)
  t.throws(() => soakRuns({ image: 'img', compare: '', tracePercent: 120 }), /got 120/)
})
