import { once } from 'node:events'
import { mkdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { findGrafana } from '../../src/local-run/grafana.ts'
import { settingsFromEnv } from '../../src/local-run/settings.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-api.ts'
import { smoke } from '../../src/smoke/checks.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { start, type Child } from '../../src/support/processes.ts'
import { installStandIn, tempDir, WITHOUT_GRAFANA } from './helpers.ts'

// `make run`'s entry point as a user meets it: a process, on the system's Prometheus (bookworm's
// 2.42 reads the derived config), stopped with Ctrl-C; fake-grafana.ts records how it was started.

const readYaml = (...path: string[]): any => parse(readFileSync(join(...path), 'utf8'))

async function startRun (t: Test, env: Record<string, string> = {}): Promise<{ child: Child, runDir: string, ports: Record<'service' | 'prometheus' | 'grafana' | 'alertmanager', number> }> {
  const ports = { service: await freePort(), prometheus: await freePort(), grafana: await freePort(), alertmanager: await freePort() }
  const runDir = tempDir(t)
  const child = start(process.execPath, [join(REPO_ROOT, 'tools/src/local-run/main.ts')], {
    name: 'make run',
    env: { ...process.env, SERVICE_PORT: String(ports.service), PROMETHEUS_PORT: String(ports.prometheus), GRAFANA_PORT: String(ports.grafana), ALERTMANAGER_PORT: String(ports.alertmanager), RUN_DIR: runDir, PATH: WITHOUT_GRAFANA, ...env }
  })
  t.teardown(() => child.stop())
  return { child, runDir, ports }
}

// Start-up waits for the first scrape (up to 15 s) and a loaded machine is slow: wide margins.
const until = async (child: Child, text: string): Promise<unknown> => await waitFor(`"${text}" from make run`, async () => child.output().includes(text) || undefined, 120_000)
const listening = async (port: number): Promise<boolean> => await request(`http://127.0.0.1:${port}/`).then(() => true, () => false)

t.test('make run scrapes service-a, starts the installed Alertmanager and Grafana (its provisioning derived), passes the smoke check; Ctrl-C stops it all and exits 0', async (t) => {
  const { child, runDir, ports } = await startRun(t, { PATH: `${installStandIn(tempDir(t), 'grafana')}:${WITHOUT_GRAFANA}` })
  await until(child, 'Ready.')
  const url = (port: number): string => `http://127.0.0.1:${port}`
  t.comment(`make run's Prometheus: ${await new PrometheusApi(url(ports.prometheus)).version()}`)
  const report: string[] = []
  await smoke({ serviceUrl: url(ports.service), prometheusUrl: url(ports.prometheus), grafanaUrl: url(ports.grafana), alertmanagerUrl: url(ports.alertmanager), grafanaUser: 'admin', grafanaPassword: 'admin' }, (line) => report.push(line))
  t.match(report, [/^ok .*service-a answers/, /^ok .*scrapes service-a/, /^ok .*every rule/, /^ok +Alertmanager is ready .* Prometheus sends to it/, /^ok +Grafana is healthy/])
  t.match(child.output(), /Alertmanager +http:\/\/127\.0\.0\.1:\d+ +\(its default receiver, replace-me, notifies nobody[\s\S]*\nGrafana +http:\/\/127\.0\.0\.1:\d+ +\(home dashboard: service-a\)/)
  const grafana = JSON.parse(readFileSync(join(runDir, 'grafana', 'data', 'started.json'), 'utf8'))
  t.equal(grafana.args[0], 'server')
  t.match(grafana.env, { GF_PATHS_PROVISIONING: join(runDir, 'grafana', 'provisioning'), GF_SERVER_HTTP_ADDR: '127.0.0.1', GF_SERVER_HTTP_PORT: String(ports.grafana), GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: PATHS.dashboard })
  // No Jaeger here (e2e.test.ts runs one): one line, and Grafana's provisioning differs only in the
  // Prometheus and Alertmanager URLs and the dashboards folder, without Jaeger's datasource and links.
  t.match(child.output(), /Jaeger: no jaeger binary on PATH, so the local run goes without traces/)
  for (const file of ['prometheus.yaml', 'alertmanager.yaml']) {
    const source = readYaml(PATHS.grafanaDatasources, file)
    for (const datasource of source.datasources) datasource.url = url(datasource.type === 'prometheus' ? ports.prometheus : ports.alertmanager)
    if (file === 'prometheus.yaml') delete source.datasources[0].jsonData.exemplarTraceIdDestinations
    t.same(readYaml(runDir, 'grafana', 'provisioning', 'datasources', file), source, `${file}: Grafana gets the run's own`)
  }
  t.same(readYaml(runDir, 'grafana', 'provisioning', 'datasources', 'jaeger.yaml').datasources, [], 'no Jaeger datasource')
  const providers = readYaml(PATHS.grafanaDashboardProviders, 'dashboards.yaml')
  t.equal(providers.providers[0].options.path, '/etc/grafana/dashboards')
  providers.providers[0].options.path = PATHS.grafanaDashboards
  t.same(readYaml(runDir, 'grafana', 'provisioning', 'dashboards', 'dashboards.yaml'), providers)
  child.subprocess.kill('SIGINT')
  t.equal(await child.exited, 0)
  t.match(child.output(), /Stopping…\n[\s\S]*Stopped\.\n/)
  for (const [part, port] of Object.entries(ports)) t.notOk(await listening(port), `${part} is gone`)
})

t.test('make run stops what it started, with the reason: Ctrl-C during start-up, a part that dies, a port in use, a bad setting', async (t) => {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const cases: Array<[string, Record<string, string>, ((run: Awaited<ReturnType<typeof startRun>>) => Promise<void>) | undefined, number, RegExp]> = [
    ['Ctrl-C during start-up', {}, async ({ child }) => { await until(child, 'service-a '); child.subprocess.kill('SIGINT') }, 0, /service-a +http/],
    ['without Grafana it says so; Prometheus killed', {}, async ({ child, ports }) => {
      await until(child, 'Ready.')
      process.kill(Number((await execa('pgrep', ['-f', '--', `--web.listen-address=127\\.0\\.0\\.1:${ports.prometheus}( |$)`])).stdout), 'SIGKILL')
    }, 1, /Grafana: no grafana binary on PATH[\s\S]*prometheus exited \(SIGKILL\); stopping the rest\./],
    ['a port in use', { SERVICE_PORT: String((server.address() as { port: number }).port) }, undefined, 1, /make run: service-a exited \(1\) before .*readyz answers/],
    ['a bad setting', { SERVICE_PORT: 'ninety' }, undefined, 1, /^make run: SERVICE_PORT must be a TCP port \(1-65535\), not "ninety"\n$/]
  ]
  for (const [name, env, act, exitCode, output] of cases) {
    const run = await startRun(t, env)
    await act?.(run)
    t.equal(await run.child.exited, exitCode, `${name}: exits ${exitCode}`)
    t.match(run.child.output(), output, name)
    for (const part of ['service', 'prometheus'] as const) t.notOk(await listening(run.ports[part]), `${name}: ${part} is gone`)
  }
})

t.test('settings default to the port-forward ports, a .run folder in the checkout, and the load generator on', async (t) => {
  const defaults = { servicePort: 9000, prometheusPort: 9090, grafanaPort: 3000, alertmanagerPort: 9093, runDir: PATHS.runDir, load: true }
  t.same(settingsFromEnv({}), defaults)
  t.same(settingsFromEnv({ SERVICE_PORT: '1', PROMETHEUS_PORT: '65535', GRAFANA_PORT: '', RUN_DIR: 'tmp/run', LOAD: '0' }), { ...defaults, servicePort: 1, prometheusPort: 65535, runDir: join(REPO_ROOT, 'tmp/run'), load: false })
  t.same(settingsFromEnv({ RUN_DIR: '/var/run', LOAD: '1' }), { ...defaults, runDir: '/var/run' })
  t.throws(() => settingsFromEnv({ PROMETHEUS_PORT: '70000' }), /PROMETHEUS_PORT must be a TCP port/)
  t.throws(() => settingsFromEnv({ GRAFANA_PORT: '1.5' }), /GRAFANA_PORT must be a TCP port/)
  t.throws(() => settingsFromEnv({ LOAD: 'off' }), /LOAD must be 1 or 0, not "off"/)
})

t.test('findGrafana prefers `grafana server`, falls back to grafana-server, and says undefined without either', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'public'))
  const modern = installStandIn(dir, 'grafana')
  t.same(findGrafana({ PATH: modern }), { command: join(modern, 'grafana'), args: ['server', '--homepath', dir] })
  t.same(findGrafana({ PATH: modern, GRAFANA_HOME: '/opt/grafana' })?.args, ['server', '--homepath', '/opt/grafana'])
  const legacy = installStandIn(tempDir(t), 'grafana-server')
  t.same(findGrafana({ PATH: legacy }), { command: join(legacy, 'grafana-server'), args: ['--homepath', '/usr/share/grafana'] })
  t.equal(findGrafana({ PATH: tempDir(t) }), undefined)
  t.equal(findGrafana({}), undefined)
})
