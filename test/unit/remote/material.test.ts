import {beforeAll, describe, expect, it} from 'vitest'

import {type CertificateAuthority, type KeyedCertificate, createCa, issueClientCert, issueServerCert} from '../../../src/remote/certs.js'
import {isCaCertificate, missingSans, reusableLeaf, sameCertificate} from '../../../src/remote/material.js'

let ca: CertificateAuthority
let other: CertificateAuthority
let server: KeyedCertificate
let client: KeyedCertificate

beforeAll(async () => {
  ca = await createCa({now: new Date(), commonName: 'material CA'})
  other = await createCa({now: new Date(), commonName: 'other CA'})
  server = await issueServerCert(ca, {now: new Date(), hostnames: ['h1.example.com'], ips: ['10.0.0.5']})
  client = await issueClientCert(ca, {now: new Date(), commonName: 'c'})
})

describe('reusableLeaf', () => {
  it('accepts a leaf of this CA with its own key and the right usage', () => {
    expect(reusableLeaf({certPem: server.certPem, keyPem: server.key.toPem()}, ca.certPem, 'serverAuth', new Date())).toMatchObject({ok: true})
    expect(reusableLeaf({certPem: client.certPem, keyPem: client.key.toPem()}, ca.certPem, 'clientAuth', new Date())).toMatchObject({ok: true})
  })

  it('refuses, with the reason, what cannot be kept', () => {
    expect(reusableLeaf({certPem: undefined, keyPem: undefined}, ca.certPem, 'serverAuth', new Date())).toEqual({ok: false, reason: 'not there yet'})
    expect(reusableLeaf({certPem: server.certPem, keyPem: server.key.toPem()}, other.certPem, 'serverAuth', new Date())).toMatchObject({ok: false, reason: 'issued by another CA'})
    expect(reusableLeaf({certPem: server.certPem, keyPem: client.key.toPem()}, ca.certPem, 'serverAuth', new Date())).toMatchObject({
      ok: false,
      reason: 'the key does not belong to the certificate',
    })
    expect(reusableLeaf({certPem: client.certPem, keyPem: client.key.toPem()}, ca.certPem, 'serverAuth', new Date())).toMatchObject({
      ok: false,
      reason: 'not usable for serverAuth',
    })
    expect(reusableLeaf({certPem: 'garbage', keyPem: 'x'}, ca.certPem, 'serverAuth', new Date())).toMatchObject({ok: false, reason: 'not a readable certificate'})
  })

  it('re-issues a certificate within 30 days of expiry', async () => {
    const short = await issueServerCert(ca, {now: new Date(), hostnames: ['h'], ips: [], validityDays: 20})
    expect(reusableLeaf({certPem: short.certPem, keyPem: short.key.toPem()}, ca.certPem, 'serverAuth', new Date())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^expires in 1\d days$/) as unknown,
    })
  })
})

describe('missingSans / certificate identity', () => {
  it('lists the names and addresses a certificate lacks (IPv6 compared canonically)', () => {
    const info = server.info
    expect(missingSans(info, {dnsNames: ['h1.example.com', 'localhost'], ips: ['10.0.0.5', '127.0.0.1']})).toEqual([])
    expect(missingSans(info, {dnsNames: ['H1.EXAMPLE.COM', 'h2.example.com'], ips: ['10.0.0.6', '0:0:0:0:0:0:0:1']})).toEqual(['h2.example.com', '10.0.0.6', '0:0:0:0:0:0:0:1'])
  })

  it('tells CA certificates and identical certificates apart', () => {
    expect(isCaCertificate(ca.certPem)).toBe(true)
    expect(isCaCertificate(server.certPem)).toBe(false)
    expect(isCaCertificate(undefined)).toBe(false)
    expect(sameCertificate(ca.certPem, ca.certPem.replace(/\n$/, '\n\n'))).toBe(true)
    expect(sameCertificate(ca.certPem, other.certPem)).toBe(false)
    expect(sameCertificate(undefined, ca.certPem)).toBe(false)
  })
})
