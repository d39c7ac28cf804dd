import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { Agent, get } from 'node:http'
import { createServer, connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url))

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams
  url: string
  port: number
  /** Every JSON line the process wrote to stdout so far. */
  logs: Array<Record<string, unknown>>
  stderr: () => string
  exited: Promise<number | null>
}

export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

/** Runs src/server.ts as its own process on a free loopback port; killed at teardown if still alive. */
export async function startServer (t: Test, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    // process.env carries tap's coverage hooks into the child.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env }
  })
  // 'close', not 'exit': only then has all of the child's output been read.
  const exited = once(child, 'close').then(([code]) => code as number | null)
  // SIGTERM, not SIGKILL: the child must live to write its coverage report.
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  })
  const logs: Array<Record<string, unknown>> = []
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) logs.push(JSON.parse(line) as Record<string, unknown>)
  })
  const url = `http://127.0.0.1:${port}`
  // Polls rather than waiting for the "listening" log line, which a quieter LOG_LEVEL hides.
  while (!(await fetch(`${url}/healthz`).then((response) => response.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return { child, url, port, logs, stderr: () => stderr, exited }
}

/** Sends raw bytes and returns everything the server answers until it closes the connection. */
export async function rawRequest (port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.write(bytes)
  let answer = ''
  socket.on('data', (chunk: Buffer) => { answer += chunk.toString() })
  await once(socket, 'close')
  return answer
}

/** GETs every path over a few keep-alive connections and returns the status codes. */
export async function getAll (port: number, paths: string[], connections: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const statuses: number[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++]!
      statuses.push(await new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path, agent }, (response) => {
          response.resume().on('end', () => resolve(response.statusCode!))
        }).on('error', reject)
      }))
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
  agent.destroy()
  return statuses
}
