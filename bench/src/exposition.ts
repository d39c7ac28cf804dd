import { Agent } from 'node:http'
import { get } from './server.ts'
import { percentile } from './stats.ts'

/** Metric families every prom-client style library exports about the process, not about HTTP. */
const PROCESS_FAMILIES = /^(process_|nodejs_)/

export interface Page {
  bytes: number
  /** Every sample line. */
  samples: number
  /** Sample lines outside the process/runtime families: the request series an app adds. */
  requestSeries: number
}

/** Counts the samples of a Prometheus text page (lines that are not comments or blank). */
export function parsePage (text: string): Page {
  let samples = 0
  let requestSeries = 0
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    samples++
    if (!PROCESS_FAMILIES.test(line)) requestSeries++
  }
  return { bytes: Buffer.byteLength(text), samples, requestSeries }
}

export async function scrape (port: number): Promise<Page> {
  const { status, body } = await get(port, '/metrics')
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`)
  return parsePage(body)
}

export interface RenderTimes { p50Ms: number, p99Ms: number, page: Page }

/**
 * Times `count` sequential scrapes over one kept-alive connection, as Prometheus scrapes:
 * the time to the last byte, measured by the client, so it includes the framework's own route.
 */
export async function renderTimes (port: number, count: number): Promise<RenderTimes> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const times: number[] = []
  let body = ''
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      const response = await get(port, '/metrics', agent)
      times.push(performance.now() - started)
      body = response.body
    }
  } finally {
    agent.destroy()
  }
  return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), page: parsePage(body) }
}
