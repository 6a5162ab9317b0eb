import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {renderClientBundle} from '../../output/bundles.js'
import {issueClientBundle} from '../../remote/client.js'
import {dockerConfigDir} from '../../remote/docker-context.js'
import {KEY_TYPES, type KeyType} from '../../remote/layout.js'
import {createSystem} from '../../system/index.js'

export default class RemoteClientCert extends DockcfgCommand {
  static override summary = 'Issue a client certificate bundle (ca.pem, cert.pem, key.pem) from a CA directory.'
  static override description = `Writes the files under the names the docker CLI reads from DOCKER_CERT_PATH; the key is 0600 and never
printed. Existing files are never replaced. The CA directory is one made by remote ca create, or /etc/docker/tls
on a host where remote enable created a host-local CA. Paths are on this machine (--root is refused).
--context NAME also stores the bundle as a docker context reaching --endpoint, in the docker CLI's context store
(DOCKER_CONFIG, else ~/.docker: contexts/meta and contexts/tls, as docker context create writes them), so that
docker --context NAME and dockcfg remote check --context NAME use it; an existing context keeps its other endpoints.`
  static override examples = [
    '<%= config.bin %> remote client-cert --ca ./fleet-ca --out ~/.docker/fleet --name alice',
    '<%= config.bin %> remote client-cert --ca ./fleet-ca --out ./docker1-client --context docker1 --endpoint tcp://docker1.example.com:2376',
  ]
  static override flags = {
    ca: Flags.directory({description: 'CA directory holding ca.pem and ca-key.pem', required: true, exists: true}),
    out: Flags.string({description: 'directory to write ca.pem, cert.pem, key.pem into (created 0700)', required: true}),
    name: Flags.string({description: 'common name of the client certificate (who holds it)'}),
    'key-type': Flags.string({description: 'key algorithm [default: ecdsa-p256]', options: [...KEY_TYPES]}),
    context: Flags.string({description: 'also create or update this docker context with the bundle', dependsOn: ['endpoint']}),
    endpoint: Flags.string({description: 'tcp://HOST:PORT the context reaches (with --context)', dependsOn: ['context']}),
  }

  async run(): Promise<CommandResults['remote:client-cert']> {
    const {flags} = await this.parse(RemoteClientCert)
    this.refuseRoot(flags.root)
    // Paths of this machine (--root does not apply): the files and clock of the system at `/`.
    const system = createSystem({root: '/'})
    const result = await issueClientBundle(system.fs, system.clock, {
      caDir: resolve(flags.ca),
      outDir: resolve(this.pathFlag('--out', flags.out)),
      name: flags.name,
      keyType: flags['key-type'] as KeyType | undefined,
      ...(flags.context !== undefined && flags.endpoint !== undefined
        ? {context: {configDir: dockerConfigDir(system.env.variables, system.env.homeDir()), name: flags.context, endpoint: flags.endpoint}}
        : {}),
    })
    if (!this.jsonEnabled()) renderClientBundle(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
