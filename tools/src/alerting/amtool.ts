import { execa } from 'execa'

/** What an amtool run printed and how it ended. */
export interface AmtoolResult {
  exitCode: number
  stdout: string
  /** stdout and stderr interleaved, for messages. */
  output: string
}

/** Runs `amtool ARGS` (never throwing for a non-zero exit: callers assert on it). */
export async function amtool (binary: string, args: readonly string[]): Promise<AmtoolResult> {
  const result = await execa(binary, args, { reject: false, all: true, timeout: 30_000 })
  if (result.exitCode === undefined) throw new Error(`${binary} ${args.join(' ')} did not run: ${result.message}`)
  return { exitCode: result.exitCode, stdout: result.stdout, output: result.all }
}

/** `amtool check-config FILE`: loads and validates the config as Alertmanager would. */
export async function checkConfig (binary: string, file: string): Promise<AmtoolResult> {
  return await amtool(binary, ['check-config', file])
}

/**
 * `amtool config routes test`: the receivers the labels are routed to, comma-separated in
 * route order, as amtool prints them.
 */
export async function routeReceivers (binary: string, file: string, labels: Record<string, string>): Promise<string> {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`)
  const result = await amtool(binary, ['config', 'routes', 'test', `--config.file=${file}`, ...pairs])
  if (result.exitCode !== 0) throw new Error(`amtool config routes test ${pairs.join(' ')} failed: ${result.output}`)
  // stdout only: amtool warns on stderr that the config file overrides --alertmanager.url.
  return result.stdout.trim()
}
