import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { deriveProvisioning, findGrafana, startGrafana } from '../../src/local-run/grafana.ts'
import { PATHS } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'
import { installFakeGrafana, tempDir } from './helpers.ts'

// Grafana cannot be installed here: its start is tested with a stand-in executable that
// records how it was started (fake-grafana.ts); local-run.test.ts runs the local run with it.

const readYaml = (...path: string[]): any => parse(readFileSync(join(...path), 'utf8'))

t.test('the derived provisioning changes only the Prometheus URL and the dashboards folder', async (t) => {
  const outDir = tempDir(t)
  deriveProvisioning('http://127.0.0.1:9999', outDir)
  for (const file of ['prometheus.yaml', 'alertmanager.yaml']) {
    const source = readYaml(PATHS.grafanaDatasources, file)
    for (const datasource of source.datasources) if (datasource.type === 'prometheus') datasource.url = 'http://127.0.0.1:9999'
    t.same(readYaml(outDir, 'datasources', file), source, file)
  }
  const providers = readYaml(PATHS.grafanaDashboardProviders, 'dashboards.yaml')
  t.equal(providers.providers[0].options.path, '/etc/grafana/dashboards')
  providers.providers[0].options.path = PATHS.grafanaDashboards
  t.same(readYaml(outDir, 'dashboards', 'dashboards.yaml'), providers)
})

t.test('findGrafana prefers `grafana server`, falls back to grafana-server, and says undefined without either', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'public'))
  const modern = installFakeGrafana(dir)
  t.same(findGrafana({ PATH: modern }), { command: join(modern, 'grafana'), args: ['server', '--homepath', dir] })
  t.same(findGrafana({ PATH: modern, GRAFANA_HOME: '/opt/grafana' })?.args, ['server', '--homepath', '/opt/grafana'])
  const legacy = installFakeGrafana(tempDir(t), 'grafana-server')
  t.same(findGrafana({ PATH: legacy }), { command: join(legacy, 'grafana-server'), args: ['--homepath', '/usr/share/grafana'] })
  t.equal(findGrafana({ PATH: tempDir(t) }), undefined)
  t.equal(findGrafana({}), undefined)
})

t.test('startGrafana gives Grafana the derived provisioning, the home dashboard and a loopback port', async (t) => {
  const runDir = tempDir(t)
  const port = await freePort()
  const grafana = await startGrafana(findGrafana({ PATH: installFakeGrafana(tempDir(t)) })!, { port, prometheusUrl: 'http://127.0.0.1:1234', runDir })
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
  t.match(readYaml(runDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yaml').datasources, [{ url: 'http://127.0.0.1:1234' }])
})

t.test('a Grafana that exits at start is reported with its log; an aborted start (Ctrl-C) stops it', async (t) => {
  const bin = join(tempDir(t), 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'grafana'), '#!/bin/sh\necho "cannot bind" >&2\nexit 3\n')
  chmodSync(join(bin, 'grafana'), 0o755)
  await t.rejects(startGrafana(findGrafana({ PATH: bin })!, { port: await freePort(), prometheusUrl: 'http://127.0.0.1:1', runDir: tempDir(t) }),
    /grafana exited \(3\) before .*; its log .*grafana\.log ends with:\ncannot bind$/)
  const aborted = { port: await freePort(), prometheusUrl: 'http://127.0.0.1:1', runDir: tempDir(t), signal: AbortSignal.abort('SIGINT') }
  await t.rejects(startGrafana(findGrafana({ PATH: installFakeGrafana(tempDir(t)) })!, aborted), /gave up waiting for .*api\/health answers: SIGINT/)
})
