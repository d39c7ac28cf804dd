import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU seconds a process has used, summed over its threads: the first field of each thread's
 * /proc/<pid>/task/<tid>/schedstat, time on a CPU in nanoseconds. /proc/<pid>/stat counts in
 * 10 ms ticks, too coarse for sub-second bursts of a server that is not always busy.
 * @see https://docs.kernel.org/scheduler/sched-stats.html
 */
export function cpuSeconds (pid: number): number {
  let ns = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {} // a thread that ended between the listing and the read
  }
  return ns / 1e9
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status, in kB). */
export function rssBytes (pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
}
