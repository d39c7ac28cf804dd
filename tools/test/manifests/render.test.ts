import { execFile } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { KUSTOMIZE_ROOTS, parseObjects, REPO_ROOT, render } from '../../src/manifests/render.ts'
import { rendered } from './fixtures.ts'

const run = promisify(execFile)

t.test('every kustomize root renders offline, the stack with its 18 objects', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) {
    const objects = await rendered(dir)
    t.ok(objects.length > 0, `${dir} renders objects`)
  }
  const stack = await rendered('k8s')
  t.equal(stack.length, 18)
  t.same(new Set(stack.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace)), new Set(['metrics-stack']))
})

t.test('the generated names carry the content hash that rolls the pods', async (t) => {
  const names = (await rendered('k8s')).filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => o.metadata.name)
  t.equal(names.length, 6)
  for (const name of names) t.match(name, /-[a-z0-9]{10}$/)
})

t.test('a folder without a kustomization fails to render', async (t) => {
  await t.rejects(render('tools'), /kustomization/i)
})

t.test('parseObjects skips empty documents and throws on broken YAML', async (t) => {
  t.same(parseObjects('---\n---\nkind: A\n'), [{ kind: 'A' }])
  t.throws(() => parseObjects('a: [1\n'))
})

t.test('the Grafana admin Secret comes from the git-ignored file with a random password', async (t) => {
  const secret = (await rendered('grafana')).find((o) => o.kind === 'Secret')!
  const password = Buffer.from(secret.data['admin-password'], 'base64').toString()
  t.equal(password, parse(await readFile(join(REPO_ROOT, 'grafana/grafana-admin.secret.env'), 'utf8')))
  t.match(password, /^[A-Za-z0-9]{20,}$/)
})

t.test('the secret script creates a missing file once and keeps an existing one', async (t) => {
  const file = join(t.testdir(), 'admin.secret.env')
  const script = join(REPO_ROOT, 'scripts/grafana-admin-secret.sh')
  await run('bash', [script, file])
  const first = await readFile(file, 'utf8')
  t.match(first, /^admin-user=admin\nadmin-password=[A-Za-z0-9]{20,}\n$/)
  t.equal((await stat(file)).mode & 0o777, 0o600, 'readable by its owner only')
  await run('bash', [script, file])
  t.equal(await readFile(file, 'utf8'), first, 'kept: Grafana stores the first password in its database')
  const other = join(t.testdir(), 'other.secret.env')
  await run('bash', [script, other])
  t.not(await readFile(other, 'utf8'), first, 'each file gets its own password')
})

/** The password line of an env file. */
function parse (env: string): string | undefined {
  return /^admin-password=(.*)$/m.exec(env)?.[1]
}
