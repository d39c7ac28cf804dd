import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { accessSync, constants, openSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { waitFor } from './http.ts'

/** A long-running child process of the local run or of a test. */
export interface Child {
  name: string
  process: ChildProcess
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>
  /** SIGTERM, then SIGKILL if it has not ended within `graceMs`. */
  stop: (graceMs?: number) => Promise<number | string>
}

export interface StartOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** A file that receives stdout and stderr; the terminal when not given. */
  logFile?: string
}

/**
 * Starts a program in its own process group, so that Ctrl-C in the terminal reaches only the
 * local run, which then stops each child once and in order.
 */
export function startChild (name: string, command: string, args: string[], options: StartOptions = {}): Child {
  const stdio: StdioOptions = options.logFile === undefined
    ? ['ignore', 'inherit', 'inherit']
    : ['ignore', openSync(options.logFile, 'a'), openSync(options.logFile, 'a')]
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio, detached: true })
  // A program that cannot start (ENOENT) emits 'error' and never 'exit'.
  const exited = new Promise<number | string>((resolve, reject) => {
    child.once('exit', (code, signal) => resolve((code ?? signal) as number | string))
    child.once('error', (error) => reject(new Error(`${name}: cannot start ${command}: ${error.message}`)))
  })
  exited.catch(() => {})
  return {
    name,
    process: child,
    exited,
    async stop (graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        try { return await exited } finally { clearTimeout(timer) }
      }
      return await exited
    }
  }
}

/** The absolute path of an executable on PATH, like `command -v`, or undefined. */
export function findExecutable (name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

export interface ReadyOptions {
  timeoutMs: number
  /** Aborts the wait, as Ctrl-C during start-up does. */
  signal?: AbortSignal
  /** Appended to the error when the child exits first. */
  explain?: () => string
}

/**
 * Waits until `check` passes, failing at once if the child exits first; a child that does not
 * become ready is stopped before the error is thrown.
 */
export async function untilReady (child: Child, what: string, check: () => Promise<boolean>, options: ReadyOptions): Promise<void> {
  const gone = new AbortController()
  const signal = options.signal === undefined ? gone.signal : AbortSignal.any([gone.signal, options.signal])
  const ready = waitFor(what, async () => (await check()) ? true : undefined, options.timeoutMs, signal)
  const died = child.exited.then((code) => {
    gone.abort(`${child.name} exited`)
    throw new Error(`${child.name} exited (${code}) before ${what}${options.explain?.() ?? ''}`)
  })
  try {
    await Promise.race([ready, died])
  } catch (error) {
    await child.stop()
    throw error
  }
}
