import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'

/** Level names that mean a warning or worse, as slog, logfmt, zap and pino spell them. */
const NOTABLE = /^(warn|warning|error|err|crit|critical|alert|emerg|fatal|panic|dpanic)$/i
const PINO_LEVELS: Record<number, string> = { 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
/** Found without parsing the line: a busy access log is mostly lines to skip. */
const JSON_LEVEL = /"level":\s*(?:(\d+)|"(\w+)")/
const TEXT_LEVEL = /(?:^|\s)level=(\w+)|^\S+\t(\w+)\t/

/**
 * Whether a person at the terminal should see a line of a part's log: its warnings and errors
 * (pino's JSON, Prometheus', Alertmanager's and Grafana's logfmt, Jaeger's zap console lines),
 * and any line with no level at all, which is what a process writes to stderr when it crashes.
 */
function isNotable (line: string): boolean {
  if (line.trim() === '') return false
  if (line.startsWith('{')) {
    const match = JSON_LEVEL.exec(line)
    return match === null || (match[1] !== undefined ? Number(match[1]) >= 40 : NOTABLE.test(match[2]!))
  }
  const match = TEXT_LEVEL.exec(line)
  return match === null || NOTABLE.test(match[1] ?? match[2]!)
}

/** A line as the terminal shows it, after the part's name; pino's JSON as one line a person reads. */
function forTerminal (part: string, line: string): string {
  let entry: Record<string, unknown> | undefined
  try { entry = line.startsWith('{') ? JSON.parse(line) : undefined } catch {}
  if (entry === undefined || typeof entry.level !== 'number') return `${part}: ${line}`
  const { level, time, msg, err, pid: _pid, hostname: _hostname, name: _name, ...fields } = entry as Record<string, any>
  const clock = typeof time === 'number' ? `${new Date(time).toTimeString().slice(0, 8)} ` : ''
  const details = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  if (err !== undefined) details.push(`err=${err.type ?? 'Error'}: ${err.message}`)
  return `${part}: ${clock}${PINO_LEVELS[level] ?? level} ${msg ?? ''}${details.length > 0 ? ` (${details.join(', ')})` : ''}`
}

/** A log file's size now: where following it from this moment on starts. */
export function sizeOf (file: string): number {
  try { return statSync(file).size } catch { return 0 }
}

/**
 * Follows the parts' log files, polling each every `intervalMs`, and gives `print` their notable
 * lines as the terminal shows them: `follow` those `part` writes to `file` from byte `from` on;
 * `stop` passes on what was written since the last look. The files stay complete: they are read,
 * never redirected.
 */
export function followLogs (print: (line: string) => void, intervalMs = 250): { follow: (part: string, file: string, from: number) => void, stop: () => void } {
  const logs: Array<{ part: string, file: string, offset: number, pending: string, decoder: StringDecoder }> = []
  const chunk = Buffer.alloc(1 << 20)
  const poll = (): void => {
    for (const log of logs) {
      const size = sizeOf(log.file)
      // Replaced or truncated: from its start again.
      if (size < log.offset) log.offset = 0
      if (size === log.offset) continue
      const fd = openSync(log.file, 'r')
      try {
        while (log.offset < size) {
          const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - log.offset), log.offset)
          if (read === 0) break
          log.offset += read
          const lines = (log.pending + log.decoder.write(chunk.subarray(0, read))).split('\n')
          log.pending = lines.pop()!
          for (const line of lines) if (isNotable(line)) print(forTerminal(log.part, line))
        }
      } finally {
        closeSync(fd)
      }
    }
  }
  const timer = setInterval(poll, intervalMs)
  // Never what keeps the process alive.
  timer.unref()
  return {
    follow (part, file, from) { logs.push({ part, file, offset: from, pending: '', decoder: new StringDecoder('utf8') }) },
    stop () {
      clearInterval(timer)
      poll()
      logs.splice(0)
    }
  }
}
