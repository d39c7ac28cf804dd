import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../src/support/ports.ts'
import { start, startReady, untilReady, type ReadyOptions, type StartOptions } from '../../src/support/processes.ts'

const node = process.execPath
const SLEEP = 'setTimeout(() => {}, 30000)'

t.test('untilReady polls a predicate until it passes, or a URL until it answers 2xx', async (t) => {
  const sleeper = start(node, ['-e', SLEEP])
  t.teardown(() => sleeper.stop())
  let calls = 0
  await untilReady(sleeper, async () => ++calls >= 3, { timeoutMs: 5_000, intervalMs: 10 })
  t.equal(calls, 3)
  const port = await freePort()
  // Listens only after a delay, so the first checks are refused.
  const server = `setTimeout(() => require('node:http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1'), 300)`
  const child = await startReady(node, ['-e', server], `http://127.0.0.1:${port}/`, { timeoutMs: 10_000, intervalMs: 50 })
  t.teardown(() => child.stop())
  t.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200)
})

t.test('a child that does not become ready is stopped, and the error says why, with the tail of its output', async (t) => {
  const logFile = join(t.testdir(), 'child.log')
  const cancel = new AbortController()
  setTimeout(() => cancel.abort('Ctrl-C'), 200)
  const cases: Array<[string, string, StartOptions & ReadyOptions, RegExp, number | string]> = [
    // First: the cancel comes 200 ms after the table is made.
    ['is cancelled', SLEEP, { signal: cancel.signal, intervalMs: 20 }, /gave up waiting for it is ready: Ctrl-C/, 'SIGTERM'],
    ['exits first', 'console.log("line one"); console.log("cannot bind"); process.exit(3)', { name: 'quitter', what: 'the port is open', timeoutMs: 20_000 },
      /^quitter exited \(3\) before the port is open; its output ends with:\nline one\ncannot bind$/, 3],
    ['exits first, in file mode', 'console.log("to the log"); process.exit(1)', { output: { file: logFile } }, new RegExp(`its log ${logFile} ends with:\\nto the log$`), 1],
    ['times out', SLEEP, { timeoutMs: 300, intervalMs: 50, what: 'never' }, /^timed out after 300 ms waiting for never \(last: no answer yet\)$/, 'SIGTERM']
  ]
  for (const [name, script, options, message, exit] of cases) {
    const started = Date.now()
    const child = start(node, ['-e', script], options)
    await t.rejects(untilReady(child, async () => false, options), { message }, name)
    t.equal(await child.exited, exit, `${name}: ${exit}`)
    t.ok(Date.now() - started < 10_000, `${name}: long before any generous timeout`)
  }
  t.equal(readFileSync(logFile, 'utf8'), 'to the log\n')
})

t.test('stop() sends SIGTERM, then SIGKILL after the grace to a child that ignores it', async (t) => {
  const child = start(node, ['-e', `process.on("SIGTERM", () => {}); console.log("handler set"); ${SLEEP}`], { graceMs: 200 })
  await untilReady(child, async () => child.output() === 'handler set\n', { intervalMs: 10 })
  t.equal(await child.stop(), 'SIGKILL')
  t.equal(await child.stop(), 'SIGKILL', 'stopping again answers at once')
})

t.test('a program that does not exist rejects exited with a readable error', async (t) => {
  await t.rejects(start('no-such-program-here', []).exited, { message: /^no-such-program-here: cannot start no-such-program-here: .*ENOENT/ })
})
