// @peculiar/x509 is imported directly below, so the Reflect polyfill must come first here too.
import 'reflect-metadata'
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate as PeculiarCertificate,
} from '@peculiar/x509'
import {X509Certificate, createPrivateKey, webcrypto} from 'node:crypto'
import {inspect} from 'node:util'
import {beforeAll, describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/core/errors.js'
import {
  CA_VALIDITY_DAYS,
  type CertificateAuthority,
  LEAF_VALIDITY_DAYS,
  createCa,
  describeCertificate,
  issueClientCert,
  issueServerCert,
  loadCa,
} from '../../../src/remote/certs.js'

const DAY = 86_400_000

describe('ECDSA P-256 (default) set', () => {
  let ca: CertificateAuthority
  let server: Awaited<ReturnType<typeof issueServerCert>>
  let client: Awaited<ReturnType<typeof issueClientCert>>

  beforeAll(async () => {
    // Half a second past a whole second: certificates keep whole seconds, so "valid for N days"
    // reads as N-1 whole days left every time, not only when the clock's milliseconds aren't 0.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 500)
    ca = await createCa({commonName: 'dockcfg test CA', now})
    server = await issueServerCert(ca, {hostnames: ['docker1', 'docker1.example.com'], ips: ['192.0.2.10', '2001:db8::10'], now})
    client = await issueClientCert(ca, {commonName: 'alice', now})
  })

  it('chains: leafs are issued and signed by the CA (node:crypto)', () => {
    const caX = new X509Certificate(ca.certPem)
    for (const leaf of [server, client]) {
      const x = new X509Certificate(leaf.certPem)
      expect(x.checkIssued(caX)).toBe(true)
      expect(x.verify(caX.publicKey)).toBe(true)
      expect(x.ca).toBe(false)
    }
    expect(caX.ca).toBe(true)
    expect(caX.verify(caX.publicKey)).toBe(true)
  })

  it('a certificate from another CA does not chain', async () => {
    const other = await createCa({now: new Date(), commonName: 'other CA'})
    const x = new X509Certificate(server.certPem)
    const otherX = new X509Certificate(other.certPem)
    expect(x.checkIssued(otherX)).toBe(false)
    expect(x.verify(otherX.publicKey)).toBe(false)
  })

  it('server SANs cover every name and address given, plus localhost and 127.0.0.1; CN is not needed', () => {
    const x = new X509Certificate(server.certPem)
    for (const name of ['docker1', 'docker1.example.com', 'localhost']) expect(x.checkHost(name, {subject: 'never'})).toBe(name)
    for (const ip of ['192.0.2.10', '2001:db8::10', '127.0.0.1']) expect(x.checkIP(ip)).toBeDefined()
    expect(x.checkHost('other.example.com', {subject: 'never'})).toBeUndefined()
    expect(x.checkIP('192.0.2.11')).toBeUndefined()
    expect(server.info.dnsNames).toEqual(['docker1', 'docker1.example.com', 'localhost'])
    expect(server.info.ipAddresses).toEqual(['192.0.2.10', '2001:db8::10', '127.0.0.1'])
  })

  it('CA extensions: basicConstraints CA critical pathLen 0, keyCertSign+cRLSign, SKI', () => {
    const c = new PeculiarCertificate(ca.certPem)
    const bc = c.getExtension(BasicConstraintsExtension)
    expect(bc?.ca).toBe(true)
    expect(bc?.pathLength).toBe(0)
    expect(bc?.critical).toBe(true)
    const ku = c.getExtension(KeyUsagesExtension)
    expect(ku?.usages).toBe(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)
    expect(c.getExtension(SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/)
    expect(c.getExtension(ExtendedKeyUsageExtension)).toBeNull()
  })

  it('leaf extensions: AKI = CA SKI, SKI, digitalSignature only (EC), EKU serverAuth / clientAuth', () => {
    const caSki = new PeculiarCertificate(ca.certPem).getExtension(SubjectKeyIdentifierExtension)?.keyId
    for (const [leaf, eku] of [
      [server, ExtendedKeyUsage.serverAuth],
      [client, ExtendedKeyUsage.clientAuth],
    ] as const) {
      const c = new PeculiarCertificate(leaf.certPem)
      expect(c.getExtension(AuthorityKeyIdentifierExtension)?.keyId).toBe(caSki)
      expect(c.getExtension(SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/)
      expect(c.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature)
      expect(c.getExtension(ExtendedKeyUsageExtension)?.usages).toEqual([eku])
      expect(c.getExtension(BasicConstraintsExtension)?.ca).toBe(false)
    }
    const san = new PeculiarCertificate(server.certPem).getExtension(SubjectAlternativeNameExtension)
    expect(san?.names.toJSON()).toEqual([
      {type: 'dns', value: 'docker1'},
      {type: 'dns', value: 'docker1.example.com'},
      {type: 'dns', value: 'localhost'},
      {type: 'ip', value: '192.0.2.10'},
      {type: 'ip', value: '2001:db8::10'},
      {type: 'ip', value: '127.0.0.1'},
    ])
    expect(new PeculiarCertificate(client.certPem).getExtension(SubjectAlternativeNameExtension)).toBeNull()
  })

  it('describeCertificate reports names, EKUs, validity and a SHA-256 fingerprint', () => {
    expect(client.info.subject).toBe('CN=alice')
    expect(client.info.issuer).toBe('CN=dockcfg test CA')
    expect(client.info.extendedKeyUsages).toEqual(['clientAuth'])
    expect(server.info.extendedKeyUsages).toEqual(['serverAuth'])
    expect(ca.info.isCa).toBe(true)
    expect(server.info.publicKey).toBe('ec prime256v1')
    expect(server.info.fingerprintSha256).toBe(new X509Certificate(server.certPem).fingerprint256)
    expect(server.info.daysUntilExpiry).toBe(LEAF_VALIDITY_DAYS - 1)
    expect(ca.info.daysUntilExpiry).toBe(CA_VALIDITY_DAYS - 1)
    const later = describeCertificate(server.certPem, new Date(Date.parse(server.info.notAfter) + DAY))
    expect(later.expired).toBe(true)
    expect(later.daysUntilExpiry).toBe(-1)
  })

  it('keys are unencrypted PKCS#8 PEM that match their certificates', () => {
    for (const kc of [ca, server, client]) {
      const pem = kc.key.toPem()
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
      expect(pem).not.toMatch(/ENCRYPTED/)
      const key = createPrivateKey(pem)
      expect(new X509Certificate(kc.certPem).checkPrivateKey(key)).toBe(true)
    }
  })

  it('private keys never show up in JSON, string conversion or inspect', () => {
    const pemBody = server.key.toPem().split('\n')[1] as string
    expect(JSON.stringify(server)).not.toContain(pemBody)
    expect(JSON.stringify(server)).toContain('[private key]')
    expect(inspect(server, {depth: 10})).not.toContain(pemBody)
    expect(String(server.key)).toBe('[private key]')
    expect(JSON.stringify(server.info)).not.toMatch(/PRIVATE/)
  })

  it('serials are random, positive and distinct', () => {
    const serials = [ca, server, client].map((c) => c.info.serialNumber)
    expect(new Set(serials).size).toBe(3)
    for (const s of serials) {
      expect(s).toMatch(/^[0-9A-F]{32}$/)
      expect(Number.parseInt(s.slice(0, 2), 16)).toBeGreaterThanOrEqual(0x40)
      expect(Number.parseInt(s.slice(0, 2), 16)).toBeLessThan(0x80)
    }
  })
})

describe('validity', () => {
  it('uses injected now, backdates one hour, and CA 10 y / leaf 825 d by default', async () => {
    const now = new Date('2030-01-01T00:00:00Z')
    const ca = await createCa({commonName: 'ca', now})
    const leaf = await issueClientCert(ca, {commonName: 'c', now})
    expect(ca.info.notBefore).toBe('2029-12-31T23:00:00.000Z')
    expect(Date.parse(ca.info.notAfter) - now.getTime()).toBe(CA_VALIDITY_DAYS * DAY)
    expect(Date.parse(leaf.info.notAfter) - now.getTime()).toBe(LEAF_VALIDITY_DAYS * DAY)
  })

  it('never lets a leaf outlive its CA', async () => {
    const now = new Date()
    const ca = await createCa({commonName: 'short CA', validityDays: 100, now})
    const leaf = await issueServerCert(ca, {hostnames: ['h'], ips: [], now})
    expect(leaf.info.notAfter).toBe(ca.info.notAfter)
  })

  it('rejects non-positive validity', async () => {
    await expect(createCa({now: new Date(), commonName: 'x', validityDays: 0})).rejects.toBeInstanceOf(UsageError)
  })
})

describe('input validation', () => {
  let ca: CertificateAuthority
  beforeAll(async () => {
    ca = await createCa({now: new Date(), commonName: 'v'})
  })
  it('refuses IPs in hostnames, names in ips, and empty common names', async () => {
    await expect(issueServerCert(ca, {now: new Date(), hostnames: ['10.0.0.1'], ips: []})).rejects.toBeInstanceOf(UsageError)
    await expect(issueServerCert(ca, {now: new Date(), hostnames: [], ips: ['host']})).rejects.toBeInstanceOf(UsageError)
    await expect(issueClientCert(ca, {now: new Date(), commonName: ' '})).rejects.toBeInstanceOf(UsageError)
  })
  it('keeps a common name with commas as one CN attribute', async () => {
    const c = await issueClientCert(ca, {now: new Date(), commonName: 'a, O=evil'})
    const x = new X509Certificate(c.certPem)
    expect(x.subject.split('\n').filter(Boolean)).toHaveLength(1)
  })
  it('server without hostnames uses the first IP as CN and still gets localhost', async () => {
    const s = await issueServerCert(ca, {now: new Date(), hostnames: [], ips: ['10.1.2.3']})
    expect(s.info.subject).toBe('CN=10.1.2.3')
    expect(s.info.dnsNames).toEqual(['localhost'])
  })
})

describe('RSA', () => {
  it('rsa-2048: chain verifies, leaf keyUsage adds keyEncipherment, SHA-256 RSA signatures', async () => {
    const ca = await createCa({now: new Date(), commonName: 'rsa CA', keyType: 'rsa-2048'})
    const server = await issueServerCert(ca, {now: new Date(), hostnames: ['h'], ips: ['10.0.0.1'], keyType: 'rsa-2048'})
    const caX = new X509Certificate(ca.certPem)
    const x = new X509Certificate(server.certPem)
    expect(x.checkIssued(caX) && x.verify(caX.publicKey)).toBe(true)
    expect(server.info.publicKey).toBe('rsa 2048')
    const c = new PeculiarCertificate(server.certPem)
    expect(c.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment)
    expect((c.signatureAlgorithm as unknown as {name: string}).name).toBe('RSASSA-PKCS1-v1_5')
    expect(createPrivateKey(server.key.toPem()).asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('mixed: an ECDSA leaf under an RSA-4096 CA', async () => {
    const ca = await createCa({now: new Date(), commonName: 'big CA', keyType: 'rsa-4096'})
    const leaf = await issueClientCert(ca, {now: new Date(), commonName: 'c'})
    expect(ca.info.publicKey).toBe('rsa 4096')
    expect(leaf.info.publicKey).toBe('ec prime256v1')
    expect(new X509Certificate(leaf.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true)
  })
})

describe('loadCa', () => {
  it('round-trips a created CA and issues certificates that chain to it', async () => {
    const ca = await createCa({now: new Date(), commonName: 'fleet CA'})
    const loaded = await loadCa(ca.certPem, ca.key.toPem(), new Date())
    expect(loaded.info.fingerprintSha256).toBe(ca.info.fingerprintSha256)
    const leaf = await issueServerCert(loaded, {now: new Date(), hostnames: ['host2'], ips: []})
    expect(new X509Certificate(leaf.certPem).checkIssued(new X509Certificate(ca.certPem))).toBe(true)
    expect(new X509Certificate(leaf.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true)
  })

  it('accepts an openssl-style SEC1 "EC PRIVATE KEY" and normalises it to PKCS#8', async () => {
    const ca = await createCa({now: new Date(), commonName: 'sec1 CA'})
    const sec1 = createPrivateKey(ca.key.toPem()).export({type: 'sec1', format: 'pem'}).toString()
    expect(sec1).toMatch(/BEGIN EC PRIVATE KEY/)
    const loaded = await loadCa(ca.certPem, sec1, new Date())
    expect(loaded.key.toPem()).toMatch(/BEGIN PRIVATE KEY/)
    expect(loaded.key.type).toBe('ecdsa-p256')
  })

  it('refuses a key that does not belong to the certificate', async () => {
    const a = await createCa({now: new Date(), commonName: 'a'})
    const b = await createCa({now: new Date(), commonName: 'b'})
    await expect(loadCa(a.certPem, b.key.toPem(), new Date())).rejects.toThrow(/does not belong/)
  })

  it('refuses a leaf certificate as CA', async () => {
    const ca = await createCa({now: new Date(), commonName: 'a'})
    const leaf = await issueClientCert(ca, {now: new Date(), commonName: 'c'})
    await expect(loadCa(leaf.certPem, leaf.key.toPem(), new Date())).rejects.toThrow(/not a CA/)
  })

  it('refuses an encrypted key with a remedy, and garbage with a clear error', async () => {
    const ca = await createCa({now: new Date(), commonName: 'a'})
    const encrypted = createPrivateKey(ca.key.toPem()).export({type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw'}).toString()
    const error = await loadCa(ca.certPem, encrypted, new Date()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toMatch(/encrypted/)
    expect((error as UsageError).remedy).toMatch(/openssl pkey/)
    await expect(loadCa('not a cert', ca.key.toPem(), new Date())).rejects.toBeInstanceOf(UsageError)
  })

  it('refuses unsupported key types (P-384) with the supported list', async () => {
    // A P-384 self-signed CA made with @peculiar/x509 directly.
    const {X509CertificateGenerator, BasicConstraintsExtension: BC} = await import('@peculiar/x509')
    const keys = (await webcrypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-384'}, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    const cert = await X509CertificateGenerator.createSelfSigned({name: 'CN=p384', keys, signingAlgorithm: {name: 'ECDSA', hash: 'SHA-384'}, extensions: [new BC(true, 0, true)]})
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
    const pem = `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n`
    await expect(loadCa(cert.toString('pem'), pem, new Date())).rejects.toThrow(/unsupported CA key type: ec secp384r1/)
    // Sanity: the key itself is fine, only its type is refused.
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('ec')
  })
})
