import {execa} from 'execa'

/** Every container, network and volume of the engine, as one comparable string. */
export async function engineResources(): Promise<string> {
  const list = await Promise.all([
    execa('docker', ['ps', '-aq', '--no-trunc']),
    execa('docker', ['network', 'ls', '-q', '--no-trunc']),
    execa('docker', ['volume', 'ls', '-q']),
  ])
  return list.map((r) => r.stdout.split('\n').sort().join(',')).join('|')
}
