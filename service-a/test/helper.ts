import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'

export interface BuildOptions {
  /** Registers extra routes before the app is ready, for behaviour no production route has. */
  extra?: (app: FastifyInstance) => void
  /** Collects the JSON log lines instead of discarding them. */
  logLines?: Array<Record<string, unknown>>
}

/** Builds the service as server.ts does, ready for `inject`, and closes it when the test ends. */
export async function build (t: Test, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Without logLines the app runs as LOG_LEVEL=silent runs it: with no logger at all.
  const app = options.logLines === undefined
    ? await buildApp(loadConfig({ LOG_LEVEL: 'silent' }))
    : await buildApp(loadConfig({ LOG_LEVEL: 'info' }), { logStream: lineCollector(options.logLines) })
  options.extra?.(app)
  await app.ready()
  t.teardown(() => app.close())
  return app
}

function lineCollector (lines: Array<Record<string, unknown>>): Writable {
  return new Writable({
    write (chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    }
  })
}

/** Parses Prometheus text exposition into `name{labels}` → value, skipping comments. */
export function samples (exposition: string): Map<string, number> {
  const result = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const cut = line.lastIndexOf(' ')
    result.set(line.slice(0, cut), Number(line.slice(cut + 1)))
  }
  return result
}

export async function scrape (app: FastifyInstance): Promise<Map<string, number>> {
  const response = await app.inject('/metrics')
  return samples(response.body)
}
