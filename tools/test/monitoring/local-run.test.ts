import { once } from 'node:events'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { findGrafana } from '../../src/local-run/grafana.ts'
import { followLogs } from '../../src/local-run/log-follower.ts'
import { settingsFromEnv } from '../../src/local-run/stack.ts'
import { PrometheusApi } from '../../src/monitoring/prometheus-server.ts'
import { smoke } from '../../src/smoke/checks.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { start, type Child } from '../../src/support/processes.ts'
import { installStandIn, tempDir, WITHOUT_GRAFANA } from './helpers.ts'

// `make run`'s entry point as a user meets it: a process, on the system's Prometheus (bookworm's
// 2.42 reads the derived config), stopped with Ctrl-C; fake-grafana.ts records how it was started.

const readYaml = (...path: string[]): any => parse(readFileSync(join(...path), 'utf8'))
const MAIN = join(REPO_ROOT, 'tools/src/local-run/main.ts')

/** make run's entry point, with the load generator on; `terminal`: its stdout a pseudo-terminal (util-linux's script), as in a person's shell. */
async function startRun (t: Test, env: Record<string, string> = {}, terminal = false): Promise<{ child: Child, runDir: string, ports: Record<'service' | 'prometheus' | 'grafana' | 'alertmanager', number> }> {
  const ports = { service: await freePort(), prometheus: await freePort(), grafana: await freePort(), alertmanager: await freePort() }
  const runDir = tempDir(t)
  const [command, args] = terminal ? ['script', ['-q', '-e', '-c', `exec "${process.execPath}" "${MAIN}"`, '/dev/null']] : [process.execPath, [MAIN]]
  const child = start(command, args, {
    name: 'make run',
    env: { ...process.env, SERVICE_PORT: String(ports.service), PROMETHEUS_PORT: String(ports.prometheus), GRAFANA_PORT: String(ports.grafana), ALERTMANAGER_PORT: String(ports.alertmanager), RUN_DIR: runDir, PATH: WITHOUT_GRAFANA, ...env }
  })
  t.teardown(() => child.stop())
  return { child, runDir, ports }
}

/** What the terminal showed: script passes on the pseudo-terminal's CR LF line ends. */
const shown = (child: Child): string => child.output().replaceAll('\r\n', '\n')

/** Ctrl-C in the terminal: SIGINT to its foreground process group, make run's own (script starts it in a session of its own). */
async function ctrlC (child: Child): Promise<void> {
  const { stdout } = await execa('pgrep', ['-P', String(child.pid)])
  process.kill(-Number(stdout.trim()), 'SIGINT')
}

const pidOf = async (pattern: string): Promise<number> => Number((await execa('pgrep', ['-f', '--', pattern])).stdout)
const jsonLines = (file: string): Array<Record<string, any>> => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line))

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
      process.kill(await pidOf(`--web.listen-address=127\\.0\\.0\\.1:${ports.prometheus}( |$)`), 'SIGKILL')
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

t.test('on a terminal, with the load generator on, make run prints nothing for 20 s after "Ready"; the logs fill the run folder; an error of a part still shows', async (t) => {
  const { child, runDir, ports } = await startRun(t, { SUMMARY_INTERVAL_MS: '5000' }, true)
  await until(child, 'Ready.')
  const ready = shown(child)
  const serviceLog = join(runDir, 'service-a.log')
  t.match(ready, new RegExp(`\nservice-a +http://127\\.0\\.0\\.1:${ports.service} +\\(access log ${serviceLog}\\)\n`), 'the summary says where the access log is')
  t.match(ready, /\nReady\. Logs in .*; from now on only warnings and errors show here\..*\n$/)
  await sleep(20_000)
  t.equal(shown(child).slice(ready.length), '', 'nothing for 20 s')
  // Quiet, but not idle: service-a answered the load generator, and logged every request, as JSON.
  const access = jsonLines(serviceLog).filter((line) => line.msg === 'request completed')
  t.ok(access.length >= 40, `${access.length} access-log lines in ${serviceLog}`)
  t.same([...new Set(access.map((line) => line.statusCode))].sort(), [200, 400, 404])
  t.ok(jsonLines(join(runDir, 'load-generator.log')).filter((line) => line.msg === 'load summary').length >= 3, 'load summaries in its log')

  // A broken config on reload: Prometheus goes on with the old one and logs an error, which shows.
  writeFileSync(join(runDir, 'prometheus', 'prometheus.yml'), 'scrape_configs: [')
  process.kill(await pidOf(`--web.listen-address=127\\.0\\.0\\.1:${ports.prometheus}( |$)`), 'SIGHUP')
  await until(child, 'Error reloading config')
  t.match(shown(child).slice(ready.length), /^prometheus: .*level=error.*msg="Error reloading config"/m)
  const before = shown(child).length
  await ctrlC(child)
  t.equal(await child.exited, 0)
  // Nor what the parts log as they stop (Prometheus warns of the SIGTERM it got).
  t.equal(shown(child).slice(before), 'Stopping…\nStopped.\n')
})

t.test("service-a's warnings reach the terminal as one line a person reads, and its log keeps the JSON", async (t) => {
  // Your own collector, down: the OpenTelemetry SDK's export fails, and service-a warns.
  const collector = `http://127.0.0.1:${await freePort()}`
  const { child, runDir } = await startRun(t, { OTEL_EXPORTER_OTLP_ENDPOINT: collector, OTEL_EXPORTER_OTLP_TIMEOUT: '300' }, true)
  await until(child, 'ECONNREFUSED')
  t.match(shown(child), /^service-a: \d\d:\d\d:\d\d WARN .*ECONNREFUSED.* \(component=opentelemetry, heldBack=0\)\n/m)
  const warning = jsonLines(join(runDir, 'service-a.log')).find((line) => line.level === 40)
  t.match(warning, { component: 'opentelemetry', msg: /ECONNREFUSED/ })
  await ctrlC(child)
  t.equal(await child.exited, 0)
})

t.test("only the parts' warnings and errors pass, in every log format of the stack, as they are written", async (t) => {
  const file = join(tempDir(t), 'part.log')
  const old = '{"level":50,"msg":"an earlier run\'s error"}\n'
  writeFileSync(file, old)
  const printed: string[] = []
  const logs = followLogs((line) => printed.push(line), 20)
  logs.follow('part', file, old.length)
  const lines = [
    // pino (service-a, the load generator): JSON with numeric levels.
    '{"level":30,"time":1796635722465,"pid":1,"hostname":"h","requestId":"1","msg":"request completed","statusCode":200}',
    '{"level":40,"time":1796635722803,"pid":1,"hostname":"h","name":"load-generator","url":"http://x/","cause":"ECONNREFUSED","msg":"request failed"}',
    '{"level":50,"time":1796635722803,"pid":1,"hostname":"h","requestId":"7","err":{"type":"TypeError","message":"boom","stack":"TypeError: boom\\n    at x"},"msg":"request failed"}',
    // logfmt: Prometheus 2 and Alertmanager, Prometheus 3 (slog), Grafana.
    'ts=2026-12-07T09:31:28.358Z caller=main.go:823 level=info msg="Server is ready to receive web requests."',
    'ts=2026-12-07T09:31:28.358Z caller=main.go:823 level=warn msg="Received SIGTERM, exiting gracefully..."',
    'time=2026-12-07T09:31:28.358Z level=ERROR source=manager.go:176 msg="Error loading config"',
    'logger=settings t=2026-12-07T09:31:28.358Z level=info msg="Starting Grafana"',
    // Jaeger (an OpenTelemetry Collector): zap's console lines.
    '2026-12-07T09:31:28.358Z\tinfo\tservice@v0.1/service.go:1\tEverything is ready.',
    '2026-12-07T09:31:28.358Z\terror\texporterhelper/queue.go:1\tExporting failed.',
    // No level at all: what a crash writes to stderr.
    'Error: listen EADDRINUSE: address already in use 127.0.0.1:9000',
    ''
  ]
  // In two writes, the second finishing a line that the first began.
  const text = lines.join('\n') + '\n'
  appendFileSync(file, text.slice(0, 200))
  await sleep(100)
  appendFileSync(file, text.slice(200))
  await sleep(100)
  appendFileSync(file, '{"level":60,"msg":"unfinished')
  logs.stop()
  appendFileSync(file, '{"level":60,"msg":"after the stop"}\n')
  await sleep(100)
  const clock = (time: number): string => new Date(time).toTimeString().slice(0, 8)
  t.same(printed, [
    `part: ${clock(1796635722803)} WARN request failed (url=http://x/, cause=ECONNREFUSED)`,
    `part: ${clock(1796635722803)} ERROR request failed (requestId=7, err=TypeError: boom)`,
    'part: ts=2026-12-07T09:31:28.358Z caller=main.go:823 level=warn msg="Received SIGTERM, exiting gracefully..."',
    'part: time=2026-12-07T09:31:28.358Z level=ERROR source=manager.go:176 msg="Error loading config"',
    'part: 2026-12-07T09:31:28.358Z\terror\texporterhelper/queue.go:1\tExporting failed.',
    'part: Error: listen EADDRINUSE: address already in use 127.0.0.1:9000'
  ])
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
