import { quantile } from 'simple-statistics'

/** A Prometheus text page: its size, its samples, and those outside the process/runtime families. */
export interface Page { bytes: number, samples: number, requestSeries: number }

export function parsePage (text: string): Page {
  const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
  return { bytes: Buffer.byteLength(text), samples: samples.length, requestSeries: samples.filter((l) => !/^(process|nodejs)_/.test(l)).length }
}

/** Prometheus asks for OpenMetrics; curl and most other scrapers get the text format. */
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0'

async function get (port: number, openMetrics = false): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: openMetrics ? { accept: OPENMETRICS } : {} })
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`)
  return await response.text()
}

export async function scrape (port: number): Promise<Page> {
  return parsePage(await get(port))
}

/**
 * Times `count` sequential scrapes, as Prometheus scrapes: the time to the last byte, over one
 * kept-alive connection (fetch keeps it), so it includes the framework's own route.
 */
export async function renderTimes (port: number, count: number, openMetrics = false): Promise<{ p50Ms: number, p99Ms: number, page: Page }> {
  const times: number[] = []
  let text = ''
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    text = await get(port, openMetrics)
    times.push(performance.now() - started)
  }
  return { p50Ms: quantile(times, 0.5), p99Ms: quantile(times, 0.99), page: parsePage(text) }
}
