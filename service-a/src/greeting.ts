import { setTimeout as sleep } from 'node:timers/promises'

/** The work behind GET /hello/:name; `delayMs` stands in for a slow dependency (a database, an API). */
export async function greet (name: string, delayMs: number): Promise<string> {
  if (delayMs > 0) await sleep(delayMs)
  return `Hello, ${name}!`
}
