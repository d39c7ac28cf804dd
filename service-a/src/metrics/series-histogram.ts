import type { Metric } from 'prom-client'

type Labels = Record<string, string | number>

/** What prom-client's Registry reads from a metric, as its Histogram produces it. */
interface Exported {
  name: string
  help: string
  type: 'histogram'
  aggregator: 'sum'
  values: ExportedValue[]
}

interface ExportedValue {
  metricName: string
  value: number
  labels: Labels
  /** The series' labels, kept apart so that the Registry formats them once per series. */
  sharedLabels?: Labels
  /** prom-client's buckets carry `exemplar: null` when exemplars are off, its sum and count undefined. */
  exemplar: null | undefined
}

/** The observations of one label set, kept as plain numbers by whoever records them. */
export class HistogramSeries {
  readonly labels: Labels
  /** Per-bucket counts, not cumulative: the export adds them up. */
  readonly counts: Float64Array
  sum = 0
  count = 0
  readonly #bounds: readonly number[]

  constructor (labels: Labels, bounds: readonly number[]) {
    this.labels = labels
    this.#bounds = bounds
    this.counts = new Float64Array(bounds.length)
  }

  observe (value: number): void {
    const bounds = this.#bounds
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++
        break
      }
    }
    this.sum += value
    this.count++
  }
}

/**
 * A histogram whose series are objects that the caller keeps and observes directly: a few
 * additions per request, where prom-client's `labels().observe()` validates and hashes the
 * label set on every call. It hands prom-client's Registry the very values its Histogram
 * would, so the exposition (text and OpenMetrics) is unchanged.
 */
export class SeriesHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #bounds: readonly number[]
  readonly #series: HistogramSeries[] = []

  /** `buckets`: upper bounds in ascending order, as prom-client expects them. */
  constructor (options: { name: string, help: string, buckets: readonly number[] }) {
    this.name = options.name
    this.help = options.help
    this.#bounds = [...options.buckets]
  }

  /** A new series; call once per label set and keep it. */
  series (labels: Labels): HistogramSeries {
    const series = new HistogramSeries(labels, this.#bounds)
    this.#series.push(series)
    return series
  }

  get all (): readonly HistogramSeries[] {
    return this.#series
  }

  /** Registry#resetMetrics: zeroes every series (their holders keep recording into them). */
  reset (): void {
    for (const series of this.#series) {
      series.counts.fill(0)
      series.sum = 0
      series.count = 0
    }
  }

  /** What the Registry renders; series labels stay shared, as prom-client's Histogram does. */
  async getForPromString (): Promise<Exported> {
    const bucket = `${this.name}_bucket`
    const values: ExportedValue[] = []
    for (const series of this.#series) {
      let cumulative = 0
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!
        values.push({ value: cumulative, metricName: bucket, exemplar: null, labels: { le }, sharedLabels: series.labels })
      })
      values.push({ value: series.count, metricName: bucket, exemplar: null, labels: { le: '+Inf' }, sharedLabels: series.labels })
      values.push({ value: series.sum, metricName: `${this.name}_sum`, exemplar: undefined, labels: {}, sharedLabels: series.labels })
      values.push({ value: series.count, metricName: `${this.name}_count`, exemplar: undefined, labels: {}, sharedLabels: series.labels })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** Registry#getMetricsAsJSON: the same values with the series labels merged in. */
  async get (): Promise<Exported> {
    const data = await this.getForPromString()
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }))
    return data
  }

  /** The Registry's parameter type is prom-client's own classes; this object renders alike. */
  asMetric (): Metric {
    return this as unknown as Metric
  }
}
