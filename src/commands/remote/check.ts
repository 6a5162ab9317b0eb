import {Args, Flags} from '@oclif/core'

import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {DockcfgError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderCheckTable} from '../../output/remote-check.js'
import {runRemoteCheck} from '../../remote/check-endpoints.js'
import {readLocalText} from '../../system/fs.js'
import {createSystem} from '../../system/index.js'

export default class RemoteCheck extends DockcfgCommand {
  static override summary = 'Check a Docker TCP endpoint: reachability, TLS, client-certificate enforcement, the API itself.'
  static override description = `Without ENDPOINT: DOCKER_HOST when it is tcp://, else every TCP listener of this host's effective
configuration, tried at an address this machine reaches (0.0.0.0 on 127.0.0.1). Client TLS follows the docker
CLI: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), or --cert-dir / --tlscacert / --tlscert /
--tlskey (any of them turns verification on). For this host's own listeners the bundle remote enable wrote
(/etc/docker/tls/client) is used when nothing else is given.
Steps: name resolution, TCP connect, TLS handshake (chain, SAN, expiry), whether a client certificate is
demanded, GET /_ping, GET /version, latency; every step bounded by --timeout.
Verdicts: the API answering without a client certificate is CRITICAL; expiry within 30 days a warning.
Exit 6 when an endpoint is unreachable or fails its checks.`
  static override examples = [
    '<%= config.bin %> remote check',
    '<%= config.bin %> remote check tcp://docker1.example.com:2376 --cert-dir ~/.docker/fleet',
    'DOCKER_HOST=tcp://10.0.0.5:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=~/.docker/fleet <%= config.bin %> remote check --json',
  ]
  static override args = {endpoint: Args.string({description: 'tcp://HOST:PORT (port defaults to 2376)', required: false})}
  static override flags = {
    'cert-dir': Flags.string({description: 'directory with ca.pem, cert.pem, key.pem (like DOCKER_CERT_PATH)'}),
    tlscacert: Flags.string({description: 'CA certificate to verify the server against'}),
    tlscert: Flags.string({description: 'client certificate'}),
    tlskey: Flags.string({description: 'client key'}),
    timeout: Flags.integer({description: 'seconds allowed for each step', default: 5, min: 1}),
  }

  async run(): Promise<CommandResults['remote:check']> {
    const {args, flags} = await this.parse(RemoteCheck)
    const system = createSystem({root: flags.root})
    const report = await runRemoteCheck(system, {
      endpoint: args.endpoint,
      certDir: flags['cert-dir'],
      tlscacert: flags.tlscacert,
      tlscert: flags.tlscert,
      tlskey: flags.tlskey,
      timeoutMs: flags.timeout * 1000,
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      readFile: readLocalText,
    })
    if (!this.jsonEnabled()) {
      for (const n of report.notes) this.logToStderr(`note: ${n}`)
      this.log(
        report.results
          .map((r) => renderCheckTable(r))
          .join('\n')
          .trimEnd(),
      )
    }
    if (!report.ok) {
      const failed = report.results.filter((r) => !r.ok).map((r) => `${r.endpoint} (${r.verdict})`)
      // --json: the report itself is the output (oclif prints what run returns); only the exit code says it failed.
      if (this.jsonEnabled()) process.exitCode = ExitCode.Unreachable
      else throw new DockcfgError(`remote check failed: ${failed.join(', ')}`, {exitCode: ExitCode.Unreachable})
    }
    return report
  }
}
