import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {renderClientBundle} from '../../output/bundles.js'
import {issueClientBundle} from '../../remote/client.js'
import {KEY_TYPES, type KeyType} from '../../remote/layout.js'
import {createSystem} from '../../system/index.js'

export default class RemoteClientCert extends DockcfgCommand {
  static override summary = 'Issue a client certificate bundle (ca.pem, cert.pem, key.pem) from a CA directory.'
  static override description = `Writes the files under the names the docker CLI reads from DOCKER_CERT_PATH; the key is 0600 and never
printed. Existing files are never replaced. The CA directory is one made by remote ca create, or /etc/docker/tls
on a host where remote enable created a host-local CA. Paths are on this machine (--root does not apply).`
  static override examples = ['<%= config.bin %> remote client-cert --ca ./fleet-ca --out ~/.docker/fleet --name alice']
  static override flags = {
    ca: Flags.directory({description: 'CA directory holding ca.pem and ca-key.pem', required: true, exists: true}),
    out: Flags.string({description: 'directory to write ca.pem, cert.pem, key.pem into (created 0700)', required: true}),
    name: Flags.string({description: 'common name of the client certificate (who holds it)'}),
    'key-type': Flags.string({description: 'key algorithm [default: ecdsa-p256]', options: [...KEY_TYPES]}),
  }

  async run(): Promise<CommandResults['remote:client-cert']> {
    const {flags} = await this.parse(RemoteClientCert)
    // Paths of this machine (--root does not apply): the files and clock of the system at `/`.
    const system = createSystem({root: '/'})
    const result = await issueClientBundle(system.fs, system.clock, {
      caDir: resolve(flags.ca),
      outDir: resolve(this.pathFlag('--out', flags.out)),
      name: flags.name,
      keyType: flags['key-type'] as KeyType | undefined,
    })
    if (!this.jsonEnabled()) renderClientBundle(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
