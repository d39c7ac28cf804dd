import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { skaffold } from '../manifests/render.ts'
import { startReady } from '../support/processes.ts'
import { PODMAN_ENV, podman } from './podman.ts'

/** Storage-only containers (`podman ps --external`): what a build leaves when told to keep its intermediate ones. */
const storageContainers = async (): Promise<string[]> =>
  (JSON.parse(await podman(['ps', '--all', '--external', '--format', 'json'])) as Array<{ Id: string, State: string }>).filter((c) => c.State === 'storage').map((c) => c.Id)

/**
 * The real `skaffold build --push=false` through podman's Docker-compatible API on a private
 * socket (no Docker engine here). `build` builds the artifacts tagged `tag` (the dev profile:
 * service-a's dev stage and the load generator) and returns the images' local names, service-a's first: a Docker API names an
 * unqualified image as Docker does, docker.io/library/NAME:TAG. `stop` ends the API by its PID.
 */
export async function startSkaffoldBuilder (): Promise<{ build: (options: { tag: string, profile?: string }) => Promise<string[]>, stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'skaffold-build-'))
  const socket = join(dir, 'podman.sock')
  const api = await startReady('podman', ['system', 'service', '--time=0', `unix://${socket}`], async () => existsSync(socket),
    { name: 'podman system service', env: { ...process.env, ...PODMAN_ENV }, what: `${socket} to exist` })
  const build = async ({ tag, profile }: { tag: string, profile?: string }): Promise<string[]> => {
    const before = new Set(await storageContainers())
    try {
      // The artifact cache is /dev/null, so that every build reaches the builder (turning the
      // cache off instead makes Skaffold prune the artifact's older images: SkaffoldOptions.Prune).
      await skaffold(['build', '--push=false', '--cache-file=/dev/null', `--file-output=${dir}/build.json`, '-t', tag, ...profile === undefined ? [] : ['-p', profile]],
        { env: { ...process.env, DOCKER_HOST: `unix://${socket}` } })
      const builds = (JSON.parse(readFileSync(`${dir}/build.json`, 'utf8')) as { builds: Array<{ imageName: string, tag: string }> }).builds
      // Skaffold also tags each local build with its image ID (for its own deploys): none pile up.
      for (const built of builds) await podman(['untag', `docker.io/library/${built.tag}`, `docker.io/library/${built.tag}`])
      return builds.map((built) => `docker.io/library/${built.imageName}:${tag}`)
    } finally {
      // Skaffold asks for `rm=0&forcerm=1` (Docker: forcerm wins, nothing is kept); podman 4.3's
      // Docker API keeps one storage-only container per stage. Those of this build are removed.
      const left = (await storageContainers()).filter((id) => !before.has(id))
      if (left.length > 0) await podman(['rm', '--force', ...left])
    }
  }
  return {
    build,
    stop: async () => {
      await api.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
