import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/core/errors.js'
import {clientTlsFromEnv, loadClientTls, parseEndpoint} from '../../../src/remote/endpoint.js'

describe('parseEndpoint', () => {
  it.each([
    ['tcp://docker1:2376', 'docker1', 2376, 'tcp://docker1:2376'],
    ['tcp://Docker1.Example.com:2375/', 'docker1.example.com', 2375, 'tcp://docker1.example.com:2375'],
    ['docker1', 'docker1', 2376, 'tcp://docker1:2376'],
    ['docker1:12376', 'docker1', 12376, 'tcp://docker1:12376'],
    ['tcp://10.0.0.5', '10.0.0.5', 2376, 'tcp://10.0.0.5:2376'],
    ['tcp://[2001:DB8::1]:2376', '2001:db8::1', 2376, 'tcp://[2001:db8::1]:2376'],
    ['[::1]', '::1', 2376, 'tcp://[::1]:2376'],
    ['::1', '::1', 2376, 'tcp://[::1]:2376'],
    ['TCP://h:1', 'h', 1, 'tcp://h:1'],
  ])('%s', (input, host, port, url) => {
    expect(parseEndpoint(input)).toEqual({host, port, url})
  })

  it('takes another default port', () => {
    expect(parseEndpoint('h', 2375).port).toBe(2375)
  })

  it.each([
    'unix:///var/run/docker.sock',
    'ssh://user@host',
    'fd://',
    'tcp://',
    'tcp://h:0',
    'tcp://h:65536',
    'tcp://h:abc',
    'tcp://h:2376/v1.41',
    'tcp://u@h:2376',
    '2001:db8::1:2376x',
    '[::1',
    'tcp://[not-v6]:1',
    ':2376',
  ])('refuses %j', (input) => {
    expect(() => parseEndpoint(input)).toThrow(UsageError)
  })
})

describe('clientTlsFromEnv (docker CLI rules)', () => {
  const home = '/home/alice'

  it('nothing set: no TLS, default cert dir ~/.docker', () => {
    const s = clientTlsFromEnv({env: {}, homeDir: home})
    expect(s).toMatchObject({
      host: undefined,
      tls: false,
      verify: false,
      certDir: '/home/alice/.docker',
      caFile: '/home/alice/.docker/ca.pem',
      certFile: '/home/alice/.docker/cert.pem',
      keyFile: '/home/alice/.docker/key.pem',
    })
  })

  it.each(['1', '0', 'false', 'no'])('DOCKER_TLS_VERIFY=%j (any non-empty value) turns TLS and verification on', (value) => {
    expect(clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: value}, homeDir: home})).toMatchObject({tls: true, verify: true})
  })

  it('DOCKER_TLS_VERIFY="" is off', () => {
    expect(clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: ''}, homeDir: home})).toMatchObject({tls: false, verify: false})
  })

  it('DOCKER_TLS turns TLS on without verification', () => {
    expect(clientTlsFromEnv({env: {DOCKER_TLS: '1'}, homeDir: home})).toMatchObject({tls: true, verify: false})
  })

  it('--tlsverify=false still turns TLS on (given at all), without verification', () => {
    expect(clientTlsFromEnv({env: {}, tlsverify: false, homeDir: home})).toMatchObject({tls: true, verify: false})
    expect(clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, tlsverify: false, homeDir: home})).toMatchObject({tls: true, verify: false})
  })

  it('DOCKER_HOST is the endpoint when non-empty', () => {
    expect(clientTlsFromEnv({env: {DOCKER_HOST: 'tcp://h:2376'}, homeDir: home}).host).toBe('tcp://h:2376')
    expect(clientTlsFromEnv({env: {DOCKER_HOST: ''}, homeDir: home}).host).toBeUndefined()
  })

  it('cert dir: flag > DOCKER_CERT_PATH > DOCKER_CONFIG > $HOME/.docker', () => {
    expect(clientTlsFromEnv({env: {DOCKER_CERT_PATH: '/certs', DOCKER_CONFIG: '/cfg'}, certDir: '/flag', homeDir: home}).certDir).toBe('/flag')
    expect(clientTlsFromEnv({env: {DOCKER_CERT_PATH: '/certs', DOCKER_CONFIG: '/cfg'}, homeDir: home}).caFile).toBe('/certs/ca.pem')
    expect(clientTlsFromEnv({env: {DOCKER_CONFIG: '/cfg'}, homeDir: home}).keyFile).toBe('/cfg/key.pem')
    expect(clientTlsFromEnv({env: {HOME: '/root'}, homeDir: '/from-passwd'}).certDir).toBe('/root/.docker')
  })

  it('explicit file flags win and are marked explicit', () => {
    const s = clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, tlscacert: '/x/ca', tlscert: '/x/c', homeDir: home})
    expect(s).toMatchObject({caFile: '/x/ca', certFile: '/x/c', keyFile: '/home/alice/.docker/key.pem', explicit: {ca: true, cert: true, key: false}})
  })
})

describe('loadClientTls', () => {
  const files = (map: Record<string, string>) => async (p: string) => map[p]

  it('TLS off: nothing is read', async () => {
    const s = clientTlsFromEnv({env: {}, homeDir: '/h'})
    expect(
      await loadClientTls(s, async () => {
        throw new Error('must not read')
      }),
    ).toBeUndefined()
  })

  it('reads all three when present', async () => {
    const s = clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, homeDir: '/h'})
    const tls = await loadClientTls(s, files({'/h/.docker/ca.pem': 'CA', '/h/.docker/cert.pem': 'CERT', '/h/.docker/key.pem': 'KEY'}))
    expect(tls).toEqual({ca: 'CA', cert: 'CERT', key: 'KEY', verify: true})
  })

  it('silently drops missing default cert/key (the forgotten-client-cert case)', async () => {
    const s = clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, homeDir: '/h'})
    expect(await loadClientTls(s, files({'/h/.docker/ca.pem': 'CA'}))).toEqual({ca: 'CA', cert: undefined, key: undefined, verify: true})
  })

  it('an explicit but missing cert is an error', async () => {
    const s = clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, tlscert: '/nope/cert.pem', homeDir: '/h'})
    await expect(loadClientTls(s, files({'/h/.docker/ca.pem': 'CA', '/h/.docker/key.pem': 'KEY'}))).rejects.toThrow(/could not read client certificate \/nope\/cert.pem/)
  })

  it('a missing CA is an error when verifying, and not read at all when not', async () => {
    const verifying = clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, homeDir: '/h'})
    await expect(loadClientTls(verifying, files({}))).rejects.toThrow(/could not read CA certificate/)
    const notVerifying = clientTlsFromEnv({env: {DOCKER_TLS: '1'}, homeDir: '/h'})
    expect(await loadClientTls(notVerifying, files({'/h/.docker/ca.pem': 'CA'}))).toEqual({ca: undefined, cert: undefined, key: undefined, verify: false})
  })

  it('a cert without its key is an error', async () => {
    const s = clientTlsFromEnv({env: {DOCKER_TLS_VERIFY: '1'}, homeDir: '/h'})
    await expect(loadClientTls(s, files({'/h/.docker/ca.pem': 'CA', '/h/.docker/cert.pem': 'CERT'}))).rejects.toThrow(/needs its key/)
  })
})
