import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { settingsFromEnv } from '../../src/local-run/settings.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'
import { smoke } from '../../src/smoke/checks.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { start, type Child } from '../../src/support/processes.ts'
import { installFakeGrafana, tempDir } from './helpers.ts'

// `make run`'s entry point as a user meets it: a process, on the system's Prometheus (2.42 on
// bookworm, which reads the derived config: scrape config files inlined), stopped with Ctrl-C.

const WITHOUT_GRAFANA = process.env.PATH!.split(':').filter((dir) => !/grafana/.test(dir)).join(':')

async function startRun (t: Test, env: Record<string, string> = {}): Promise<{ child: Child, ports: Record<'service' | 'prometheus' | 'grafana' | 'alertmanager', number> }> {
  const ports = { service: await freePort(), prometheus: await freePort(), grafana: await freePort(), alertmanager: await freePort() }
  const child = start(process.execPath, [join(REPO_ROOT, 'tools/src/local-run/main.ts')], {
    name: 'make run',
    env: { ...process.env, SERVICE_PORT: String(ports.service), PROMETHEUS_PORT: String(ports.prometheus), GRAFANA_PORT: String(ports.grafana), ALERTMANAGER_PORT: String(ports.alertmanager), RUN_DIR: tempDir(t), PATH: WITHOUT_GRAFANA, ...env }
  })
  t.teardown(() => child.stop())
  return { child, ports }
}

// Start-up waits for the first scrape (up to 15 s) and a loaded machine is slow: wide margins.
const until = async (child: Child, text: string): Promise<unknown> => await waitFor(`"${text}" from make run`, async () => child.output().includes(text) || undefined, 120_000)
const listening = async (port: number): Promise<boolean> => await request(`http://127.0.0.1:${port}/`).then(() => true, () => false)

/** The pid of the running program with `arg` on its command line, from /proc. */
function pidOf (arg: string): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(arg)) return Number(pid)
    } catch {}
  }
  throw new Error(`no process runs with ${arg}`)
}

t.test('make run scrapes service-a, starts the installed Alertmanager and Grafana, passes the smoke check; Ctrl-C stops it all and exits 0', async (t) => {
  const { child, ports } = await startRun(t, { PATH: `${installFakeGrafana(tempDir(t))}:${WITHOUT_GRAFANA}` })
  await until(child, 'Ready.')
  const url = (port: number): string => `http://127.0.0.1:${port}`
  t.comment(`make run's Prometheus: ${await new PrometheusApi(url(ports.prometheus)).version()}`)
  const report: string[] = []
  await smoke({ serviceUrl: url(ports.service), prometheusUrl: url(ports.prometheus), grafanaUrl: url(ports.grafana), alertmanagerUrl: url(ports.alertmanager), grafanaUser: 'admin', grafanaPassword: 'admin' }, (line) => report.push(line))
  t.match(report, [/^ok .*service-a answers/, /^ok .*scrapes service-a/, /^ok .*every rule/, /^ok +Alertmanager is ready .* Prometheus sends to it/, /^ok +Grafana is healthy/])
  t.match(child.output(), /Alertmanager +http:\/\/127\.0\.0\.1:\d+ +\(its default receiver, replace-me, notifies nobody/)
  t.match(child.output(), /Grafana +http:\/\/127\.0\.0\.1:\d+ +\(home dashboard: service-a\)/)
  child.subprocess.kill('SIGINT')
  t.equal(await child.exited, 0)
  t.match(child.output(), /Stopping…\n[\s\S]*Stopped\.\n/)
  for (const [part, port] of Object.entries(ports)) t.notOk(await listening(port), `${part} is gone`)
})

t.test('Ctrl-C during start-up stops what had started', async (t) => {
  const { child, ports } = await startRun(t)
  await until(child, 'service-a ')
  child.subprocess.kill('SIGINT')
  t.equal(await child.exited, 0)
  t.notOk(await listening(ports.service))
  t.notOk(await listening(ports.prometheus))
})

t.test('without Grafana the run says so; when one part dies it stops the rest and exits 1', async (t) => {
  const { child, ports } = await startRun(t)
  await until(child, 'Ready.')
  t.match(child.output(), /Grafana: no grafana binary on PATH/)
  process.kill(pidOf(`--web.listen-address=127.0.0.1:${ports.prometheus}`), 'SIGKILL')
  t.equal(await child.exited, 1)
  t.match(child.output(), /prometheus exited \(SIGKILL\); stopping the rest\./)
  t.notOk(await listening(ports.service))
})

t.test('a port already in use stops the run with the reason', async (t) => {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const { child } = await startRun(t, { SERVICE_PORT: String((server.address() as { port: number }).port) })
  t.equal(await child.exited, 1)
  t.match(child.output(), /make run: service-a exited \(1\) before .*readyz answers/)
})

t.test('a bad setting stops the run with one line naming it', async (t) => {
  const { child } = await startRun(t, { SERVICE_PORT: 'ninety' })
  t.equal(await child.exited, 1)
  t.equal(child.output(), 'make run: SERVICE_PORT must be a TCP port (1-65535), not "ninety"\n')
})

t.test('settings default to the port-forward ports and a .run folder in the checkout', async (t) => {
  t.same(settingsFromEnv({}), { servicePort: 9000, prometheusPort: 9090, grafanaPort: 3000, alertmanagerPort: 9093, runDir: PATHS.runDir, load: true })
  t.same(settingsFromEnv({ SERVICE_PORT: '1', PROMETHEUS_PORT: '65535', GRAFANA_PORT: '', RUN_DIR: 'tmp/run' }),
    { servicePort: 1, prometheusPort: 65535, grafanaPort: 3000, alertmanagerPort: 9093, runDir: join(REPO_ROOT, 'tmp/run'), load: true })
  t.equal(settingsFromEnv({ RUN_DIR: '/var/run' }).runDir, '/var/run')
  t.throws(() => settingsFromEnv({ PROMETHEUS_PORT: '70000' }), /PROMETHEUS_PORT must be a TCP port/)
  t.throws(() => settingsFromEnv({ GRAFANA_PORT: '1.5' }), /GRAFANA_PORT must be a TCP port/)
})
