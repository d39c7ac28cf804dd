import { smoke, SmokeFailure, smokeOptions } from './checks.ts'

/** `make smoke`: exits 0 when every check passed, 1 at the first failure, 2 on bad usage. */
try {
  await smoke(smokeOptions(process.argv.slice(2), process.env), (line) => console.log(line))
  console.log('smoke: every check passed')
} catch (error) {
  console.error(error instanceof SmokeFailure ? `FAIL  ${error.message}` : `smoke: ${(error as Error).message}`)
  process.exitCode = error instanceof SmokeFailure ? 1 : 2
}
