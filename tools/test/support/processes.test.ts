import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../../src/support/ports.ts'
import { start, startReady, untilReady } from '../../src/support/processes.ts'

const node = process.execPath
const SLEEP = 'setTimeout(() => {}, 30000)'

t.test('untilReady polls a predicate until it passes', async (t) => {
  const child = start(node, ['-e', SLEEP])
  t.teardown(() => child.stop())
  let calls = 0
  await untilReady(child, async () => ++calls >= 3, { timeoutMs: 5_000, intervalMs: 10 })
  t.equal(calls, 3)
})

t.test('startReady waits until a URL answers 2xx on a free loopback port', async (t) => {
  const port = await freePort()
  // Listens only after a delay, so the first checks are refused.
  const server = `setTimeout(() => require('node:http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1'), 300)`
  const child = await startReady(node, ['-e', server], `http://127.0.0.1:${port}/`, { timeoutMs: 10_000, intervalMs: 50 })
  t.teardown(() => child.stop())
  t.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200)
})

t.test('a child that exits first fails the wait at once, with the tail of its output', async (t) => {
  const started = Date.now()
  await t.rejects(startReady(node, ['-e', 'console.log("line one"); console.log("cannot bind"); process.exit(3)'], async () => false, { name: 'quitter', what: 'the port is open', timeoutMs: 20_000 }),
    { message: /^quitter exited \(3\) before the port is open; its output ends with:\nline one\ncannot bind$/ })
  t.ok(Date.now() - started < 10_000, 'long before the timeout')
})

t.test('in file mode the output goes to the log file, which the error names', async (t) => {
  const logFile = join(await mkdtemp(join(tmpdir(), 'processes-')), 'child.log')
  await t.rejects(startReady(node, ['-e', 'console.log("to the log"); process.exit(1)'], async () => false, { output: { file: logFile } }),
    { message: new RegExp(`its log ${logFile} ends with:\\nto the log$`) })
  t.equal(readFileSync(logFile, 'utf8'), 'to the log\n')
})

t.test('a timeout stops the child and says what was awaited', async (t) => {
  const child = start(node, ['-e', SLEEP], { name: 'sleeper' })
  await t.rejects(untilReady(child, async () => false, { timeoutMs: 300, intervalMs: 50, what: 'never' }), { message: /^timed out after 300 ms waiting for never \(last: no answer yet\)$/ })
  t.equal(await child.exited, 'SIGTERM')
})

t.test('an aborted signal cancels the wait and stops the child', async (t) => {
  const child = start(node, ['-e', SLEEP])
  const cancel = new AbortController()
  setTimeout(() => cancel.abort('Ctrl-C'), 200)
  await t.rejects(untilReady(child, async () => false, { signal: cancel.signal, intervalMs: 20 }), { message: /gave up waiting for it is ready: Ctrl-C/ })
  t.equal(await child.exited, 'SIGTERM')
})

t.test('stop() sends SIGTERM, then SIGKILL after the grace to a child that ignores it', async (t) => {
  const child = start(node, ['-e', `process.on("SIGTERM", () => {}); console.log("handler set"); ${SLEEP}`], { graceMs: 200 })
  await untilReady(child, async () => child.output() === 'handler set\n', { intervalMs: 10 })
  t.equal(await child.stop(), 'SIGKILL')
  t.equal(await child.stop(), 'SIGKILL', 'stopping again answers at once')
})

t.test('a program that does not exist rejects exited with a readable error', async (t) => {
  const child = start('no-such-program-here', [])
  await t.rejects(child.exited, { message: /^no-such-program-here: cannot start no-such-program-here: .*ENOENT/ })
})
