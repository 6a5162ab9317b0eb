import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {DockcfgCommand} from '../../../cli/base-command.js'
import type {CommandResults} from '../../../cli/contract.js'
import {renderCaCreated} from '../../../output/bundles.js'
import {createCaDirectory} from '../../../remote/client.js'
import {KEY_TYPES, type KeyType} from '../../../remote/layout.js'
import {createSystem} from '../../../system/index.js'

export default class RemoteCaCreate extends DockcfgCommand {
  static override summary = 'Create a CA for a fleet: ca.pem and ca-key.pem (0600) in a new 0700 directory.'
  static override description = `Run it once, on the control machine. Then "remote enable --ca DIR" on each host issues that host's server
certificate from it, and "remote client-cert --ca DIR --out DIR" issues client bundles that reach every host.
An existing CA is never replaced (that would orphan every certificate it issued): exit 7.
Paths are on this machine (--root is refused).`
  static override examples = [
    '<%= config.bin %> remote ca create --out ./fleet-ca',
    '<%= config.bin %> remote ca create --out /root/ca --key-type rsa-4096 --name "ACME docker CA"',
  ]
  static override flags = {
    out: Flags.string({description: 'directory for ca.pem and ca-key.pem', required: true}),
    'key-type': Flags.string({description: 'key algorithm [default: ecdsa-p256]', options: [...KEY_TYPES]}),
    name: Flags.string({description: 'common name of the CA [default: dockcfg fleet CA]'}),
  }

  async run(): Promise<CommandResults['remote:ca:create']> {
    const {flags} = await this.parse(RemoteCaCreate)
    this.refuseRoot(flags.root)
    // Paths of this machine (--root does not apply): the files and clock of the system at `/`.
    const system = createSystem({root: '/'})
    const result = await createCaDirectory(system.fs, system.clock, {
      dir: resolve(this.pathFlag('--out', flags.out)),
      keyType: flags['key-type'] as KeyType | undefined,
      commonName: flags.name,
    })
    if (!this.jsonEnabled()) renderCaCreated(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
