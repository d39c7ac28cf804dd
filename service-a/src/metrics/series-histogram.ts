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
  /** Labels the Registry formats once per object (it caches them by identity). */
  sharedLabels?: Labels
  /** prom-client's buckets carry `exemplar: null` when exemplars are off, its sum and count undefined. */
  exemplar: null | undefined
}

/** One object for every empty label set: prom-client caches a formatted label set per object. */
const NO_LABELS: Labels = Object.freeze({})

/** prom-client's escaping of a label value (lib/registry.js): backslash, newline, double quote. */
function escapeLabelValue (value: string | number): string | number {
  if (typeof value !== 'string') return value
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
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
  readonly #names = new WeakMap<HistogramSeries, readonly string[]>()

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

  /**
   * What the Registry renders. Each sample's name arrives with its labels already formatted (once
   * per series, as prom-client's Registry would format them): the Registry then adds only the
   * value, where it would rebuild the label string of every line on every scrape.
   * Assumes a registry without default labels, as the service's is.
   */
  async getForPromString (): Promise<Exported> {
    const values: ExportedValue[] = []
    for (const series of this.#series) {
      const names = this.#sampleNames(series)
      let cumulative = 0
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += series.counts[i]!
        values.push({ value: cumulative, metricName: names[i]!, exemplar: null, labels: NO_LABELS, sharedLabels: NO_LABELS })
      }
      const n = this.#bounds.length
      values.push({ value: series.count, metricName: names[n]!, exemplar: null, labels: NO_LABELS, sharedLabels: NO_LABELS })
      values.push({ value: series.sum, metricName: names[n + 1]!, exemplar: undefined, labels: NO_LABELS, sharedLabels: NO_LABELS })
      values.push({ value: series.count, metricName: names[n + 2]!, exemplar: undefined, labels: NO_LABELS, sharedLabels: NO_LABELS })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** Registry#getMetricsAsJSON: prom-client's Histogram values, labels merged. */
  async get (): Promise<Exported> {
    const values: ExportedValue[] = []
    for (const series of this.#series) {
      const sample = (metricName: string, value: number, labels: Labels, exemplar: null | undefined): void => {
        values.push({ value, metricName, exemplar, labels: { ...labels, ...series.labels } })
      }
      let cumulative = 0
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!
        sample(`${this.name}_bucket`, cumulative, { le }, null)
      })
      sample(`${this.name}_bucket`, series.count, { le: '+Inf' }, null)
      sample(`${this.name}_sum`, series.sum, {}, undefined)
      sample(`${this.name}_count`, series.count, {}, undefined)
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  /** `name{le="…",labels}` for each bucket and +Inf, then `name_sum{labels}` and `name_count{labels}`. */
  #sampleNames (series: HistogramSeries): readonly string[] {
    let names = this.#names.get(series)
    if (names === undefined) {
      const shared = Object.entries(series.labels).map(([label, value]) => `${label}="${escapeLabelValue(value)}"`).join(',')
      const tail = shared === '' ? '' : `,${shared}`
      names = [
        ...[...this.#bounds, '+Inf'].map((le) => `${this.name}_bucket{le="${le}"${tail}}`),
        `${this.name}_sum${shared === '' ? '' : `{${shared}}`}`,
        `${this.name}_count${shared === '' ? '' : `{${shared}}`}`
      ]
      this.#names.set(series, names)
    }
    return names
  }

  /** The Registry's parameter type is prom-client's own classes; this object renders alike. */
  asMetric (): Metric {
    return this as unknown as Metric
  }
}
