import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { parse, parseAllDocuments } from 'yaml'
import { REPO_ROOT, tool } from '../support/paths.ts'
import type { K8sObject } from './objects.ts'

const SKAFFOLD = tool('skaffold')

/** The real Skaffold's stdout. A failure says both streams: Skaffold prints a hook's output, its errors included, on stdout. */
export async function skaffold (args: readonly string[], options: { cwd?: string, env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await execa(SKAFFOLD, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env, reject: false })
  if (result.failed) throw new Error(`skaffold ${args.join(' ')}: ${result.code === 'ENOENT' ? `no ${SKAFFOLD} (run make tools)` : `${result.stderr}\n${result.stdout}`.trim() || result.message}`)
  return result.stdout
}

/** Which config (`file`, `-f`; skaffold.yaml by default) and profile Skaffold runs, in `cwd`. */
interface SkaffoldOptions { profile?: string, file?: string, cwd?: string }
const selection = ({ profile, file }: SkaffoldOptions): string[] => [...profile === undefined ? [] : ['-p', profile], ...file === undefined ? [] : ['-f', file]]

/**
 * What `skaffold run` (or `skaffold dev`, with `profile: 'dev'`) would apply, `tag` set. Written
 * to a file (-o): Skaffold prints a hook's output on its stdout, ahead of the manifests, so
 * `skaffold render > stack.yaml` on a fresh clone is no valid YAML.
 */
export async function skaffoldRender (options: SkaffoldOptions & { tag: string }): Promise<K8sObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'skaffold-render-'))
  try {
    await skaffold(['render', '--offline=true', '--digest-source=tag', '-t', options.tag, '-o', join(dir, 'out.yaml'), ...selection(options)], { cwd: options.cwd })
    return parseObjects(await readFile(join(dir, 'out.yaml'), 'utf8'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** skaffold.yaml as Skaffold runs it (`skaffold diagnose --yaml-only`): the profile applied, paths resolved. */
export async function skaffoldConfig<Config = Record<string, unknown>> (options: SkaffoldOptions = {}): Promise<Config> {
  return parse(await skaffold(['diagnose', '--yaml-only', ...selection(options)], { cwd: options.cwd })) as Config
}

/** `kubectl kustomize DIR` as plain data, unknown fields included; first, like Skaffold's render hook, the git-ignored Grafana admin env file. */
export async function render (dir: string): Promise<K8sObject[]> {
  await execa('bash', ['scripts/grafana-admin-secret.sh'], { cwd: REPO_ROOT })
  return parseObjects((await execa(tool('kubectl'), ['kustomize', dir], { cwd: REPO_ROOT })).stdout)
}

export function parseObjects (text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(document.errors[0]!.message)
    return (document.toJS() as K8sObject | null) ?? []
  })
}
