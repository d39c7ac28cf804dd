import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * The project's podman settings (runtime runc, cgroupfs, ulimits within the machine's limits),
 * named through CONTAINERS_CONF so that the user's global configuration is never touched.
 */
export const CONTAINERS_CONF = fileURLToPath(new URL('../../../scripts/containers/containers.conf', import.meta.url))

/** A setting from the environment (the Makefile passes its variables), else its default. */
export function setting (env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  return env[name] ?? fallback
}

/** The images `make images` builds; the tests run these. */
export const IMAGES = {
  runtime: setting(process.env, 'SERVICE_A_IMAGE', 'localhost/service-a:latest'),
  dev: setting(process.env, 'SERVICE_A_DEV_IMAGE', 'localhost/service-a:dev')
}

/** This process's environment with the project's podman settings. */
export function env (): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF: setting(process.env, 'CONTAINERS_CONF', CONTAINERS_CONF) }
}

/** Runs podman and returns its trimmed stdout; a failure's message holds podman's stderr. */
export async function podman (...args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { env: env(), maxBuffer: 64 * 1024 * 1024 })
  return stdout.trim()
}

/** Runs podman with `input` on stdin (e.g. a tar stream for `exec -i`); resolves with stdout. */
export async function podmanWithInput (input: Buffer, ...args: string[]): Promise<string> {
  const child = spawn('podman', args, { env: env(), stdio: ['pipe', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
  child.stdin.end(input)
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  if (code !== 0) throw new Error(`podman ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString().trim()}`)
  return Buffer.concat(out).toString().trim()
}

/** Removes containers, pods or volumes by name, ignoring those already gone: for teardown. */
export async function remove (kind: 'container' | 'pod' | 'volume', ...names: string[]): Promise<void> {
  await podman(kind, 'rm', '--force', ...names).catch(() => {})
}

/** Fails with the way to fix it when an image the tests need has not been built. */
export async function requireImage (image: string): Promise<void> {
  await podman('image', 'exists', image).catch(() => {
    throw new Error(`image ${image} is missing: run \`make images\` first (make test-containers does)`)
  })
}

/** A name unique to this test run, so that parallel tests and leftovers never collide. */
export function uniqueName (prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
}
