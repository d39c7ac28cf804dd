import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { findGrafana, startGrafana } from '../../src/local-run/grafana.ts'
import { startLocalStack } from '../../src/local-run/stack.ts'
import { freePort } from '../../src/support/ports.ts'
import { deriveLocalProvisioning, readPrometheusDatasource } from '../../src/monitoring/grafana-provisioning.ts'
import { PATHS } from '../../src/support/paths.ts'
import { smoke } from '../../src/smoke/checks.ts'
import { tempDir } from './helpers.ts'

/** Puts an executable `name` into dir/bin that runs the fake Grafana with this Node.js. */
export function installFakeGrafana (dir: string, name = 'grafana'): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  const file = join(bin, name)
  writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, 'fake-grafana.ts')}" "$@"\n`)
  chmodSync(file, 0o755)
  return bin
}

t.test('the derived provisioning changes only the Prometheus URL and the dashboards folder', async (t) => {
  const outDir = tempDir(t)
  deriveLocalProvisioning({ prometheusUrl: 'http://127.0.0.1:9999', outDir })
  const source = parse(readFileSync(join(PATHS.grafanaDatasources, 'prometheus.yaml'), 'utf8'))
  const derived = parse(readFileSync(join(outDir, 'datasources', 'prometheus.yaml'), 'utf8'))
  t.equal(derived.datasources[0].url, 'http://127.0.0.1:9999')
  source.datasources[0].url = 'http://127.0.0.1:9999'
  t.same(derived, source)
  const providers = parse(readFileSync(join(outDir, 'dashboards', 'dashboards.yaml'), 'utf8'))
  t.equal(providers.providers[0].options.path, PATHS.grafanaDashboards)
  t.equal(parse(readFileSync(join(PATHS.grafanaDashboardProviders, 'dashboards.yaml'), 'utf8')).providers[0].options.path, '/etc/grafana/dashboards')
})

t.test('findGrafana prefers `grafana server`, falls back to grafana-server, and says undefined without either', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'public'))
  const modern = installFakeGrafana(dir)
  t.same(findGrafana({ PATH: modern }), { command: join(modern, 'grafana'), args: ['server', '--homepath', dir] })
  t.same(findGrafana({ PATH: modern, GRAFANA_HOME: '/opt/grafana' })?.args, ['server', '--homepath', '/opt/grafana'])
  const legacyDir = tempDir(t)
  const legacy = installFakeGrafana(legacyDir, 'grafana-server')
  t.same(findGrafana({ PATH: legacy }), { command: join(legacy, 'grafana-server'), args: ['--homepath', '/usr/share/grafana'] })
  t.equal(findGrafana({ PATH: tempDir(t) }), undefined)
  t.equal(findGrafana({}), undefined)
})

t.test('startGrafana gives Grafana the derived provisioning, the home dashboard and a loopback port', async (t) => {
  const runDir = tempDir(t)
  const found = findGrafana({ PATH: installFakeGrafana(tempDir(t)) })!
  const port = await freePort()
  const grafana = await startGrafana(found, { port, prometheusUrl: 'http://127.0.0.1:1234', runDir })
  t.teardown(() => grafana.child.stop())
  t.equal(grafana.url, `http://127.0.0.1:${port}`)
  const started = JSON.parse(readFileSync(join(runDir, 'grafana', 'data', 'started.json'), 'utf8'))
  t.equal(started.args[0], 'server')
  t.match(started.env, {
    GF_PATHS_PROVISIONING: join(runDir, 'grafana', 'provisioning'),
    GF_SERVER_HTTP_ADDR: '127.0.0.1',
    GF_SERVER_HTTP_PORT: String(port),
    GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: PATHS.dashboard
  })
  const datasource = parse(readFileSync(join(runDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8'))
  t.equal(datasource.datasources[0].url, 'http://127.0.0.1:1234')
})

t.test('a Grafana that exits at start is reported with its log file', async (t) => {
  const dir = tempDir(t)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'grafana'), '#!/bin/sh\necho "cannot bind" >&2\nexit 3\n')
  chmodSync(join(bin, 'grafana'), 0o755)
  const found = findGrafana({ PATH: bin })!
  await t.rejects(startGrafana(found, { port: await freePort(), prometheusUrl: 'http://127.0.0.1:1', runDir: dir }), /grafana exited \(3\) before .*; its log .*grafana\.log ends with:\ncannot bind$/)
})

t.test('an aborted start (Ctrl-C) stops Grafana', async (t) => {
  const found = findGrafana({ PATH: installFakeGrafana(tempDir(t)) })!
  const start = startGrafana(found, { port: await freePort(), prometheusUrl: 'http://127.0.0.1:1', runDir: tempDir(t), signal: AbortSignal.abort('SIGINT') })
  await t.rejects(start, /gave up waiting for .*api\/health answers: SIGINT/)
})

t.test('a datasource file without a Prometheus datasource is refused', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'loki.yaml'), 'datasources: [{ name: Loki, type: loki, uid: loki }]\n')
  writeFileSync(join(dir, 'empty.yml'), 'apiVersion: 1\n')
  t.throws(() => readPrometheusDatasource(dir), /no prometheus datasource is provisioned/)
})

t.test('the local run starts Grafana when one is installed, and the smoke check covers it', async (t) => {
  const runDir = tempDir(t)
  const lines: string[] = []
  const stack = await startLocalStack({
    servicePort: await freePort(),
    prometheusPort: await freePort(),
    grafanaPort: await freePort(),
    runDir,
    interval: '1s',
    serviceLogFile: join(runDir, 'service-a.log'),
    log: (line) => lines.push(line),
    env: { ...process.env, PATH: `${installFakeGrafana(tempDir(t))}:${process.env.PATH}` }
  })
  t.teardown(() => stack.stop())
  t.match(lines.at(-1), /^Grafana +http:\/\/127\.0\.0\.1:\d+ +\(home dashboard: service-a\)/)
  const report: string[] = []
  await smoke({ serviceUrl: stack.serviceUrl, prometheusUrl: stack.prometheusUrl, grafanaUrl: stack.grafanaUrl!, grafanaUser: 'admin', grafanaPassword: 'admin' }, (line) => report.push(line))
  t.match(report.at(-1), /^ok +Grafana is healthy/)
})
