// @peculiar/x509 is imported directly below, so the Reflect polyfill must come first here too.
import 'reflect-metadata'
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from '@peculiar/x509'
import {X509Certificate, createPrivateKey, webcrypto} from 'node:crypto'
import {beforeAll, describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/core/exit-codes.js'
import {type CertificateAuthority, createCa} from '../../../src/remote/certs.js'
import {createServerCsr, judgeCsrSans, readCsr, signServerCsr} from '../../../src/remote/csr.js'
import {checkProvidedServer} from '../../../src/remote/material.js'

let ca: CertificateAuthority
beforeAll(async () => {
  ca = await createCa({commonName: 'csr test CA', now: new Date()})
})

type Names = Array<{type: 'dns' | 'ip' | 'email' | 'url'; value: string}>
async function rawCsr(names: Names, extra: Extension[] = [], algorithm: 'ec' | 'rsa1024' = 'ec'): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(
    algorithm === 'ec' ? {name: 'ECDSA', namedCurve: 'P-256'} : {name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256'},
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: [{CN: ['h']}],
    keys,
    signingAlgorithm: algorithm === 'ec' ? {name: 'ECDSA', hash: 'SHA-256'} : {name: 'RSASSA-PKCS1-v1_5'},
    extensions: [...(names.length > 0 ? [new SubjectAlternativeNameExtension(names)] : []), ...extra],
  })
  return csr.toString('pem')
}
async function judge(pem: string, options: {vouched?: string[]; acceptAll?: boolean} = {}) {
  const {facts} = await readCsr(pem, 'csr.pem')
  return judgeCsrSans(facts, {vouched: options.vouched ?? [], acceptAll: options.acceptAll ?? false})
}
async function exitOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p
  } catch (error) {
    return (error as {exitCode?: number}).exitCode
  }
  return undefined
}

describe('reading a CSR', () => {
  it('refuses what is not exactly one valid, self-signed request with exit 2: garbage, two, tampered, huge, a 1024-bit RSA key', async () => {
    const good = await rawCsr([{type: 'dns', value: 'a.example'}])
    const body = good.split('\n')
    // One base64 character changed in the middle: the signature no longer verifies (or it no longer parses).
    const mid = Math.floor(body.length / 2)
    body[mid] = (body[mid] as string).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
    for (const bad of ['hello', '', good + good, body.join('\n'), `${good}\n${'x'.repeat(70_000)}`, await rawCsr([{type: 'dns', value: 'a.example'}], [], 'rsa1024')]) {
      expect(await exitOf(readCsr(bad, 'csr.pem'))).toBe(ExitCode.Usage)
    }
  })
})

describe('judging the names a CSR asks for', () => {
  it('signs only names vouched for with --san, loopback always; --accept-csr-sans takes the list as shown', async () => {
    const pem = await rawCsr([
      {type: 'dns', value: 'docker1.example.com'},
      {type: 'ip', value: '10.0.0.5'},
      {type: 'dns', value: 'localhost'},
      {type: 'ip', value: '127.0.0.1'},
    ])
    expect(await exitOf(judge(pem))).toBe(ExitCode.Refused)
    expect(await exitOf(judge(pem, {vouched: ['docker1.example.com']}))).toBe(ExitCode.Refused)
    expect(await judge(pem, {vouched: ['docker1.example.com', '10.0.0.5', 'extra.example.com']})).toEqual({
      dnsNames: ['docker1.example.com', 'localhost'],
      ips: ['10.0.0.5', '127.0.0.1'],
      notRequested: ['extra.example.com'],
    })
    expect((await judge(pem, {acceptAll: true})).dnsNames).toEqual(['docker1.example.com', 'localhost'])
  })

  it('never signs, even with --accept-csr-sans (exit 7): CA:TRUE, keyCertSign, a wildcard, an email or URI name, 0.0.0.0, no names, 101 names', async () => {
    const dns = [{type: 'dns' as const, value: 'a.example'}]
    const cases = [
      await rawCsr(dns, [new BasicConstraintsExtension(true, 0, true)]),
      await rawCsr(dns, [new KeyUsagesExtension(KeyUsageFlags.keyCertSign)]),
      await rawCsr([{type: 'dns', value: '*.example.com'}]),
      await rawCsr([...dns, {type: 'email', value: 'a@example.com'}]),
      await rawCsr([...dns, {type: 'url', value: 'https://example.com'}]),
      await rawCsr([{type: 'ip', value: '0.0.0.0'}]),
      await rawCsr([]),
      await rawCsr(Array.from({length: 101}, (_, i) => ({type: 'dns' as const, value: `h${i}.example`}))),
    ]
    for (const pem of cases) expect(await exitOf(judge(pem, {acceptAll: true}))).toBe(ExitCode.Refused)
  })
})

describe('signing', () => {
  it("dockcfg's own CSR: the certificate carries the request's key and the judged SANs, CA:FALSE and serverAuth only, whatever else was asked", async () => {
    const made = await createServerCsr({hostnames: ['docker1.example.com'], ips: ['10.0.0.5']})
    expect(made.dnsNames).toEqual(['docker1.example.com', 'localhost'])
    const {facts, request} = await readCsr(made.csrPem, 'csr.pem')
    const sans = judgeCsrSans(facts, {vouched: ['docker1.example.com', '10.0.0.5'], acceptAll: false})
    const {certPem, info} = await signServerCsr(ca, request, facts, sans, {now: new Date()})
    const cert = new X509Certificate(certPem)
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true)
    expect(cert.checkPrivateKey(createPrivateKey(made.key.toPem()))).toBe(true)
    expect(cert.ca).toBe(false)
    expect(info.dnsNames).toEqual(['docker1.example.com', 'localhost'])
    expect(info.ipAddresses).toEqual(['10.0.0.5', '127.0.0.1'])
    expect(info.extendedKeyUsages).toEqual(['serverAuth'])
    expect(info.subject).toBe('CN=docker1.example.com')

    // A request that also asks for clientAuth gets a server certificate all the same.
    const greedy = await rawCsr([{type: 'dns', value: 'b.example'}], [new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth])])
    const g = await readCsr(greedy, 'csr.pem')
    const signed = await signServerCsr(ca, g.request, g.facts, judgeCsrSans(g.facts, {vouched: ['b.example'], acceptAll: false}), {now: new Date()})
    expect(signed.info.extendedKeyUsages).toEqual(['serverAuth'])
  })
})

describe('certificates brought along (checkProvidedServer)', () => {
  it('refuses (exit 3) a certificate expired, not yet valid, or naming none of this host; accepts it in between', async () => {
    const made = await createServerCsr({hostnames: ['docker1.example.com'], ips: []})
    const {facts, request} = await readCsr(made.csrPem, 'csr.pem')
    const now = new Date()
    const {certPem} = await signServerCsr(ca, request, facts, judgeCsrSans(facts, {vouched: ['docker1.example.com'], acceptAll: false}), {now, validityDays: 2})
    const material = {certPem, keyPem: made.key.toPem(), caPem: ca.certPem}
    const host = {required: {dnsNames: [], ips: []}, host: {dnsNames: ['docker1.example.com'], ips: ['10.0.0.5']}}
    const at = (days: number) => new Date(now.getTime() + days * 86_400_000)
    const exit = (fn: () => unknown) => {
      try {
        fn()
      } catch (error) {
        return (error as {exitCode?: number}).exitCode
      }
      return 0
    }
    expect(exit(() => checkProvidedServer(material, host, at(0)))).toBe(0)
    expect(checkProvidedServer(material, host, at(0)).warnings[0]).toMatch(/expires in 1 days/)
    expect(exit(() => checkProvidedServer(material, host, at(3)))).toBe(ExitCode.InvalidConfig)
    expect(exit(() => checkProvidedServer(material, host, at(-1)))).toBe(ExitCode.InvalidConfig)
    expect(exit(() => checkProvidedServer(material, {...host, host: {dnsNames: ['other.example.com'], ips: ['10.0.0.6']}}, at(0)))).toBe(ExitCode.InvalidConfig)
    // A name clients dial (--san) that the certificate carries makes up for the host's own names.
    expect(exit(() => checkProvidedServer(material, {required: {dnsNames: ['docker1.example.com'], ips: []}, host: {dnsNames: ['other'], ips: []}}, at(0)))).toBe(0)
  })
})
