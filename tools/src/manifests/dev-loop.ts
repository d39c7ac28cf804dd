import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { parse } from 'yaml'
import { describe, podTemplates, type K8sObject } from './objects.ts'
import { withProfile, type SkaffoldConfig } from './skaffold.ts'

/**
 * What makes `skaffold dev` restartable at once. On exit it deletes every object it rendered
 * (its default --cleanup): a Namespace among them takes its claims and their data along and is
 * still terminating when the next `skaffold dev` applies into it.
 */

/** The longest grace period a pod of the dev overlay may have: a restart waits for no more. */
export const DEV_MAX_GRACE_SECONDS = 30

/** The rendered dev overlay: no Namespace, no claim, no pod that needs one, short grace periods. */
export function checkDevOverlay (objects: readonly K8sObject[]): string[] {
  const errors: string[] = []
  for (const object of objects) {
    if (object.kind === 'Namespace') errors.push(`${describe(object)}: skaffold dev would delete it on exit; the dev profile's before-deploy hook applies it instead`)
    if (object.kind === 'PersistentVolumeClaim') errors.push(`${describe(object)}: skaffold dev would delete it, and its data, on exit`)
  }
  for (const { owner, spec } of podTemplates(objects)) {
    for (const volume of spec.volumes ?? []) {
      if (volume.persistentVolumeClaim !== undefined) {
        errors.push(`${describe(owner)}: volume ${volume.name} mounts claim ${volume.persistentVolumeClaim.claimName as string}; add the Deployment to overlays/dev's emptyDir patch`)
      }
    }
    // The Kubernetes default when the field is unset.
    const grace = spec.terminationGracePeriodSeconds ?? 30
    if (grace > DEV_MAX_GRACE_SECONDS) errors.push(`${describe(owner)}: terminationGracePeriodSeconds ${grace as number} exceeds ${DEV_MAX_GRACE_SECONDS} s in the dev loop`)
  }
  return errors
}

/** A host hook of skaffold.yaml (render or deploy phase). */
export interface HostHook { command: string[], os?: string[], dir?: string }

interface Hooks { before?: Array<{ host?: HostHook }>, after?: Array<{ host?: HostHook }> }

/** Every host hook of a config, named by where it sits. */
export function hostHooks (config: SkaffoldConfig): Array<{ where: string, hook: HostHook }> {
  const sources: Array<[string, Hooks | undefined]> = [
    ['manifests.hooks', config.manifests?.hooks as Hooks | undefined],
    ['deploy.kubectl.hooks', (config['deploy'] as { kubectl?: { hooks?: Hooks } } | undefined)?.kubectl?.hooks]
  ]
  return sources.flatMap(([where, hooks]) => (['before', 'after'] as const).flatMap((phase) =>
    (hooks?.[phase] ?? []).flatMap((item, i) => item.host === undefined ? [] : [{ where: `${where}.${phase}[${i}]`, hook: item.host }])))
}

/**
 * The folder a hook runs in: its `dir` resolved against the folder of skaffold.yaml, as
 * Skaffold does for an imported config (HostHook.Dir is a `skaffold:"filepath"` field); without
 * `dir`, the working directory of whoever called skaffold.
 */
export function hookDir (hook: HostHook, configDir: string, callerDir: string): string {
  if (hook.dir === undefined || hook.dir === '') return callerDir
  return isAbsolute(hook.dir) ? hook.dir : resolve(configDir, hook.dir)
}

/**
 * skaffold.yaml's side of the dev loop and of remote clusters: nothing stops pushes, every
 * host hook names its `dir`, and the dev profile applies the Namespace before each deploy.
 */
export function checkSkaffoldDevLoop (config: SkaffoldConfig, configDir: string, devNamespace: string | undefined): string[] {
  const errors: string[] = []
  const local = (config['build'] as { local?: { push?: boolean } } | undefined)?.local
  if (local?.push === false) errors.push('skaffold.yaml build.local.push: false never pushes, so a remote cluster cannot pull service-a (Skaffold already skips pushes to local clusters)')
  const dev = withProfile(config, 'dev')
  for (const [name, profile] of [['skaffold.yaml', config], ['skaffold.yaml (dev profile)', dev]] as const) {
    for (const { where, hook } of hostHooks(profile)) {
      if (hook.dir === undefined) errors.push(`${name} ${where}: no dir, so the hook runs in the caller's working directory`)
    }
  }
  const applied = hostHooks(dev)
    .filter(({ where }) => where.startsWith('deploy.kubectl.hooks.before'))
    .flatMap(({ hook }) => hook.command.flatMap((word) => word.split(/\s+/)).map((word) => join(hookDir(hook, configDir, configDir), word)))
    .filter((path) => /\.ya?ml$/.test(path) && existsSync(path))
    .map((path) => parse(readFileSync(path, 'utf8')) as K8sObject)
  if (!applied.some((o) => o?.kind === 'Namespace' && o.metadata.name === devNamespace)) {
    errors.push(`skaffold.yaml (dev profile): no before-deploy hook applies Namespace ${devNamespace ?? '(none)'}, which overlays/dev leaves out`)
  }
  return errors
}
