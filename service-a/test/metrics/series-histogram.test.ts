import t from 'tap'
import { Histogram, Registry, type RegistryContentType } from 'prom-client'
import { SeriesHistogram } from '../../src/metrics/series-histogram.ts'

const options = { name: 'work_seconds', help: 'Work done.', buckets: [0.1, 1, 10] }
const observations: Array<[Record<string, string | number>, number]> = [
  [{ kind: 'a', code: 200 }, 0.05], [{ kind: 'a', code: 200 }, 0.5], [{ kind: 'b', code: 500 }, 20], [{ kind: 'a', code: 200 }, 0.1],
  // Label values that prom-client escapes: backslash, newline, double quote.
  [{ kind: 'C:\\dir "x"\nnext', code: 404 }, 0.2]
]

/** prom-client's own Histogram fed the same observations: the reference for every output. */
function pair (contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): { ours: SeriesHistogram, registries: Array<Registry<RegistryContentType>> } {
  const registries = [new Registry<RegistryContentType>(), new Registry<RegistryContentType>()] as const
  for (const registry of registries) registry.setContentType(contentType)
  const ours = new SeriesHistogram(options)
  registries[0].registerMetric(ours.asMetric())
  const theirs = new Histogram({ ...options, labelNames: ['kind', 'code'], registers: [registries[1]] })
  const series = new Map<string, ReturnType<SeriesHistogram['series']>>()
  for (const [labels, value] of observations) {
    const key = JSON.stringify(labels)
    if (!series.has(key)) series.set(key, ours.series(labels))
    series.get(key)!.observe(value)
    theirs.observe(labels, value)
  }
  return { ours, registries: [...registries] }
}

t.test('renders exactly what prom-client Histogram renders, in both formats', async (t) => {
  for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE]) {
    const { registries } = pair(contentType)
    t.equal(await registries[0]!.metrics(), await registries[1]!.metrics(), contentType)
  }
})

t.test('JSON export matches prom-client too, labels merged', async (t) => {
  const { registries } = pair()
  t.same(await registries[0]!.getMetricsAsJSON(), await registries[1]!.getMetricsAsJSON())
})

t.test('a value above every bound counts only in +Inf; a value on a bound counts in that bucket', async (t) => {
  const { ours } = pair()
  const [a, b] = ours.all
  t.same([...a!.counts], [2, 1, 0], '0.05 and 0.1 in le=0.1, 0.5 in le=1')
  t.same([...b!.counts], [0, 0, 0])
  t.equal(b!.count, 1)
})

t.test('resetMetrics zeroes the series, which keep recording', async (t) => {
  const { ours, registries } = pair()
  registries[0]!.resetMetrics()
  const [a] = ours.all
  t.equal(a!.count, 0)
  t.equal(a!.sum, 0)
  a!.observe(0.2)
  t.match(await registries[0]!.metrics(), /work_seconds_count\{kind="a",code="200"\} 1\n/)
})

t.test('a series without labels renders as prom-client renders an unlabelled Histogram', async (t) => {
  const [ours, theirs] = [new Registry(), new Registry()]
  const histogram = new SeriesHistogram(options)
  ours.registerMetric(histogram.asMetric())
  const reference = new Histogram({ ...options, registers: [theirs] })
  histogram.series({}).observe(0.5)
  reference.observe(0.5)
  t.equal(await ours.metrics(), await theirs.metrics())
  t.match(await ours.metrics(), /^work_seconds_sum 0\.5$/m)
})
