import {generateKeyPairSync} from 'node:crypto'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {renderDiff} from '../../../src/changes/change-set.js'
import {redactJson, redactText, secretFiles} from '../../../src/changes/redact.js'

const pem = (type: 'rsa' | 'ec', format: 'pkcs8' | 'pkcs1' | 'sec1'): string =>
  generateKeyPairSync(
    type as 'rsa',
    {modulusLength: 1024, namedCurve: 'P-256', privateKeyEncoding: {type: format, format: 'pem'}, publicKeyEncoding: {type: 'spki', format: 'pem'}} as never,
  ).privateKey as unknown as string
const PKCS8 = pem('ec', 'pkcs8')
const SEC1 = pem('ec', 'sec1')
const PKCS1 = pem('rsa', 'pkcs1')
/** A line of base64 key body (also inside a diff, where lines start with +, - or a space). */
const KEY_BODY = /PRIVATE KEY-----\n[+\- ]?[A-Za-z0-9+/]{20}/
const bodyOf = (key: string) => key.split('\n')[1] as string

describe('redactText: private key blocks and URL passwords, anywhere', () => {
  it.each([
    ['PKCS#8', PKCS8, 'PRIVATE KEY'],
    ['SEC1', SEC1, 'EC PRIVATE KEY'],
    ['PKCS#1', PKCS1, 'RSA PRIVATE KEY'],
  ])('%s: the block becomes a placeholder, text around it stays', (_name, key, label) => {
    const out = redactText(`before\n${key}after`)
    expect(out).toBe(`before\n-----BEGIN ${label}-----[private key redacted]-----END ${label}-----\nafter`)
    expect(out).not.toContain(bodyOf(key))
  })

  it('a block without its END line is hidden to the end of the text; encrypted and OpenSSH keys too', () => {
    expect(redactText(`x\n${PKCS8.slice(0, 120)}`)).toBe('x\n-----BEGIN PRIVATE KEY-----[private key redacted]-----END PRIVATE KEY-----')
    expect(redactText('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----')).not.toContain('AAAA')
    expect(redactText('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaA\n-----END OPENSSH PRIVATE KEY-----')).not.toContain('b3BlbnNzaA')
    // A certificate is public.
    expect(redactText('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toContain('MIIB')
  })

  it.each([
    ['"http-proxy": "http://alice:s3cret@proxy:3128"', '"http-proxy": "http://alice:xxxxx@proxy:3128"'],
    ['HTTPS_PROXY=https://bob:p@ss:w0rd@proxy.corp/x', 'HTTPS_PROXY=https://bob:xxxxx@proxy.corp/x'],
    ['socks5://u:@h', 'socks5://u:xxxxx@h'],
    ['{"http-proxy": "http://u:a\\"b\'c@h"}', '{"http-proxy": "http://u:xxxxx@h"}'],
    ['two: http://a:1@h1 and http://b:2@h2', 'two: http://a:xxxxx@h1 and http://b:xxxxx@h2'],
    ['no password: http://proxy:3128 and http://user@h and mailto:a@b', 'no password: http://proxy:3128 and http://user@h and mailto:a@b'],
  ])('%s', (input, output) => {
    expect(redactText(input)).toBe(output)
  })

  it('never leaves a password behind, whatever it holds (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=:@%~-]{1,16}$/), (user, password) => {
        const out = redactText(`"https-proxy": "http://${user}:${password}@proxy.example:3128/"`)
        expect(out).toBe(`"https-proxy": "http://${user}:xxxxx@proxy.example:3128/"`)
      }),
    )
  })
})

describe('redactJson: the same rule on every string of a --json document', () => {
  it('walks objects, arrays and error objects; keeps structure, numbers and keys', () => {
    const error = Object.assign(new Error(`bad key ${SEC1}`), {exitCode: 3})
    expect(redactJson({a: [PKCS8, 1, null, {proxy: 'http://u:p@h'}], e: error, ok: true})).toEqual({
      a: ['-----BEGIN PRIVATE KEY-----[private key redacted]-----END PRIVATE KEY-----\n', 1, null, {proxy: 'http://u:xxxxx@h'}],
      e: {exitCode: 3, name: 'Error', message: 'bad key -----BEGIN EC PRIVATE KEY-----[private key redacted]-----END EC PRIVATE KEY-----\n'},
      ok: true,
    })
  })

  it('keeps key order, and takes 10,000 levels of nesting (dockerd accepts them) without overflowing the stack', () => {
    expect(Object.keys(redactJson({z: 1, a: 'x', m: [2]}) as object)).toEqual(['z', 'a', 'm'])
    let deep: unknown = 'http://u:p@h'
    for (let i = 0; i < 10_000; i++) deep = i % 2 === 0 ? [deep] : {k: deep}
    let out = redactJson(deep)
    for (let i = 9_999; i >= 0; i--) out = i % 2 === 0 ? (out as unknown[])[0] : (out as {k: unknown}).k
    expect(out).toBe('http://u:xxxxx@h')
  })
})

describe('renderDiff applies the rule to every file it shows', () => {
  it('a key file shows size and digest only; a changed key is visible as a changed digest', async () => {
    const other = pem('ec', 'pkcs8')
    const diff = await renderDiff([
      {path: '/etc/docker/tls/server-key.pem', before: PKCS8, after: other},
      {path: '/etc/docker/tls/ca-key.pem', before: undefined, after: 'not even PEM\n'},
      {path: '/root/client/key.pem', before: SEC1, after: undefined},
      {path: '/etc/docker/tls/server-cert.pem', before: undefined, after: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'},
    ])
    for (const key of [PKCS8, other, SEC1]) expect(diff).not.toContain(bodyOf(key))
    expect(diff).not.toContain('not even PEM')
    expect(diff).not.toMatch(KEY_BODY)
    expect(diff).toMatch(/-\[private key redacted: \d+ bytes, sha256 [0-9a-f]{12}\]\n\+\[private key redacted: \d+ bytes, sha256 [0-9a-f]{12}\]/)
    expect(diff).toContain('+++ b/etc/docker/tls/ca-key.pem')
    expect(diff).toContain('+MIIB')
  })

  it('a file that daemon.json names as tlskey, a key in any file, and a proxy password in daemon.json', async () => {
    const diff = await renderDiff([
      {path: '/etc/docker/daemon.json', before: '{}\n', after: '{"tlskey": "/srv/keys/docker.key", "proxies": {"http-proxy": "http://u:hunter2@p:3128"}}\n'},
      {path: '/srv/keys/docker.key', before: undefined, after: 'opaque key bytes\n'},
      {path: '/etc/systemd/system/docker.service.d/x.conf', before: undefined, after: `[Service]\n# ${SEC1.split('\n').join('\n# ')}\n`},
    ])
    expect(diff).not.toContain('opaque key bytes')
    expect(diff).not.toContain('hunter2')
    expect(diff).toContain('http://u:xxxxx@p:3128')
    expect(diff).not.toContain(bodyOf(SEC1))
    expect(secretFiles([{path: '/etc/docker/daemon.json', texts: ['{"tlskey": "/k"}']}]).has('/k')).toBe(true)
  })
})
