import type {DisableResult} from '../remote/disable.js'
import type {EnableResult} from '../remote/enable.js'
import {renderApplyResult} from './apply.js'
import {renderContextLine} from './bundles.js'
import type {Out} from './out.js'

/** `dockcfg remote enable` for a person: the apply, the certificates, the self-check, then how to connect (stdout). */
export function renderRemoteEnabled(result: EnableResult, out: Out): void {
  const say = (text: string) => out.say(text)
  if (result.exposure) say(`WARNING: ${result.listener}: ${result.exposure}.`)
  renderApplyResult(result, out)
  const c = result.certificates
  if (c) {
    say(`CA: ${c.ca.subject} (${c.ca.source}${c.ca.reused ? ', kept' : ''}) ${c.ca.path}`)
    say(
      `server certificate: ${c.server.reused ? 'kept' : 'issued'} ${c.server.path}, valid until ${c.server.notAfter}; SANs: ${[...c.server.dnsNames, ...c.server.ipAddresses].join(', ')}`,
    )
    if (c.client) say(`client bundle: ${c.client.dir}${c.client.reused ? ' (kept)' : ''}`)
  }
  if (result.selfCheck?.ok) say(`self-check: ${result.selfCheck.endpoint} answers over mutual TLS (${result.selfCheck.verdict})`)
  if (result.context) say(renderContextLine(result.context))
  if (result.dryRun) return
  // How to connect is what the user came for: data, so stdout.
  out.log(`# connect to ${result.connect.endpoint}:`)
  out.log(
    `export ${Object.entries(result.connect.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  )
  out.log(result.context ? `docker --context ${result.context.name} version` : result.connect.context)
}

/** `dockcfg remote disable` for a person. */
export function renderRemoteDisabled(result: DisableResult, out: Out): void {
  // What is removed was told with the plan, before anything happened.
  if (result.removed.length === 0) out.say('no tcp:// listener configured')
  renderApplyResult(result, out)
  if (result.purged.length > 0 && !result.dryRun) out.say(`deleted ${result.purged.join(', ')}`)
}
