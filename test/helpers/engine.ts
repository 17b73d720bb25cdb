import {execa} from 'execa'

/**
 * What lvslab could have made on the engine, as one comparable string: the containers and networks
 * carrying lvslab's lab label (every resource lvslab creates has it), its throwaway containers, and
 * the volumes of those containers. Judged on lvslab's own resources, never the whole engine, which
 * other users and tests share.
 */
export async function engineResources(): Promise<string> {
  const list = await Promise.all([
    execa('docker', ['ps', '-aq', '--no-trunc', '--filter', 'label=lvslab.lab']),
    execa('docker', ['ps', '-aq', '--no-trunc', '--filter', 'label=lvslab.throwaway']),
    execa('docker', ['network', 'ls', '-q', '--no-trunc', '--filter', 'label=lvslab.lab']),
    execa('docker', ['volume', 'ls', '-q', '--filter', 'label=lvslab.lab']),
  ])
  return list.map((r) => r.stdout.split('\n').sort().join(',')).join('|')
}
