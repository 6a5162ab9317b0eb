import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {applyFlags, applyOptions, canPrompt} from '../../cli/apply-flags.js'
import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {DockcfgError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderRemoteEnabled} from '../../output/remote-access.js'
import {commandReporter} from '../../output/progress.js'
import {runRemoteEnable} from '../../operations/remote-enable.js'
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
explicitly so dockerd does not delay its start by 15 s.`
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
      keyType: flags['key-type'] as KeyType | undefined,
      // Relative to where the user is when this is the live tree; inside --root a path is a tree path.
      clientOut: clientOut === undefined ? undefined : flags.root === '/' ? resolve(clientOut) : clientOut,
      insecure: flags.insecure,
      command: ['dockcfg', 'remote', 'enable', ...(argv as string[])].join(' '),
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock), interactive: canPrompt()}),
      readLocalFile: readLocalText,
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
