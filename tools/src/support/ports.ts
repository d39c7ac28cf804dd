import getPort from 'get-port'

/**
 * A TCP port free on 127.0.0.1 right now. get-port also remembers the ports it handed out in
 * this process for a while, so two servers of one test run never get the same one.
 * @see https://github.com/sindresorhus/get-port
 */
export async function freePort (): Promise<number> {
  return await getPort({ host: '127.0.0.1' })
}
