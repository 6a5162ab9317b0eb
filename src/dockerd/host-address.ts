import {parseIp} from '../network/cidr.js'

/** One `hosts` entry (`-H`) as dockerd reads it: what it listens on, or why it refuses the entry. */
export type DockerdHost =
  /** An empty entry: dockerd skips it. */
  | {kind: 'none'}
  /** `tcp://host:port` or `host:port`: `host` is '' when omitted (localhost), `port` the text after the colon, if any. */
  | {kind: 'tcp'; host: string; port: string | undefined}
  | {kind: 'unix'; path: string}
  /** systemd socket activation: `fd://`, `fd://*` or `fd://N`. */
  | {kind: 'fd'; name: string}
  /** What dockerd refuses; `startOnly`: only when it sets up the listeners, which --validate does not. */
  | {kind: 'invalid'; error: string; startOnly?: boolean}

/** The port dockerd listens on when a tcp:// entry names none (opts/hosts.go DefaultHTTPPort). */
export const DEFAULT_TCP_PORT = 2375

/**
 * opts.ParseDaemonHost (daemon/pkg/opts/hosts.go), plus the checks dockerd makes on Linux when it
 * opens the listeners. The one reading of a `hosts` entry: validation reports what it refuses,
 * the preflight finds the ports it will bind.
 */
export function parseDockerdHost(raw: string): DockerdHost {
  const address = raw.trim()
  if (address === '') return {kind: 'none'}
  const sep = address.indexOf('://')
  const proto = sep < 0 ? 'tcp' : address.slice(0, sep)
  const rest = sep < 0 ? address : address.slice(sep + 3)
  switch (proto) {
    case 'tcp':
      return parseTcp(rest)
    case 'unix':
      return rest.includes('://') ? {kind: 'invalid', error: `invalid unix address: ${rest}`} : {kind: 'unix', path: rest}
    case 'fd':
      if (rest === '' || rest === '*' || /^[0-9]+$/.test(rest)) return {kind: 'fd', name: rest}
      return {kind: 'invalid', error: `failed to parse systemd fd address: should be a number: ${rest}`, startOnly: true}
    case 'npipe':
      return {kind: 'invalid', error: 'npipe:// is a Windows named pipe; dockerd on Linux cannot listen on it', startOnly: true}
    default:
      return {kind: 'invalid', error: `invalid bind address: unsupported proto '${proto}'`}
  }
}

function parseTcp(rest: string): DockerdHost {
  if (/[/?#]/.test(rest)) return {kind: 'invalid', error: 'a tcp:// address should not contain a path element'}
  let host: string
  let port: string | undefined
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(rest)
  if (bracket !== null) {
    host = bracket[1] ?? ''
    port = bracket[2]
    if (parseIp(host)?.family !== 6) return {kind: 'invalid', error: `invalid IPv6 address [${host}]`}
  } else {
    const colons = rest.split(':').length - 1
    if (colons > 1) return {kind: 'invalid', error: 'IPv6 addresses need brackets, e.g. tcp://[::1]:2376'}
    const i = rest.indexOf(':')
    host = i < 0 ? rest : rest.slice(0, i)
    port = i < 0 ? undefined : rest.slice(i + 1)
  }
  if (port !== undefined && port !== '' && (!/^[0-9]+$/.test(port) || Number(port) === 0 || Number(port) > 65535)) return {kind: 'invalid', error: `invalid port: ${port}`}
  return {kind: 'tcp', host, port}
}
