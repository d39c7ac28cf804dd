import { readFileSync } from 'node:fs'

/**
 * CPU seconds (user + system) a process has used, as the kernel counts them: independent of how
 * fast the load generator is. utime and stime are fields 14 and 15 of /proc/<pid>/stat, counted
 * after `comm`, which may hold spaces and ends at the last ')'; in clock ticks (USER_HZ, 100).
 * @see https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html
 */
export function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status, in kB). */
export function rssBytes (pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
}
