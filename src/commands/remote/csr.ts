import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import type {CommandResults} from '../../cli/contract.js'
import {DockcfgCommand} from '../../cli/base-command.js'
import {renderCsr} from '../../output/bundles.js'
import {KEY_TYPES, type KeyType} from '../../remote/layout.js'
import {localHostIdentity} from '../../remote/sans.js'
import {writeServerCsr} from '../../remote/server-request.js'
import {createSystem} from '../../system/index.js'

export default class RemoteCsr extends DockcfgCommand {
  static override summary = "Make this host's server key and a certificate signing request, so the fleet CA's key never comes here."
  static override description = `Writes key.pem (0600, it stays on this host) and csr.pem into a new 0700 directory. The request names this
host: its hostname, every non-loopback interface address, each --san, and localhost/127.0.0.1 for the local
self-check. Copy csr.pem to the control machine, sign it there with remote sign, copy cert.pem and ca.pem back
into the same directory, then: remote enable --cert-dir DIR. An existing key there is never replaced (exit 7).
Paths are on this machine (--root is refused).`
  static override examples = ['<%= config.bin %> remote csr --out /root/docker-tls-request --san docker1.example.com']
  static override flags = {
    out: Flags.string({description: 'directory for key.pem and csr.pem (created 0700)', required: true}),
    san: Flags.string({description: 'extra DNS name or IP address to ask for (repeatable)', multiple: true, multipleNonGreedy: true}),
    'key-type': Flags.string({description: 'key algorithm [default: ecdsa-p256]', options: [...KEY_TYPES]}),
  }

  async run(): Promise<CommandResults['remote:csr']> {
    const {flags} = await this.parse(RemoteCsr)
    this.refuseRoot(flags.root)
    const system = createSystem({root: '/'})
    const result = await writeServerCsr(system.fs, localHostIdentity(system.network, {extraSans: flags.san ?? []}), {
      dir: resolve(this.pathFlag('--out', flags.out)),
      keyType: flags['key-type'] as KeyType | undefined,
    })
    if (!this.jsonEnabled()) renderCsr(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
