import { execa } from 'execa'
import { REPO_ROOT } from '../support/paths.ts'

/**
 * podman with the project's settings (runtime runc, cgroupfs, ulimits within the machine's
 * limits), named through CONTAINERS_CONF so that the user's global configuration is never read.
 */
export const PODMAN_ENV = { CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? `${REPO_ROOT}hack/offline-workarounds/containers.conf` }

/** The images `make images` has Skaffold build (the Makefile passes their names); the tests run these. */
export const IMAGES = {
  runtime: process.env.SERVICE_A_IMAGE ?? 'docker.io/library/service-a:latest',
  dev: process.env.SERVICE_A_DEV_IMAGE ?? 'docker.io/library/service-a:dev'
}

/** podman's stdout, trimmed; a failure's message holds its stderr. `input` is its stdin. */
export async function podman (args: string[], input?: Buffer): Promise<string> {
  return (await execa('podman', args, { env: PODMAN_ENV, input, maxBuffer: 64 * 1024 * 1024 })).stdout.trim()
}

/** A name unique to this test run, so that parallel runs and leftovers never collide. */
export const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
