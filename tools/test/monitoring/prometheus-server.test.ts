import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../src/support/ports.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { PROMETHEUS_MISSING, startPrometheus } from '../../src/monitoring/prometheus-server.ts'
import { fakeServer, tempDir } from './helpers.ts'

t.test('a Prometheus that cannot start is reported with the end of its log', async (t) => {
  const dir = tempDir(t)
  const configFile = join(dir, 'prometheus.yml')
  writeFileSync(configFile, 'scrape_configs: [{ job_name: x, scrape_interval: nonsense }]\n')
  await t.rejects(startPrometheus({ configFile, dataDir: join(dir, 'data'), port: await freePort(), logFile: join(dir, 'p.log') }),
    /prometheus exited \(\d\) before .*-\/ready answers; its log .*p\.log ends with:\n[\s\S]*nonsense/)
})

t.test('a missing prometheus binary is refused with how to install it', async (t) => {
  const path = process.env.PATH
  process.env.PATH = tempDir(t)
  t.teardown(() => { process.env.PATH = path })
  const dir = tempDir(t)
  await t.rejects(startPrometheus({ configFile: join(dir, 'p.yml'), dataDir: dir, port: 1, logFile: join(dir, 'p.log') }), { message: PROMETHEUS_MISSING })
  t.match(PROMETHEUS_MISSING, /scripts\/install-prometheus\.sh/)
})

t.test('waitFor gives up after its timeout with the last error', async (t) => {
  await t.rejects(waitFor('nothing', async () => { throw new Error('still no') }, 300), /timed out after 300 ms waiting for nothing \(last: still no\)/)
  await t.rejects(waitFor('nothing', async () => undefined, 0), /\(last: no answer yet\)/)
})

t.test('waitFor stops at once when its signal aborts', async (t) => {
  await t.rejects(waitFor('nothing', async () => undefined, 60_000, AbortSignal.abort('stopped')), /gave up waiting for nothing: stopped/)
})

t.test('fetchJson names the URL and the status of a failed call', async (t) => {
  const url = await fakeServer(t, {})
  await t.rejects(fetchJson(`${url}/missing`), new RegExp(`${url}/missing answered 404: not found`))
})
