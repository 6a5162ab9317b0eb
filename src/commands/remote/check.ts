import {Args, Flags} from '@oclif/core'

import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {DockcfgError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderCheckReport} from '../../output/remote-check.js'
import {runRemoteCheck} from '../../remote/check-endpoints.js'
import {readLocalText} from '../../system/fs.js'
import {createSystem} from '../../system/index.js'

export default class RemoteCheck extends DockcfgCommand {
  static override summary = 'Check a Docker TCP endpoint: reachability, TLS, client-certificate enforcement, the API itself.'
  static override description = `Checks every ENDPOINT and every --context given, side by side: one row each in a table (the steps of the
ones that fail below it), one entry each in --json's results. Without either, what the docker CLI would talk to,
in its order: DOCKER_HOST when it is tcp://, else the context DOCKER_CONTEXT names, else config.json's
currentContext (in DOCKER_CONFIG, else ~/.docker), else every TCP listener of this host's effective
configuration, tried at an address this machine reaches (0.0.0.0 on 127.0.0.1). A context brings its own host
and TLS files (docker context create's store). For ENDPOINT and DOCKER_HOST, client TLS follows the docker
CLI: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), or --cert-dir / --tlscacert / --tlscert /
--tlskey (any of them turns verification on). For this host's own listeners the bundle remote enable wrote
(/etc/docker/tls/client) is used when nothing else is given.
Steps: name resolution, TCP connect, TLS handshake (chain, SAN, expiry), whether a client certificate is
demanded, GET /_ping, GET /version, latency; every step bounded by --timeout.
Verdicts: the API answering without a client certificate is CRITICAL; expiry within 30 days a warning.
Exit 6 when any endpoint is unreachable or fails its checks.`
  static override examples = [
    '<%= config.bin %> remote check',
    '<%= config.bin %> remote check tcp://docker1.example.com:2376 --cert-dir ~/.docker/fleet',
    '<%= config.bin %> remote check --context docker1 --context docker2',
    '<%= config.bin %> remote check tcp://10.0.0.5:2376 tcp://10.0.0.6:2376 --cert-dir ~/.docker/fleet',
    'DOCKER_HOST=tcp://10.0.0.5:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=~/.docker/fleet <%= config.bin %> remote check --json',
  ]
  static override args = {endpoint: Args.string({description: 'tcp://HOST:PORT (port defaults to 2376); several may be given', required: false})}
  // Not strict: any number of endpoints.
  static override strict = false
  static override flags = {
    context: Flags.string({description: 'a docker context to check (repeatable: --context a --context b)', multiple: true, multipleNonGreedy: true}),
    'cert-dir': Flags.string({description: 'directory with ca.pem, cert.pem, key.pem (like DOCKER_CERT_PATH)'}),
    tlscacert: Flags.string({description: 'CA certificate to verify the server against'}),
    tlscert: Flags.string({description: 'client certificate'}),
    tlskey: Flags.string({description: 'client key'}),
    timeout: Flags.integer({description: 'seconds allowed for each step', default: 5, min: 1}),
  }

  async run(): Promise<CommandResults['remote:check']> {
    const {argv, flags} = await this.parse(RemoteCheck)
    const system = createSystem({root: flags.root})
    const report = await runRemoteCheck(system, {
      endpoints: argv as string[],
      contexts: flags.context ?? [],
      clientFs: createSystem({root: '/'}).fs,
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
      this.log(renderCheckReport(report).trimEnd())
    }
    if (!report.ok) {
      const failed = report.results.filter((r) => !r.ok).map((r) => `${r.context ?? r.endpoint} (${r.verdict})`)
      // --json: the report itself is the output (oclif prints what run returns); only the exit code says it failed.
      if (this.jsonEnabled()) process.exitCode = ExitCode.Unreachable
      else throw new DockcfgError(`remote check failed: ${failed.join(', ')}`, {exitCode: ExitCode.Unreachable})
    }
    return report
  }
}
