import { accessSync, constants, readFileSync } from 'node:fs'
import { basename, delimiter, join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { request, waitFor } from './http.ts'

/**
 * Long-running child processes of the local run, the tests and the benchmark: start one, wait
 * until it is ready (failing at once, with the tail of its output, when it exits first), stop it.
 */

export interface StartOptions {
  /** Names the process in messages; the command's base name by default. */
  name?: string
  cwd?: string
  /** The whole environment (not merged into this process's); process.env by default. */
  env?: NodeJS.ProcessEnv
  /**
   * Where stdout and stderr go: kept in memory (the default; their tail goes into errors),
   * appended to a file, or this process's terminal.
   */
  output?: 'pipe' | 'inherit' | { file: string }
  /**
   * Its own process group, so that Ctrl-C in the terminal reaches only this process, which then
   * stops its children once and in order (the local run).
   */
  detached?: boolean
  /** How long stop() waits after SIGTERM before it sends SIGKILL; 10 s by default. */
  graceMs?: number
}

export interface Child {
  name: string
  pid: number | undefined
  /** The file its output goes to, in file mode. */
  logFile: string | undefined
  /** execa's subprocess: its stdout is a stream to read in 'pipe' mode. */
  subprocess: ResultPromise
  /** Resolves with the exit code, or the signal's name, once the process has ended. */
  exited: Promise<number | string>
  /** What it printed: the last 64 KiB in 'pipe' mode, its log file in file mode, '' in 'inherit' mode. */
  output: () => string
  /** SIGTERM (SIGKILL after the grace), or `signal`; resolves like `exited`. */
  stop: (signal?: NodeJS.Signals) => Promise<number | string>
}

/** What is kept in memory of a piped child's output: enough for an error message. */
const KEPT_BYTES = 65_536

/** Starts `command` without waiting; a command that cannot start makes `exited` reject. */
export function start (command: string, args: readonly string[], options: StartOptions = {}): Child {
  const name = options.name ?? basename(command)
  const output = options.output ?? 'pipe'
  const stdio = typeof output === 'object' ? { file: output.file, append: true } : output
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
  const kept = keepTail()
  subprocess.stdout?.on('data', kept.add)
  subprocess.stderr?.on('data', kept.add)
  const exited = subprocess.then((result) => {
    if (result.exitCode !== undefined) return result.exitCode
    if (result.signal !== undefined) return result.signal
    throw new Error(`${name}: cannot start ${command}: ${result.originalMessage ?? result.message}`)
  })
  let ended = false
  exited.then(() => { ended = true }, () => { ended = true })
  return {
    name,
    pid: subprocess.pid,
    logFile: typeof output === 'object' ? output.file : undefined,
    subprocess,
    exited,
    output: () => typeof output === 'object' ? readIfExists(output.file) : kept.text(),
    async stop (signal) {
      if (!ended) subprocess.kill(signal)
      return await exited
    }
  }
}

export interface ReadyOptions {
  /** 30 s by default. */
  timeoutMs?: number
  /** Between two checks; 250 ms by default. */
  intervalMs?: number
  /** Cancels the wait, as Ctrl-C during start-up does. */
  signal?: AbortSignal
  /** Names the readiness check in messages when it is a predicate. */
  what?: string
}

/** A URL that must answer a GET with a 2xx status, or a predicate that must resolve true. */
export type ReadyCheck = string | (() => Promise<boolean>)

/**
 * Waits until `ready` passes, failing at once if the child exits first; a child that does not
 * become ready (timeout, exit, cancel) is stopped, and the error ends with its output's tail.
 */
export async function untilReady (child: Child, ready: ReadyCheck, options: ReadyOptions = {}): Promise<void> {
  const what = typeof ready === 'string' ? `${ready} answers` : options.what ?? 'it is ready'
  const check = typeof ready === 'string' ? async () => (await request(ready)).ok : ready
  const gone = new AbortController()
  const signal = options.signal === undefined ? gone.signal : AbortSignal.any([gone.signal, options.signal])
  const passed = waitFor(what, async () => (await check()) ? true : undefined, options.timeoutMs ?? 30_000, signal, options.intervalMs)
  const died = child.exited.then((code) => {
    gone.abort(`${child.name} exited`)
    throw new Error(`${child.name} exited (${code}) before ${what}`)
  })
  try {
    await Promise.race([passed, died])
  } catch (error) {
    await child.stop().catch(() => {})
    throw new Error((error as Error).message + describeTail(child), { cause: error })
  } finally {
    gone.abort('ready')
    passed.catch(() => {})
    died.catch(() => {})
  }
}

/** start() and then untilReady(): the child once it is ready. */
export async function startReady (command: string, args: readonly string[], ready: ReadyCheck, options: StartOptions & ReadyOptions = {}): Promise<Child> {
  const child = start(command, args, options)
  await untilReady(child, ready, options)
  return child
}

/** The absolute path of an executable on PATH, like `command -v`, or undefined. */
export function findExecutable (name: string, path: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** The end of what a child printed, for an error message; '' when it printed nothing. */
function describeTail (child: Child, lines = 30): string {
  const tail = child.output().trimEnd().split('\n').slice(-lines).join('\n')
  const source = child.logFile === undefined ? 'its output' : `its log ${child.logFile}`
  if (tail === '') return child.logFile === undefined ? '' : `; ${source} is empty`
  return `; ${source} ends with:\n${tail}`
}

/**
 * The last KEPT_BYTES of a stream of chunks. Chunks are only queued here, never joined, since
 * a server under load (the benchmark's) can log tens of MB per second.
 */
function keepTail (): { add: (chunk: Buffer) => void, text: () => string } {
  const chunks: Buffer[] = []
  let size = 0
  return {
    add: (chunk) => {
      chunks.push(chunk)
      size += chunk.length
      while (size - chunks[0]!.length >= KEPT_BYTES) size -= chunks.shift()!.length
    },
    text: () => Buffer.concat(chunks).subarray(-KEPT_BYTES).toString()
  }
}

function readIfExists (file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
