import { startSkaffoldBuilder } from './skaffold-build.ts'

/** `make images TAG DEV_TAG`: service-a's image and its dev stage, built as the container tests build them. */
const [tag = 'latest', devTag = 'dev'] = process.argv.slice(2)
const builder = await startSkaffoldBuilder()
try {
  console.log([...await builder.build({ tag }), ...await builder.build({ tag: devTag, profile: 'dev' })].join('\n'))
} finally {
  await builder.stop()
}
