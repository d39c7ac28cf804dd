import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'

/**
 * The per-pod scraping component carries its own prometheus.yml. It must stay the stack's
 * config with only one scrape job swapped; this reports every other difference.
 */
export function configDrift (baseText: string, variantText: string, job: string): string[] {
  const base = parse(baseText)
  const variant = parse(variantText)
  const errors: string[] = []
  for (const key of new Set([...Object.keys(base), ...Object.keys(variant)])) {
    if (key === 'scrape_configs') continue
    if (!isDeepStrictEqual(base[key], variant[key])) errors.push(`${key} differs`)
  }
  const jobs = (config: any): Map<string, unknown> => new Map((config.scrape_configs ?? []).map((j: any) => [j.job_name, j]))
  const [baseJobs, variantJobs] = [jobs(base), jobs(variant)]
  if (!isDeepStrictEqual([...baseJobs.keys()], [...variantJobs.keys()])) errors.push(`scrape jobs differ: ${[...baseJobs.keys()]} vs ${[...variantJobs.keys()]}`)
  for (const [name, config] of baseJobs) {
    if (name !== job && variantJobs.has(name) && !isDeepStrictEqual(config, variantJobs.get(name))) errors.push(`job ${name} differs`)
  }
  return errors
}
