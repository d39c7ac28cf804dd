import { setTimeout as sleep } from 'node:timers/promises'

/** fetch that gives up after 5 s (a hung server is a failure too); it throws only when nothing answers at all (refused, timed out, unknown host). */
export async function request (url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(5_000), ...init })
  } catch (error) {
    throw new Error(`${url} is not reachable: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`)
  }
}

/** GET (or POST a form) and parse JSON; a non-2xx status or a body that is not JSON throws too. */
export async function fetchJson<T> (url: string, init: RequestInit = {}): Promise<T> {
  const response = await request(url, init)
  const text = await response.text()
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`)
  try {
    return JSON.parse(text) as T
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`)
  }
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined (a throw counts as not
 * yet, and its message goes into the timeout error); throws after `timeoutMs` or once `signal` aborts.
 */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined>, timeoutMs: number, signal?: AbortSignal, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer yet'
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = (error as Error).message
    }
    if (signal?.aborted === true) throw new Error(`gave up waiting for ${what}: ${String(signal.reason)}`)
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`)
    await sleep(intervalMs)
  }
}
