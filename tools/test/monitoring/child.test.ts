import t from 'tap'
import { startChild, untilReady } from '../../src/monitoring/child.ts'

const node = process.execPath

t.test('untilReady polls until the check passes', async (t) => {
  const child = startChild('sleeper', node, ['-e', 'setTimeout(() => {}, 30000)'])
  t.teardown(() => child.stop())
  let calls = 0
  await untilReady(child, 'the third call', async () => ++calls >= 3, { timeoutMs: 5_000 })
  t.equal(calls, 3)
})

t.test('stop() sends SIGTERM, then SIGKILL to a child that ignores it', async (t) => {
  const child = startChild('stubborn', node, ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 30000)'])
  await untilReady(child, 'its SIGTERM handler', async () => true, { timeoutMs: 1_000 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(await child.stop(200), 'SIGKILL')
  t.equal(await child.stop(), 'SIGKILL', 'stopping again answers at once')
})
