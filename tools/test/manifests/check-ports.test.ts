import { createServer } from 'node:net'
import { execa } from 'execa'
import t from 'tap'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { freePort } from '../../src/support/ports.ts'

const checkPorts = async (...ports: number[]): Promise<{ exitCode?: number, stderr: string }> => await execa('bash', [`${REPO_ROOT}scripts/check-ports.sh`, ...ports.map(String)], { reject: false })

t.test('a taken port fails the check, naming the process and its pid; free ports pass; without arguments it checks skaffold.yaml\'s localPorts', async (t) => {
  const [port, free] = [await freePort(), await freePort()]
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const taken = await checkPorts(free, port)
  t.equal(taken.exitCode, 1)
  t.match(taken.stderr, new RegExp(`localhost:${port} is taken by pid ${process.pid}: \\S*node `))
  t.notMatch(taken.stderr, `localhost:${free}`)
  t.match((await checkPorts(free)).stderr, /ports \d+ are free/)
  for (const local of ['9000', '9090', '3000']) t.match((await checkPorts()).stderr, local)
})

t.test('make dev checks the ports before it starts skaffold', async (t) => {
  const lines = (await execa('make', ['-n', '--no-print-directory', 'dev', 'GRAFANA_SECRET_FILE=/dev/null'], { cwd: REPO_ROOT })).stdout.split('\n')
  const check = lines.findIndex((l) => l.includes('scripts/check-ports.sh'))
  t.ok(check >= 0 && check < lines.findIndex((l) => l.startsWith('skaffold dev')), lines.join('\n'))
})
