import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { settingsFromEnv } from '../../src/local-run/settings.ts'
import { freePort } from '../../src/support/ports.ts'
import { request } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { tempDir } from './helpers.ts'

// `make run`'s entry point as a user meets it: started as a process, stopped with Ctrl-C.

const MAIN = join(REPO_ROOT, 'tools/src/local-run/main.ts')

interface Run { output: () => string, exited: Promise<number | null>, ports: { service: number, prometheus: number }, pid: number }

async function startRun (t: Test, env: Record<string, string> = {}): Promise<Run> {
  const ports = { service: await freePort(), prometheus: await freePort() }
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      SERVICE_PORT: String(ports.service),
      PROMETHEUS_PORT: String(ports.prometheus),
      GRAFANA_PORT: String(await freePort()),
      RUN_DIR: tempDir(t),
      PATH: process.env.PATH!.split(':').filter((dir) => !/grafana/.test(dir)).join(':'),
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (data: Buffer) => { output += data.toString() })
  child.stderr.on('data', (data: Buffer) => { output += data.toString() })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGTERM') })
  return { output: () => output, exited, ports, pid: child.pid! }
}

async function until (run: Run, text: string): Promise<void> {
  for (let i = 0; i < 600 && !run.output().includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  if (!run.output().includes(text)) throw new Error(`no "${text}" in:\n${run.output()}`)
}

async function listening (port: number): Promise<boolean> {
  return await request(`http://127.0.0.1:${port}/`).then(() => true, () => false)
}

/** The pid of the running program whose command line contains `text`, from /proc. */
function pidOf (text: string): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) return Number(pid)
    } catch {}
  }
  throw new Error(`no process runs with ${text}`)
}

t.test('Ctrl-C stops service-a and Prometheus, and the run exits 0', async (t) => {
  const run = await startRun(t)
  await until(run, 'Ready.')
  t.match(run.output(), /Grafana: no grafana binary on PATH/)
  t.ok(await listening(run.ports.service))
  t.ok(await listening(run.ports.prometheus))
  process.kill(run.pid, 'SIGINT')
  t.equal(await run.exited, 0)
  t.match(run.output(), /Stopping…\n[\s\S]*Stopped\.\n/)
  t.notOk(await listening(run.ports.service), 'service-a is gone')
  t.notOk(await listening(run.ports.prometheus), 'Prometheus is gone')
})

t.test('Ctrl-C during start-up stops what had started', async (t) => {
  const run = await startRun(t)
  await until(run, 'service-a ')
  process.kill(run.pid, 'SIGINT')
  t.equal(await run.exited, 0)
  t.notOk(await listening(run.ports.service))
  t.notOk(await listening(run.ports.prometheus))
})

t.test('when one part dies the run stops the rest and exits 1', async (t) => {
  const run = await startRun(t)
  await until(run, 'Ready.')
  process.kill(pidOf(`--web.listen-address=127.0.0.1:${run.ports.prometheus}`), 'SIGKILL')
  t.equal(await run.exited, 1)
  t.match(run.output(), /prometheus exited \(SIGKILL\); stopping the rest\./)
  t.notOk(await listening(run.ports.service))
})

t.test('a port already in use stops the run with the reason', async (t) => {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const run = await startRun(t, { SERVICE_PORT: String((server.address() as { port: number }).port) })
  t.equal(await run.exited, 1)
  t.match(run.output(), /make run: service-a exited \(1\) before .*readyz answers/)
})

t.test('a bad setting stops the run with one line naming it', async (t) => {
  const run = await startRun(t, { SERVICE_PORT: 'ninety' })
  t.equal(await run.exited, 1)
  t.equal(run.output(), 'make run: SERVICE_PORT must be a TCP port (1-65535), not "ninety"\n')
})

t.test('settings default to the port-forward ports and a .run folder in the checkout', async (t) => {
  t.same(settingsFromEnv({}), { servicePort: 9000, prometheusPort: 9090, grafanaPort: 3000, runDir: PATHS.runDir })
  t.same(settingsFromEnv({ SERVICE_PORT: '1', PROMETHEUS_PORT: '65535', GRAFANA_PORT: '', RUN_DIR: 'tmp/run' }),
    { servicePort: 1, prometheusPort: 65535, grafanaPort: 3000, runDir: join(REPO_ROOT, 'tmp/run') })
  t.equal(settingsFromEnv({ RUN_DIR: '/var/run' }).runDir, '/var/run')
  t.throws(() => settingsFromEnv({ PROMETHEUS_PORT: '70000' }), /PROMETHEUS_PORT must be a TCP port/)
  t.throws(() => settingsFromEnv({ GRAFANA_PORT: '1.5' }), /GRAFANA_PORT must be a TCP port/)
})
