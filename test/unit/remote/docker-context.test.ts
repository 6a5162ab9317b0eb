import {createHash} from 'node:crypto'
import * as fsp from 'node:fs/promises'
import {tmpdir} from 'node:os'
import * as path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {ExitCode} from '../../../src/core/exit-codes.js'
import {contextPaths, dockerConfigDir, goJson, loadContextEndpoint, validateContextName, writeDockerContext} from '../../../src/remote/docker-context.js'
import {HostFileSystem} from '../../../src/system/fs.js'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await fsp.rm(d, {recursive: true, force: true})
})
async function configDir(): Promise<{fs: HostFileSystem; dir: string}> {
  const base = await fsp.mkdtemp(path.join(tmpdir(), 'dockcfg-ctx-'))
  dirs.push(base)
  return {fs: new HostFileSystem('/'), dir: path.join(base, 'docker-config')}
}
const mode = async (p: string) => (await fsp.lstat(p)).mode & 0o777
const TLS = {caPem: 'CA PEM\n', certPem: 'CERT PEM\n', keyPem: '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n'}
const exitOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return (error as {exitCode?: number}).exitCode
  }
  return undefined
}

describe('context names', () => {
  it('refuses what the docker CLI refuses, with exit 2: "/", "..", a newline, "default", empty, one character', () => {
    for (const bad of ['/', '..', '../x', 'a/b', 'a\nb', 'ab\n', 'a\rb', 'a\0b', 'default', '', 'a', '-ab', '.ab', 'a b', 'ä-x']) {
      expect(
        exitOf(() => validateContextName(bad)),
        JSON.stringify(bad),
      ).toBe(ExitCode.Usage)
    }
    for (const good of ['docker1', 'a1', 'prod.docker-1_x+y', 'A-B']) expect(validateContextName(good)).toBe(good)
  })

  it('stores any valid name under the SHA-256 of its name, however long (the CLI sets no limit; only the digest is a path)', () => {
    const long = `a${'b'.repeat(100_000)}`
    const paths = contextPaths('/c', long)
    expect(paths.id).toBe(createHash('sha256').update(long).digest('hex'))
    expect(paths.metaFile).toBe(`/c/contexts/meta/${paths.id}/meta.json`)
    expect(paths.endpointTlsDir).toBe(`/c/contexts/tls/${paths.id}/docker`)
    expect(validateContextName(long)).toBe(long)
  })

  it('finds the store where the CLI does: DOCKER_CONFIG, else $HOME/.docker, else the user database home', () => {
    expect(dockerConfigDir({DOCKER_CONFIG: '/cfg', HOME: '/home/a'}, '/root')).toBe('/cfg')
    expect(dockerConfigDir({DOCKER_CONFIG: '', HOME: '/home/a'}, '/root')).toBe('/home/a/.docker')
    expect(dockerConfigDir({}, '/root')).toBe('/root/.docker')
  })
})

describe('writeDockerContext', () => {
  it('writes the layout docker context create writes: meta.json as Go marshals it, TLS files 0600 in 0700 directories', async () => {
    const {fs, dir} = await configDir()
    const result = await writeDockerContext(fs, dir, {name: 'docker1', host: 'tcp://10.0.0.5:2376', tls: TLS, description: 'd'}, {dryRun: false})
    const p = contextPaths(dir, 'docker1')
    expect(result).toMatchObject({name: 'docker1', created: true, changed: true, written: true, metaFile: p.metaFile, keptEndpoints: []})
    expect(await fsp.readFile(p.metaFile, 'utf8')).toBe(
      '{"Name":"docker1","Metadata":{"Description":"d"},"Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":false}}}',
    )
    expect(await mode(p.metaFile)).toBe(0o644)
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) expect(await mode(path.join(p.endpointTlsDir, f))).toBe(0o600)
    for (const d of [dir, path.join(dir, 'contexts'), p.metaDir, p.tlsDir, p.endpointTlsDir]) expect(await mode(d), d).toBe(0o700)
    expect(await fsp.readFile(path.join(p.endpointTlsDir, 'key.pem'), 'utf8')).toBe(TLS.keyPem)
    // Never a key in what is reported.
    expect(JSON.stringify(result)).not.toContain('secret')

    const loaded = await loadContextEndpoint(fs, dir, 'docker1')
    expect(loaded).toMatchObject({host: 'tcp://10.0.0.5:2376', skipTlsVerify: false, tls: {ca: TLS.caPem, cert: TLS.certPem, key: TLS.keyPem}})
  })

  it('updating keeps the other endpoints and the metadata, replaces the docker endpoint and its TLS files; the same again changes nothing', async () => {
    const {fs, dir} = await configDir()
    const p = contextPaths(dir, 'fleet')
    await fsp.mkdir(p.metaDir, {recursive: true})
    await fsp.writeFile(
      p.metaFile,
      '{"Name":"fleet","Metadata":{"Description":"mine","Extra":1},"Endpoints":{"docker":{"Host":"tcp://old:2376","SkipTLSVerify":true},"kubernetes":{"Namespace":"x"}}}',
    )
    await fsp.mkdir(p.endpointTlsDir, {recursive: true})
    await fsp.writeFile(path.join(p.endpointTlsDir, 'key.pem'), 'old key')
    const tlsOnly = {caPem: TLS.caPem, certPem: TLS.certPem, keyPem: TLS.keyPem}
    const result = await writeDockerContext(fs, dir, {name: 'fleet', host: 'tcp://new:2376', tls: tlsOnly, description: 'ignored'}, {dryRun: false})
    expect(result).toMatchObject({created: false, changed: true, keptEndpoints: ['kubernetes']})
    expect(JSON.parse(await fsp.readFile(p.metaFile, 'utf8'))).toEqual({
      Name: 'fleet',
      Metadata: {Description: 'mine', Extra: 1},
      Endpoints: {docker: {Host: 'tcp://new:2376', SkipTLSVerify: false}, kubernetes: {Namespace: 'x'}},
    })
    expect(await fsp.readFile(path.join(p.endpointTlsDir, 'key.pem'), 'utf8')).toBe(TLS.keyPem)
    expect(await mode(path.join(p.endpointTlsDir, 'key.pem'))).toBe(0o600)

    const before = (await fsp.stat(p.metaFile)).mtimeMs
    const again = await writeDockerContext(fs, dir, {name: 'fleet', host: 'tcp://new:2376', tls: tlsOnly, description: 'ignored'}, {dryRun: false})
    expect(again).toMatchObject({changed: false, written: false})
    expect((await fsp.stat(p.metaFile)).mtimeMs).toBe(before)
  })

  it('a context without TLS drops the old TLS files of its docker endpoint, as docker context update does', async () => {
    const {fs, dir} = await configDir()
    await writeDockerContext(fs, dir, {name: 'plain', host: 'tcp://h:2376', tls: TLS, description: ''}, {dryRun: false})
    await writeDockerContext(fs, dir, {name: 'plain', host: 'tcp://h:2375', description: ''}, {dryRun: false})
    expect(await fsp.readdir(contextPaths(dir, 'plain').endpointTlsDir)).toEqual([])
  })

  it('a dry run reports what it would do and writes nothing', async () => {
    const {fs, dir} = await configDir()
    const result = await writeDockerContext(fs, dir, {name: 'dry', host: 'tcp://h:2376', tls: TLS, description: ''}, {dryRun: true})
    expect(result).toMatchObject({created: true, changed: true, written: false})
    await expect(fsp.stat(dir)).rejects.toThrow()
  })

  it('refuses (exit 7) to write a key through a planted symlink, and writes nothing', async () => {
    const {fs, dir} = await configDir()
    const p = contextPaths(dir, 'trap')
    await fsp.mkdir(p.endpointTlsDir, {recursive: true})
    const target = path.join(path.dirname(dir), 'elsewhere')
    await fsp.symlink(target, path.join(p.endpointTlsDir, 'key.pem'))
    await expect(writeDockerContext(fs, dir, {name: 'trap', host: 'tcp://h:2376', tls: TLS, description: ''}, {dryRun: false})).rejects.toMatchObject({
      exitCode: ExitCode.Refused,
    })
    await expect(fsp.stat(target)).rejects.toThrow()
    await expect(fsp.stat(p.metaFile)).rejects.toThrow()
  })

  it("an existing meta.json that is not the CLI's JSON is exit 3, left as it is", async () => {
    const {fs, dir} = await configDir()
    const p = contextPaths(dir, 'broken')
    await fsp.mkdir(p.metaDir, {recursive: true})
    await fsp.writeFile(p.metaFile, '{"Name": "broken", ')
    await expect(writeDockerContext(fs, dir, {name: 'broken', host: 'tcp://h:2376', description: ''}, {dryRun: false})).rejects.toMatchObject({
      exitCode: ExitCode.InvalidConfig,
    })
    await fsp.writeFile(p.metaFile, '[1]')
    await expect(loadContextEndpoint(fs, dir, 'broken')).rejects.toMatchObject({exitCode: ExitCode.InvalidConfig})
    expect(await fsp.readFile(p.metaFile, 'utf8')).toBe('[1]')
  })

  it('an unknown context, or one without a docker host, is a usage error', async () => {
    const {fs, dir} = await configDir()
    await expect(loadContextEndpoint(fs, dir, 'nope')).rejects.toMatchObject({exitCode: ExitCode.Usage})
    const p = contextPaths(dir, 'k8s')
    await fsp.mkdir(p.metaDir, {recursive: true})
    await fsp.writeFile(p.metaFile, '{"Name":"k8s","Endpoints":{"kubernetes":{}}}')
    await expect(loadContextEndpoint(fs, dir, 'k8s')).rejects.toMatchObject({exitCode: ExitCode.Usage})
  })
})

describe('goJson', () => {
  it('escapes <, >, &, U+2028 and U+2029 as Go does, inside strings only', () => {
    expect(goJson({Description: 'a<b>&c\u2028\u2029'})).toBe('{"Description":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029"}')
    expect(JSON.parse(goJson({x: '<&>'}))).toEqual({x: '<&>'})
  })
})
