import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import { basename, delimiter, join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { request, waitFor } from './http.ts'

/**
 * Long-running child processes of the local run, the tests and the benchmark; README.md beside
 * this file describes every option. `env` is the whole environment (not merged into this
 * process's); `detached` gives the child a process group of its own, so that Ctrl-C in the
 * terminal reaches only the local run, which stops its children in order.
 */
export interface StartOptions { name?: string, cwd?: string, env?: NodeJS.ProcessEnv, output?: 'pipe' | 'inherit' | { file: string }, detached?: boolean, graceMs?: number }

/** `exited`: the exit code or signal name; `output()`: what is kept of a piped child's output, or its log file. */
export interface Child { name: string, pid: number | undefined, logFile: string | undefined, subprocess: ResultPromise, exited: Promise<number | string>, output: () => string, stop: (signal?: NodeJS.Signals) => Promise<number | string> }

/** What is kept in memory of a piped child's output: enough for an error message. */
const KEPT_BYTES = 65_536

export function start (command: string, args: readonly string[], options: StartOptions = {}): Child {
  const name = options.name ?? basename(command)
  const output = options.output ?? 'pipe'
  const logFile = typeof output === 'object' ? output.file : undefined
  const stdio = logFile === undefined ? output as 'pipe' | 'inherit' : { file: logFile, append: true }
  const subprocess = execa(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: stdio,
    stderr: stdio,
    // Output is read as it comes (below) and by callers; buffering it would grow without end.
    buffer: false,
    reject: false,
    detached: options.detached ?? false,
    forceKillAfterDelay: options.graceMs ?? 10_000
  })
  // Chunks are only queued, never joined, until asked for: a server under load (the
  // benchmark's) can log tens of MB per second.
  const chunks: Buffer[] = []
  let kept = 0
  const keep = (chunk: Buffer): void => {
    chunks.push(chunk)
    kept += chunk.length
    while (kept - chunks[0]!.length >= KEPT_BYTES) kept -= chunks.shift()!.length
  }
  subprocess.stdout?.on('data', keep)
  subprocess.stderr?.on('data', keep)
  let ended = false
  const exited = subprocess.then((result) => {
    ended = true
    if (result.exitCode === undefined && result.signal === undefined) throw new Error(`${name}: cannot start ${command}: ${result.originalMessage ?? result.message}`)
    return result.exitCode ?? result.signal!
  })
  return {
    name,
    pid: subprocess.pid,
    logFile,
    subprocess,
    exited,
    output: () => logFile === undefined ? Buffer.concat(chunks).subarray(-KEPT_BYTES).toString() : existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
    async stop (signal) {
      if (!ended) subprocess.kill(signal)
      return await exited
    }
  }
}

export interface ReadyOptions { timeoutMs?: number, intervalMs?: number, signal?: AbortSignal, what?: string }

/**
 * Waits until `ready` passes (a URL answers a GET with 2xx, or a predicate resolves true), failing at once if the
 * child exits first; a child that does not become ready (timeout, exit, cancel) is stopped, the error ending with its output's tail.
 */
export async function untilReady (child: Child, ready: string | (() => Promise<boolean>), options: ReadyOptions = {}): Promise<void> {
  const what = typeof ready === 'string' ? `${ready} answers` : options.what ?? 'it is ready'
  const check = typeof ready === 'string' ? async () => (await request(ready)).ok : ready
  const gone = new AbortController()
  const signal = options.signal === undefined ? gone.signal : AbortSignal.any([gone.signal, options.signal])
  const passed = waitFor(what, async () => (await check()) || undefined, options.timeoutMs ?? 30_000, signal, options.intervalMs)
  const died = child.exited.then((code) => {
    gone.abort(`${child.name} exited`)
    throw new Error(`${child.name} exited (${code}) before ${what}`)
  })
  try {
    await Promise.race([passed, died])
  } catch (error) {
    await child.stop().catch(() => {})
    const tail = child.output().trimEnd().split('\n').slice(-30).join('\n')
    const source = child.logFile === undefined ? 'its output' : `its log ${child.logFile}`
    const described = tail !== '' ? `; ${source} ends with:\n${tail}` : child.logFile === undefined ? '' : `; ${source} is empty`
    throw new Error((error as Error).message + described, { cause: error })
  } finally {
    gone.abort('ready')
    passed.catch(() => {})
    died.catch(() => {})
  }
}

export async function startReady (command: string, args: readonly string[], ready: string | (() => Promise<boolean>), options: StartOptions & ReadyOptions = {}): Promise<Child> {
  const child = start(command, args, options)
  await untilReady(child, ready, options)
  return child
}

/** The absolute path of an executable on PATH, like `command -v`, or undefined. */
export function findExecutable (name: string, path: string | undefined = process.env.PATH): string | undefined {
  return (path ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find((candidate) => {
    try { accessSync(candidate, constants.X_OK); return true } catch { return false }
  })
}
