// tap's coverage map for the manifests area: its tests answer for src/manifests/ only.
import { readdirSync } from 'node:fs'

const own = readdirSync(new URL('../../src/manifests/', import.meta.url)).map((file) => `src/manifests/${file}`)

export default () => own
