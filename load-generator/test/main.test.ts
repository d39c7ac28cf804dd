import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { freePort, startServiceA, until } from './helper.ts'

const ENTRY = fileURLToPath(new URL('../src/main.ts', import.meta.url))

type Line = Record<string, unknown> & { msg: string }

/** Runs src/main.ts as its own process; SIGKILLed at teardown if a test left it running. */
function generator (t: Test, env: Record<string, string>): { lines: Line[], stderr: () => string, exited: Promise<number | null>, kill: (signal: NodeJS.Signals) => void } {
  // process.env carries tap's coverage hooks into the child.
  const child = spawn(process.execPath, [ENTRY], { env: { ...process.env, SUMMARY_INTERVAL_MS: '200', ...env } })
  const exited = once(child, 'close').then(([code]) => code as number | null)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const lines: Line[] = []
  let stderr = ''
  let pending = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n')
    pending = parts.pop()!
    for (const part of parts) lines.push(JSON.parse(part) as Line)
  })
  return { lines, stderr: () => stderr, exited, kill: (signal) => child.kill(signal) }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} stops it cleanly: a last summary, exit code 0`, async (t) => {
    const service = await startServiceA(t)
    // The health endpoint with one of the two signals, none with the other (as make run runs it).
    const healthPort = await freePort()
    const health: Record<string, string> = signal === 'SIGTERM' ? { HEALTH_PORT: String(healthPort), HEALTH_HOST: '127.0.0.1' } : {}
    const run = generator(t, { TARGET_URL: service.url, REQUESTS_PER_SECOND: '50', ...health })
    await until(() => run.lines.some((line) => line.msg === 'load summary' && Object.keys(line.statuses as object).length > 0), 'an answered request')
    const healthz = await fetch(`http://127.0.0.1:${healthPort}/healthz`).then(async (response) => [response.status, await response.json()], (error: Error) => error.name)
    if (signal === 'SIGTERM') {
      t.same(healthz, [200, { status: 'ok' }], 'GET /healthz answers for the probes')
      t.equal((await fetch(`http://127.0.0.1:${healthPort}/metrics`)).status, 404, 'and nothing else does')
    } else {
      t.equal(healthz, 'TypeError', 'no health port unless HEALTH_PORT asks for one')
    }
    run.kill(signal)
    t.equal(await run.exited, 0)
    t.match(run.lines[0], { name: 'load-generator', msg: 'load generator started', requestsPerSecond: 50 })
    t.match(run.lines.at(-2), { msg: 'stopping', signal })
    t.match(run.lines.at(-1), { msg: 'load summary', inFlight: 0 })
    t.equal(run.stderr(), '')
  })
}

t.test('with nothing listening it keeps running, logs the failure once, and still stops with 0', async (t) => {
  const run = generator(t, { TARGET_URL: `http://127.0.0.1:${await freePort()}`, REQUESTS_PER_SECOND: '50' })
  await until(() => run.lines.filter((line) => line.msg === 'load summary').length >= 3, 'three summaries')
  t.equal(run.lines.filter((line) => line.level === 40).length, 1, 'one warning')
  t.match(run.lines.find((line) => line.msg === 'load summary'), { failures: { ECONNREFUSED: Number } })
  run.kill('SIGTERM')
  t.equal(await run.exited, 0)
})

t.test('an invalid variable is one line on stderr and exit code 1', async (t) => {
  const run = generator(t, { REQUESTS_PER_SECOND: 'fast' })
  t.equal(await run.exited, 1)
  t.equal(run.stderr(), 'Invalid configuration: REQUESTS_PER_SECOND must be number (got "fast")\n')
  t.same(run.lines, [])
})
