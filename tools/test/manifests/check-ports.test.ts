import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { REPO_ROOT } from '../../src/manifests/render.ts'
import { freePort } from '../../src/support/ports.ts'

const run = promisify(execFile)
const script = join(REPO_ROOT, 'scripts/check-ports.sh')

t.test('a taken port fails the check, naming the process and its pid', async (t) => {
  const server = createServer()
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const free = await freePort()
  const failure = await run('bash', [script, String(free), String(port)]).then(() => undefined, (error: { code: number, stderr: string }) => error)
  t.equal(failure?.code, 1)
  t.match(failure?.stderr, new RegExp(`localhost:${port} is taken by pid ${process.pid}: \\S*node `))
  t.notMatch(failure?.stderr, `localhost:${free}`)
})

t.test('free ports pass; without arguments it checks every localPort of skaffold.yaml', async (t) => {
  const { stderr } = await run('bash', [script, String(await freePort())])
  t.match(stderr, /ports \d+ are free/)
  const all = await run('bash', [script]).then(({ stderr }) => stderr, (error: { stderr: string }) => error.stderr)
  t.match(all, /9000/)
  t.match(all, /9090/)
  t.match(all, /3000/)
})

t.test('make dev checks the ports before it starts skaffold', async (t) => {
  const { stdout } = await run('make', ['-n', '--no-print-directory', 'dev', 'GRAFANA_SECRET_FILE=/dev/null'], { cwd: REPO_ROOT })
  const lines = stdout.split('\n')
  const check = lines.findIndex((l) => l.includes('scripts/check-ports.sh'))
  t.ok(check >= 0 && check < lines.findIndex((l) => l.startsWith('skaffold dev')), stdout)
})
