import { readFileSync } from 'node:fs'
import { collectDefaultMetrics, Counter, Registry } from 'prom-client'
import t from 'tap'
import { cpus, deploymentLimits, memoryBytes, memorySample, podmanRunArgs, verdict, type MemorySample } from '../src/soak-spec.ts'

const MIB = 2 ** 20

t.test('Kubernetes quantities: binary and decimal memory, millicores', async (t) => {
  t.equal(memoryBytes('192Mi'), 192 * MIB)
  t.equal(memoryBytes('1.5Gi'), 1.5 * 2 ** 30)
  t.equal(memoryBytes('200M'), 200e6)
  t.equal(memoryBytes('134217728'), 134217728)
  t.equal(cpus('500m'), 0.5)
  t.equal(cpus('2'), 2)
  t.throws(() => memoryBytes('192MB'), /not a memory quantity/)
  t.throws(() => cpus('half'), /not a CPU quantity/)
})

const deployment = (resources: string) => `
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: sidecar
        - name: service-a
          env:
            - { name: LOG_LEVEL, value: info }
            - name: FROM_SECRET
              valueFrom: { secretKeyRef: { name: s, key: k } }
${resources}`

t.test('the limits and literal env of the named container are read from the Deployment', async (t) => {
  const limits = deploymentLimits(deployment('          resources: { limits: { cpu: 250m, memory: 64Mi } }'), 'service-a')
  t.same(limits, { memoryBytes: 64 * MIB, cpus: 0.25, env: { LOG_LEVEL: 'info' } })
  t.throws(() => deploymentLimits(deployment(''), 'service-a'), /no memory and CPU limits/)
  t.throws(() => deploymentLimits(deployment(''), 'other'), /no container other/)
})

t.test('service-a\'s own Deployment has limits the soak can run with', async (t) => {
  const limits = deploymentLimits(readFileSync(new URL('../../service-a/k8s/service-a-deployment.yaml', import.meta.url), 'utf8'), 'service-a')
  t.ok(limits.memoryBytes >= 32 * MIB && limits.cpus > 0, JSON.stringify(limits))
})

t.test('podman gets the limits, no swap, the hardening, and a loopback address', async (t) => {
  const args = podmanRunArgs({ name: 'n', image: 'img', port: 18080, limits: { memoryBytes: 64 * MIB, cpus: 0.25, env: { LOG_LEVEL: 'info', HOST: '0.0.0.0' } } })
  const after = (flag: string) => args[args.indexOf(flag) + 1]
  t.equal(after('--memory'), String(64 * MIB))
  t.equal(after('--memory-swap'), String(64 * MIB))
  t.equal(after('--cpus'), '0.25')
  t.equal(after('--network'), 'host')
  t.ok(args.includes('--read-only') && args.includes('no-new-privileges'))
  t.same(args.filter((a, i) => args[i - 1] === '--env'), ['LOG_LEVEL=info', 'HOST=127.0.0.1', 'PORT=18080'])
  t.equal(args.at(-1), 'img')
})

t.test('a sample is read from a real prom-client page; request series leave out process and runtime metrics', async (t) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['route'], registers: [registry] }).inc({ route: '/' })
  const sample = memorySample(await registry.metrics(), 12)
  t.equal(sample.seconds, 12)
  t.ok(sample.rssBytes > 10 * MIB && sample.heapUsedBytes > 0 && sample.heapUsedBytes <= sample.heapTotalBytes && sample.newSpaceBytes > 0 && sample.externalBytes > 0, JSON.stringify(sample))
  t.equal(sample.series, 1)
  t.throws(() => memorySample('up 1\n', 0), /no sample process_resident_memory_bytes/)
})

const run = (rssMiB: (minute: number) => number): MemorySample[] => Array.from({ length: 37 }, (_, i) =>
  ({ seconds: i * 5, rssBytes: rssMiB(i * 5 / 60) * MIB, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, newSpaceBytes: 0, series: 70 }))

t.test('RSS that levels off with a quarter of the limit to spare passes', async (t) => {
  const v = verdict(run((m) => 100 + 30 * Math.min(m, 1)), 192 * MIB)
  t.equal(v.peakRssBytes, 130 * MIB)
  t.equal(v.headroom.toFixed(3), (1 - 130 / 192).toFixed(3))
  t.ok(v.levelsOff && v.pass)
})

t.test('RSS still growing fails, and so does too little headroom', async (t) => {
  const growing = verdict(run((m) => 100 + 5 * m), 192 * MIB)
  t.equal(growing.lateSlopeMiBPerMinute.toFixed(2), '5.00')
  t.notOk(growing.levelsOff || growing.pass)
  const tight = verdict(run(() => 150), 192 * MIB)
  t.ok(tight.levelsOff)
  t.notOk(tight.pass)
  t.throws(() => verdict(run(() => 1).slice(0, 3), 192 * MIB), /too few samples/)
})
