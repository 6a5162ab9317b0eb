import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import type {CommandResults} from '../../cli/contract.js'
import {DockcfgCommand} from '../../cli/base-command.js'
import {renderSigned} from '../../output/bundles.js'
import {signServerRequest} from '../../remote/server-request.js'
import {createSystem} from '../../system/index.js'

export default class RemoteSign extends DockcfgCommand {
  static override summary = "Sign a host's certificate signing request with the fleet CA: a server certificate, the CA key stays here."
  static override description = `Checks the request first: its signature, its key (ECDSA P-256/P-384 or RSA 2048-8192), no CA:TRUE or
keyCertSign, only DNS names and IP addresses, no wildcard, at most 100. A request names what its host wants to be,
and a compromised host could ask for another's name: every name must be one you vouch for with --san (loopback
names are always accepted), or --accept-csr-sans signs the list as shown. Otherwise exit 7, nothing written.
Writes cert.pem and the CA's ca.pem into --out; copy both into the host's request directory.
Paths are on this machine (--root is refused).`
  static override examples = ['<%= config.bin %> remote sign --ca ./fleet-ca --csr ./docker1/csr.pem --out ./docker1 --san docker1.example.com --san 10.0.0.5']
  static override flags = {
    ca: Flags.directory({description: 'CA directory holding ca.pem and ca-key.pem', required: true, exists: true}),
    csr: Flags.string({description: 'the request (csr.pem from remote csr)', required: true}),
    out: Flags.string({description: 'directory to write cert.pem and ca.pem into', required: true}),
    san: Flags.string({description: 'a name or address this host may answer to (repeatable)', multiple: true, multipleNonGreedy: true}),
    'accept-csr-sans': Flags.boolean({description: 'sign the names the request asks for, as shown, without --san', default: false}),
    days: Flags.integer({description: 'validity in days [default: 825, also the maximum]', min: 1}),
  }

  async run(): Promise<CommandResults['remote:sign']> {
    const {flags} = await this.parse(RemoteSign)
    this.refuseRoot(flags.root)
    const system = createSystem({root: '/'})
    const result = await signServerRequest(system.fs, system.clock, {
      caDir: resolve(flags.ca),
      csrFile: resolve(this.pathFlag('--csr', flags.csr)),
      outDir: resolve(this.pathFlag('--out', flags.out)),
      vouched: flags.san ?? [],
      acceptCsrSans: flags['accept-csr-sans'],
      validityDays: flags.days,
    })
    if (!this.jsonEnabled()) renderSigned(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
