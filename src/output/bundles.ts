import {type BundleResult, dockerContextCommand} from '../remote/client.js'
import type {ContextResult} from '../remote/docker-context.js'
import type {CsrResult, SignResult} from '../remote/server-request.js'
import type {Out} from './out.js'

/** How to use a client bundle with the docker CLI: the lines `remote client-cert` prints. */
export function clientUsage(dir: string, endpoint = 'tcp://HOST:2376'): string[] {
  return [`export DOCKER_HOST=${endpoint} DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir}`, dockerContextCommand('NAME', endpoint, dir)]
}

/** What was written, and the certificate's identity: the lines both bundle commands tell. */
function renderWritten(result: BundleResult, what: string, out: Out): void {
  for (const w of result.warnings) out.say(`warning: ${w}`)
  out.say(`wrote ${result.files.map((f) => `${f.path} (${f.mode.toString(8)})`).join(', ')}`)
  out.say(`${what} ${result.subject}, valid until ${result.notAfter}, SHA-256 ${result.fingerprintSha256}`)
}

/** `dockcfg remote ca create` for a person. */
export function renderCaCreated(result: BundleResult, out: Out): void {
  renderWritten(result, 'CA', out)
  out.say(`keep ca-key.pem safe: it can issue certificates that are root on every host trusting this CA`)
}

/** `dockcfg remote client-cert` for a person: what was written on stderr, how to use it on stdout. */
export function renderClientBundle(result: BundleResult, out: Out): void {
  renderWritten(result, 'client certificate', out)
  if (result.context) {
    out.say(renderContextLine(result.context))
    out.log(`docker --context ${result.context.name} version`)
    return
  }
  for (const line of clientUsage(result.dir)) out.log(line)
}

/** One line on what --context did to the docker CLI's store. */
export function renderContextLine(context: ContextResult): string {
  const what = !context.changed ? 'unchanged' : context.written ? (context.created ? 'created' : 'updated') : context.created ? 'would create' : 'would update'
  const kept = context.keptEndpoints.length > 0 ? `; kept endpoints ${context.keptEndpoints.join(', ')}` : ''
  return `docker context ${context.name}: ${what} (${context.host}) in ${context.metaFile}${kept}`
}

/** `dockcfg remote csr` for a person: what was written, what it asks for, where the CSR goes (stdout). */
export function renderCsr(result: CsrResult, out: Out): void {
  out.say(`wrote ${result.files.map((f) => `${f.path} (${f.mode.toString(8)})`).join(', ')}; the key stays on this host`)
  out.say(`asks for: ${[...result.dnsNames, ...result.ips].join(', ')}`)
  out.log(result.csr)
}

/** `dockcfg remote sign` for a person: the SANs signed, on stderr; the certificate's path on stdout. */
export function renderSigned(result: SignResult, out: Out): void {
  for (const w of result.warnings) out.say(`warning: ${w}`)
  out.say(`signed ${result.subject} (${result.key}), valid until ${result.notAfter}, SHA-256 ${result.fingerprintSha256}`)
  out.say(`SANs: ${[...result.dnsNames, ...result.ipAddresses].join(', ')}`)
  out.say(`wrote ${result.files.map((f) => f.path).join(', ')}: copy both into the host's request directory, then run remote enable --cert-dir DIR there`)
  out.log(result.files[0]?.path ?? result.dir)
}
