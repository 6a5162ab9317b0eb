import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type CertificateAuthority, type KeyedCertificate, type KeyType, createCa, issueClientCert, issueServerCert} from '../../../src/remote/certs.js'
import {DOCKER_VERSION, type TestServer, httpsGet, startTlsDocker} from './helpers.js'

// A real mutual-TLS handshake on loopback, with a node https server configured the way dockerd
// runs with --tlsverify (client certificate required and verified against the CA).
describe.each<[KeyType]>([['ecdsa-p256'], ['rsa-2048']])('mutual TLS with %s certificates', (keyType) => {
  let ca: CertificateAuthority
  let client: KeyedCertificate
  let server: TestServer

  beforeAll(async () => {
    ca = await createCa({now: new Date(), commonName: `mtls CA ${keyType}`, keyType})
    const serverCert = await issueServerCert(ca, {now: new Date(), hostnames: ['docker.test'], ips: [], keyType})
    client = await issueClientCert(ca, {now: new Date(), commonName: 'client', keyType})
    server = await startTlsDocker({cert: serverCert.certPem, key: serverCert.key.toPem(), ca: ca.certPem, requestCert: true})
  })

  afterAll(async () => {
    await server?.close()
  })

  it('the client bundle gets /_ping OK and /version over 127.0.0.1 (IP SAN added for the self-test)', async () => {
    const ping = await httpsGet({port: server.port, path: '/_ping', ca: ca.certPem, cert: client.certPem, key: client.key.toPem()})
    expect(ping).toEqual({status: 200, body: 'OK'})
    const version = await httpsGet({port: server.port, path: '/version', ca: ca.certPem, cert: client.certPem, key: client.key.toPem()})
    expect(JSON.parse(version.body)).toEqual(DOCKER_VERSION)
  })

  it('verifies by DNS name too (localhost and the given hostname)', async () => {
    for (const servername of ['localhost', 'docker.test']) {
      const ping = await httpsGet({port: server.port, path: '/_ping', ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), servername})
      expect(ping.status).toBe(200)
    }
  })

  it('fails without a client certificate', async () => {
    await expect(httpsGet({port: server.port, path: '/_ping', ca: ca.certPem})).rejects.toThrow(/certificate required|handshake failure|socket hang up|ECONNRESET|alert/i)
  })

  it('fails with a client certificate from another CA', async () => {
    const other = await createCa({now: new Date(), commonName: 'rogue CA'})
    const rogue = await issueClientCert(other, {now: new Date(), commonName: 'mallory'})
    await expect(httpsGet({port: server.port, path: '/_ping', ca: ca.certPem, cert: rogue.certPem, key: rogue.key.toPem()})).rejects.toThrow(
      /unknown ca|bad certificate|decrypt error|socket hang up|ECONNRESET|alert/i,
    )
  })

  it('the client refuses the server when it trusts another CA', async () => {
    const other = await createCa({now: new Date(), commonName: 'other CA'})
    await expect(httpsGet({port: server.port, path: '/_ping', ca: other.certPem, cert: client.certPem, key: client.key.toPem()})).rejects.toThrow(
      /unable to verify|self.signed|issuer/i,
    )
  })

  it('the server certificate is refused for a name not in its SANs', async () => {
    await expect(httpsGet({port: server.port, path: '/_ping', ca: ca.certPem, cert: client.certPem, key: client.key.toPem(), servername: 'elsewhere.test'})).rejects.toThrow(
      /altnames|does not match/i,
    )
  })
})
