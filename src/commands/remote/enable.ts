import {join, resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {applyFlags, applyOptions} from '../../cli/apply-flags.js'
import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {DockcfgError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderRemoteEnabled} from '../../output/remote-access.js'
import {commandReporter} from '../../output/progress.js'
import {runRemoteEnable} from '../../operations/remote-enable.js'
import {dockerConfigDir} from '../../remote/docker-context.js'
import {KEY_TYPES, type KeyType} from '../../remote/layout.js'
import {readLocalText} from '../../system/fs.js'
import {createSystem} from '../../system/index.js'

export default class RemoteEnable extends DockcfgCommand {
  static override summary = 'Open the Docker API on TCP with mutual TLS, keeping local access, and apply it safely.'
  static override description = `Issues this host's server certificate (from --ca, or from a host-local CA created in /etc/docker/tls,
which also gets a client bundle in /etc/docker/tls/client), adds tcp://ADDRESS:PORT to the listeners next to
fd:// / the unix socket, turns on tlsverify with tlscacert/tlscert/tlskey, and gives "hosts" one owner so the
stock unit's -H fd:// cannot conflict. Everything, certificate files included, goes through the safe-apply
path: preflight, restart, health, the listener checked over mutual TLS, rollback on failure.
Running it again with the same arguments changes nothing. Keys are 0600 and never printed.

--insecure serves plaintext instead: anyone who can connect gets root. It binds 127.0.0.1:2375 unless told
otherwise, refuses any non-loopback address unless --yes is given too (exit 7), and sets "tls": false
explicitly so dockerd does not delay its start by 15 s.

Bring your own certificates with --cert-dir DIR (cert.pem, key.pem, ca.pem: what remote csr on this host and remote
sign on the control machine leave there) or --cert/--key/--cacert. They are checked before anything is written
(the key matches, the certificate chains to the CA and may serve TLS, it is valid now, it covers each --san and a
specific --address, it names this host), exit 3 otherwise, then applied through the same safe path.

--context NAME stores the client bundle of this run (the host-local CA's, or --client-out's with --ca) and the
endpoint as a docker context in this machine's docker CLI store (DOCKER_CONFIG, else ~/.docker), once the change
stands; with --insecure the context has the endpoint only. It is for using the API from the machine that ran
remote enable (a workstation enabling its own dockerd, or a test host); fleets issue per-admin contexts on the
control machine with remote client-cert --context.`
  static override examples = [
    '<%= config.bin %> remote enable --yes',
    '<%= config.bin %> remote enable --ca ./fleet-ca --san docker1.example.com --yes',
    '<%= config.bin %> remote enable --address 10.0.0.5 --port 2376 --dry-run',
    '<%= config.bin %> remote enable --insecure',
  ]
  static override flags = {
    address: Flags.string({description: 'address to listen on [default: 0.0.0.0, with --insecure 127.0.0.1]'}),
    port: Flags.integer({description: 'TCP port [default: 2376, with --insecure 2375]', min: 1, max: 65535}),
    san: Flags.string({description: 'extra DNS name or IP address for the server certificate (repeatable)', multiple: true}),
    ca: Flags.directory({description: 'CA directory (ca.pem + ca-key.pem, from remote ca create) shared by a fleet', exists: true}),
    'key-type': Flags.string({description: 'key algorithm for new keys [default: ecdsa-p256]', options: [...KEY_TYPES]}),
    'client-out': Flags.string({description: 'also write a client bundle (ca.pem, cert.pem, key.pem) into this directory'}),
    context: Flags.string({description: "also create or update this docker context (this machine's docker CLI store) with the client bundle"}),
    'cert-dir': Flags.directory({
      description: 'bring your own: a directory with cert.pem, key.pem and ca.pem (remote csr + remote sign make one)',
      exists: true,
      exclusive: ['ca', 'key-type', 'client-out', 'insecure', 'cert', 'key', 'cacert'],
    }),
    cert: Flags.string({
      description: 'bring your own: the server certificate (with --key and --cacert)',
      dependsOn: ['key', 'cacert'],
      exclusive: ['ca', 'key-type', 'client-out', 'insecure'],
    }),
    key: Flags.string({description: 'bring your own: the server key', dependsOn: ['cert', 'cacert']}),
    cacert: Flags.string({description: 'bring your own: the CA that issued the server certificate', dependsOn: ['cert', 'key']}),
    insecure: Flags.boolean({description: 'plaintext listener without TLS: gives root to anyone who can connect', default: false}),
    ...applyFlags,
  }

  async run(): Promise<CommandResults['remote:enable']> {
    const {flags, argv} = await this.parse(RemoteEnable)
    const clientOut = flags['client-out'] === undefined ? undefined : this.pathFlag('--client-out', flags['client-out'])
    const system = createSystem({root: flags.root})
    const result = await runRemoteEnable(system, {
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      address: flags.address,
      port: flags.port,
      sans: flags.san ?? [],
      caDir: flags.ca,
      ...(flags['cert-dir'] !== undefined
        ? {provided: {cert: join(resolve(flags['cert-dir']), 'cert.pem'), key: join(resolve(flags['cert-dir']), 'key.pem'), ca: join(resolve(flags['cert-dir']), 'ca.pem')}}
        : flags.cert !== undefined && flags.key !== undefined && flags.cacert !== undefined
          ? {provided: {cert: resolve(flags.cert), key: resolve(flags.key), ca: resolve(flags.cacert)}}
          : {}),
      keyType: flags['key-type'] as KeyType | undefined,
      // Relative to where the user is when this is the live tree; inside --root a path is a tree path.
      clientOut: clientOut === undefined ? undefined : flags.root === '/' ? resolve(clientOut) : clientOut,
      insecure: flags.insecure,
      command: ['dockcfg', 'remote', 'enable', ...(argv as string[])].join(' '),
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock)}),
      readLocalFile: readLocalText,
      ...(flags.context !== undefined
        ? {context: {name: flags.context, configDir: dockerConfigDir(system.env.variables, system.env.homeDir()), store: createSystem({root: '/'}).fs}}
        : {}),
    })
    if (!this.jsonEnabled()) renderRemoteEnabled(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    if (result.selfCheck && !result.selfCheck.ok) {
      throw new DockcfgError(
        `the listener does not pass its mutual-TLS self-check at ${result.selfCheck.endpoint}: ${result.selfCheck.findings.map((f) => f.message).join('; ')}`,
        {
          exitCode: ExitCode.Unreachable,
          remedy: `dockcfg remote check ${result.selfCheck.endpoint} shows every step`,
          details: result.selfCheck,
        },
      )
    }
    return result
  }
}
