import {parseDockerdHost} from '../../dockerd/host-address.js'
import {isLoopback, parseIp} from '../../network/cidr.js'
import type {RuleContext, Where} from './context.js'

/** hosts, and the TLS keys that decide whether a tcp:// listener is protected and which files it uses. */
export function hostRules(ctx: RuleContext): void {
  const tlsEntry = ctx.get('tls')
  const verifyEntry = ctx.get('tlsverify')
  const tls = ctx.bool('tls')
  const tlsverify = ctx.bool('tlsverify')
  // dockerd: tlsverify present (any value) switches TLS on; tls:true alone also turns verify on.
  const tlsOn = tls === true || verifyEntry !== undefined
  const verifyOn = tlsverify === true || (verifyEntry === undefined && tls === true)
  const explicit = tlsEntry !== undefined || verifyEntry !== undefined
  const hostsChecked: Where = ctx.atLeast('23.0.0') ? 'config' : 'start'

  for (const {text, at} of ctx.listItems('hosts')) {
    const parsed = parseDockerdHost(text)
    if (parsed.kind === 'invalid') {
      ctx.report({
        code: 'host-invalid',
        severity: 'error',
        key: 'hosts',
        at,
        message: `"hosts" entry ${JSON.stringify(text)}: ${parsed.error}; ${hostsChecked === 'config' ? `${ctx.dockerd()} refuses the configuration` : `${ctx.dockerd()} fails at start when it sets up the listeners (--validate cannot catch it)`}`,
        checkedAt: parsed.startOnly === true ? 'start' : hostsChecked,
        hint: 'use unix:///path, tcp://host:port, fd:// or host:port',
      })
      continue
    }
    if (parsed.kind !== 'tcp' || verifyOn) continue
    const loopback = isLoopbackHost(parsed.host === '' ? 'localhost' : parsed.host)
    const delay = !explicit && !loopback
    ctx.report({
      code: 'tcp-without-tls',
      involves: delay ? ['tls', 'tlsverify'] : [],
      severity: 'warning',
      key: 'hosts',
      at,
      message:
        `"hosts" entry ${JSON.stringify(text)} serves the API over TCP without TLS client verification: anyone who can reach it gets root on this host` +
        (delay
          ? '; dockerd also delays its start by 15 s (tls/tlsverify not set explicitly) and announces this will become a hard error'
          : '; dockerd logs a warning and waits 1 s at start'),
      checkedAt: 'start',
      hint: 'set "tlsverify": true with tlscacert/tlscert/tlskey (dockcfg remote enable), or bind to a unix socket',
    })
  }

  const files = ['tlscacert', 'tlscert', 'tlskey'].filter((k) => ctx.get(k) !== undefined)
  if (tlsOn) {
    if (verifyOn && ctx.get('tlscacert') === undefined) {
      const at = verifyEntry ?? tlsEntry
      ctx.report({
        code: 'tls-default-ca',
        severity: 'warning',
        key: 'tlscacert',
        at: at?.keyAt,
        message:
          'TLS client verification is on but "tlscacert" is not set: dockerd falls back to $DOCKER_CERT_PATH or ~/.docker/ca.pem of the user running it, and refuses to start if that file is missing',
        checkedAt: 'config',
        hint: 'set "tlscacert" to the CA that signed your client certificates',
      })
    }
    const missing = ['tlscert', 'tlskey'].filter((k) => ctx.get(k) === undefined)
    if (missing.length > 0) {
      const at = verifyEntry ?? tlsEntry
      ctx.report({
        code: 'tls-incomplete',
        severity: 'warning',
        key: missing[0],
        at: at?.keyAt,
        message: `TLS is on but ${missing.map((k) => `"${k}"`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: dockerd uses ~/.docker/${missing.map((k) => (k === 'tlscert' ? 'cert.pem' : 'key.pem')).join(' and ~/.docker/')} and refuses the configuration if missing`,
        checkedAt: 'config',
        hint: 'set both "tlscert" and "tlskey"',
      })
    }
  } else if (files.length > 0) {
    const first = ctx.get(files[0] as string)
    ctx.report({
      code: 'tls-files-unused',
      involves: [...files, 'tls', 'tlsverify'],
      severity: 'warning',
      key: files[0],
      at: first?.keyAt,
      message: `${files.map((k) => `"${k}"`).join(', ')} ${files.length > 1 ? 'are' : 'is'} set but TLS is off (no "tls": true or "tlsverify"): the files are not used`,
      hint: 'add "tlsverify": true, or delete the certificate keys',
    })
  }
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true
  const ip = parseIp(host)
  return ip !== undefined && isLoopback(ip)
}
