import { settingsFromEnv, startLocalStack } from './stack.ts'

/**
 * `make run`: the stack without a cluster until Ctrl-C or SIGTERM, which stop every part in
 * order, also during start-up. Exits 1 when a part cannot start or dies on its own. Once ready,
 * the terminal stays quiet but for the parts' warnings and errors; their logs are in the run folder.
 */
async function main (): Promise<number> {
  const interrupted = new AbortController()
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => interrupted.abort(name))
  const stopped = new Promise<number>((resolve) => interrupted.signal.addEventListener('abort', () => resolve(0)))
  // Interrupted during start-up: what had started is stopped, and that is a clean exit.
  const settings = settingsFromEnv(process.env)
  const stack = await startLocalStack({ ...settings, signal: interrupted.signal }).catch((error: unknown) => { if (!interrupted.signal.aborted) throw error })
  if (stack === undefined) return 0
  console.log(`Ready. Logs in ${settings.runDir}; from now on only warnings and errors show here. \`make smoke\` checks the stack; Ctrl-C stops everything.`)
  let stopping = false
  const died = Promise.race(stack.children.map(async (child) => {
    const code = await child.exited
    if (!stopping) console.error(`${child.name} exited (${code}); stopping the rest.`)
    return 1
  }))
  const status = await Promise.race([stopped, died])
  stopping = true
  console.log('Stopping…')
  await stack.stop()
  console.log('Stopped.')
  return status
}

main().then((status) => { process.exitCode = status }, (error: unknown) => {
  console.error(`make run: ${(error as Error).message}`)
  process.exitCode = 1
})
