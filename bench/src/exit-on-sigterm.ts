// Preloaded (--import) into a server being profiled: --cpu-prof writes its file only on a
// normal exit, and SIGTERM's default action ends the process without one.
process.on('SIGTERM', () => process.exit(0))
