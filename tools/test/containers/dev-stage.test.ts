import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { hardeningProblems } from '../../src/containers/hardening.ts'
import { IMAGES, podman } from '../../src/containers/podman.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { PATHS } from '../../src/support/paths.ts'
import { playServiceA } from './helpers.ts'

/**
 * What Skaffold's manual sync does for `src/**\/*.ts` → /app: a tar of the changed files,
 * extracted inside the running container by the container's own user (kubectl exec ... tar).
 */
async function sync (t: Test, container: string, path: string, content: string): Promise<string> {
  const dir = t.testdir()
  await mkdir(dirname(join(dir, path)), { recursive: true })
  await writeFile(join(dir, path), content)
  const { stdout } = await execa('tar', ['-c', '-C', dir, path], { encoding: 'buffer' })
  return await podman(['exec', '--interactive', container, 'tar', '-x', '-m', '-f', '-', '-C', '/app'], Buffer.from(stdout))
}

/** The container's start time and PID 1 on the host: both change when it restarts. */
const incarnation = async (name: string): Promise<string> => await podman(['inspect', '--format', '{{.State.StartedAt}} {{.State.Pid}} {{.RestartCount}}', name])

// What `skaffold dev` deploys (its dev profile: overlays/dev), whose only change is a writable root filesystem.
t.test('a TypeScript file synced into the running dev container changes the answer without a restart', async (t) => {
  const { name, url } = await playServiceA(t, IMAGES.dev, { profile: 'dev' })
  t.same(await hardeningProblems(name), ['can write to its root filesystem'], 'hardened but for the writable root, as overlays/dev says')
  t.same(await fetchJson(`${url}/`), { message: 'Hello, world!' })
  const before = await incarnation(name)
  const original = readFileSync(`${PATHS.serviceA}/src/routes/hello.ts`, 'utf8')
  t.ok(original.includes("'Hello, world!'"), 'src/routes/hello.ts holds the greeting this test changes')
  await sync(t, name, 'src/routes/hello.ts', original.replace("'Hello, world!'", "'Hello, synced world!'"))
  await waitFor('node --watch to reload the synced file', async () => (await fetchJson<{ message: string }>(`${url}/`)).message === 'Hello, synced world!' || undefined, 30_000)
  t.equal(await incarnation(name), before, 'same container start and PID 1: no container restart')
  t.equal(await podman(['exec', name, 'stat', '-c', '%u', '/app/src/routes/hello.ts']), '1000', 'the sync ran as the non-root user')
})

t.test('a sync the container user may not write fails loudly', async (t) => {
  const { name } = await playServiceA(t, IMAGES.dev, { profile: 'dev' })
  await t.rejects(sync(t, name, 'package.json', '{}'), /exit code 2[\s\S]*Cannot open: (Permission denied|File exists)/)
})
