import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseOpenRcConfd} from '../../../src/systemd/openrc.js'
import {resolveUnitFiles} from '../../../src/systemd/resolve.js'
import {resolveDockerService} from '../../../src/systemd/service.js'
import {FIXTURES, VENDOR_UNIT, makeTree} from './helpers.js'

async function withTree<T>(files: Record<string, Buffer | string>, fn: (t: Awaited<ReturnType<typeof makeTree>>) => Promise<T>): Promise<T> {
  const tree = await makeTree(files)
  try {
    return await fn(tree)
  } finally {
    await tree.cleanup()
  }
}

const vendor = await fsp.readFile(VENDOR_UNIT)

describe('unit and drop-in resolution', () => {
  it('merges drop-ins by name: /etc beats /run beats /usr/lib, /dev/null suppresses, lexical order', async () => {
    await withTree(
      {
        '/lib/systemd/system/docker.service': vendor,
        '/usr/lib/systemd/system/docker.service.d/10-a.conf': '[Service]\nEnvironment=A=usr\n',
        '/usr/lib/systemd/system/docker.service.d/20-b.conf': '[Service]\nEnvironment=B=usr\n',
        '/run/systemd/system/docker.service.d/10-a.conf': '[Service]\nEnvironment=A=run\n',
        '/etc/systemd/system/docker.service.d/10-a.conf': '[Service]\nEnvironment=A=etc\n',
        '/etc/systemd/system/docker.service.d/05-z.conf': '[Service]\nEnvironment=Z=etc\n',
        '/etc/systemd/system/docker.service.d/notes.txt': 'ignored',
      },
      async (t) => {
        await fsp.symlink('/dev/null', path.join(t.root, 'etc/systemd/system/docker.service.d/20-b.conf'))
        const r = await resolveDockerService(t.fs)
        expect(r.unitPath).toBe('/usr/lib/systemd/system/docker.service'.replace('/usr/lib', '/lib'))
        expect(r.dropInPaths).toEqual([
          '/etc/systemd/system/docker.service.d/05-z.conf',
          '/etc/systemd/system/docker.service.d/10-a.conf',
          '/etc/systemd/system/docker.service.d/20-b.conf',
        ])
        expect(r.dropIns.find((d) => d.name === '20-b.conf')?.masked).toBe(true)
        expect(r.environment.A).toMatchObject({value: 'etc', file: '/etc/systemd/system/docker.service.d/10-a.conf', line: 2})
        expect(r.environment.B).toBeUndefined()
      },
    )
  })

  it('counts /lib and /usr/lib once when /lib is a symlink (merged /usr)', async () => {
    await withTree({'/usr/lib/systemd/system/docker.service': vendor, '/usr/lib/systemd/system/docker.service.d/x.conf': '[Service]\n'}, async (t) => {
      await fsp.symlink('usr/lib', path.join(t.root, 'lib'))
      const files = await resolveUnitFiles(t.fs, 'docker.service')
      expect(files.fragment?.path).toBe('/usr/lib/systemd/system/docker.service')
      expect(files.shadowed).toEqual([])
      expect(files.searchPath).not.toContain('/lib/systemd/system')
      expect(files.dropIns.map((d) => d.path)).toEqual(['/usr/lib/systemd/system/docker.service.d/x.conf'])
    })
  })

  it('a full copy in /etc masks the vendor unit; a /dev/null link masks the unit', async () => {
    await withTree({'/lib/systemd/system/docker.service': vendor, '/etc/systemd/system/docker.service': '[Service]\nExecStart=/usr/bin/dockerd\n'}, async (t) => {
      const r = await resolveDockerService(t.fs)
      expect(r.unitPath).toBe('/etc/systemd/system/docker.service')
      expect(r.shadowedUnits).toEqual(['/lib/systemd/system/docker.service'])
      expect(r.type).toBe('simple')
      expect(r.argv).toEqual(['/usr/bin/dockerd'])
    })
    await withTree({'/lib/systemd/system/docker.service': vendor}, async (t) => {
      await fsp.mkdir(path.join(t.root, 'etc/systemd/system'), {recursive: true})
      await fsp.symlink('/dev/null', path.join(t.root, 'etc/systemd/system/docker.service'))
      const r = await resolveDockerService(t.fs)
      expect(r.masked).toBe(true)
      expect(r.argv).toBeNull()
      expect(r.errors[0]?.message).toMatch(/masked/)
    })
  })

  it('reports a missing unit', async () => {
    await withTree({'/etc/hostname': 'x\n'}, async (t) => {
      const r = await resolveDockerService(t.fs)
      expect(r.unitPath).toBeUndefined()
      expect(r.argv).toBeNull()
    })
  })
})

describe('effective ExecStart with origins', () => {
  it('says where each element came from, including $DOCKER_OPTS from /etc/default/docker', async () => {
    await withTree({'/lib/systemd/system/docker.service': vendor, '/etc/default/docker': '# opts\n\nDOCKER_OPTS="--dns 8.8.8.8"\n'}, async (t) => {
      const r = await resolveDockerService(t.fs)
      expect(r.type).toBe('notify')
      expect(r.execStartPrefixes).toBe('')
      expect(r.argvOrigins).toEqual([
        {value: '/usr/sbin/dockerd', file: '/lib/systemd/system/docker.service', line: 14, wordIndex: 0},
        {value: '-H', file: '/lib/systemd/system/docker.service', line: 14, wordIndex: 1},
        {value: 'fd://', file: '/lib/systemd/system/docker.service', line: 14, wordIndex: 2},
        {value: '--containerd=/run/containerd/containerd.sock', file: '/lib/systemd/system/docker.service', line: 14, wordIndex: 3},
        // Both elements come out of the one word $DOCKER_OPTS.
        {value: '--dns', file: '/lib/systemd/system/docker.service', line: 14, wordIndex: 4, viaVariable: 'DOCKER_OPTS', variableFile: '/etc/default/docker', variableLine: 3},
        {value: '8.8.8.8', file: '/lib/systemd/system/docker.service', line: 14, wordIndex: 4, viaVariable: 'DOCKER_OPTS', variableFile: '/etc/default/docker', variableLine: 3},
      ])
      expect(r.environmentFiles).toEqual([{path: '/etc/default/docker', optional: true, file: '/lib/systemd/system/docker.service', line: 13, loaded: ['/etc/default/docker']}])
    })
  })

  it('EnvironmentFile= overrides Environment= regardless of order', async () => {
    await withTree(
      {
        '/lib/systemd/system/docker.service': vendor,
        '/etc/default/docker': 'DOCKER_OPTS=--from-file\n',
        '/etc/systemd/system/docker.service.d/env.conf': '[Service]\nEnvironment=DOCKER_OPTS=--from-environment\n',
      },
      async (t) => {
        const r = await resolveDockerService(t.fs)
        expect(r.argv?.at(-1)).toBe('--from-file')
        expect(r.environment.DOCKER_OPTS?.source).toBe('EnvironmentFile')
      },
    )
  })

  it('refuses a second ExecStart without reset on a notify service', async () => {
    await withTree({'/lib/systemd/system/docker.service': vendor, '/etc/systemd/system/docker.service.d/x.conf': '[Service]\nExecStart=/usr/bin/dockerd -D\n'}, async (t) => {
      const r = await resolveDockerService(t.fs)
      expect(r.argv).toBeNull()
      expect(r.execStart).toHaveLength(2)
      expect(r.errors[0]?.journal?.[0]).toBe('docker.service: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.')
    })
  })

  it('warns about a shell wrapper and reads the docker command out of it', async () => {
    await withTree(
      {
        '/lib/systemd/system/docker.service': vendor,
        '/etc/sysconfig/docker': "OPTIONS='--selinux-enabled -H unix:///run/docker.sock'\n",
        '/etc/systemd/system/docker.service': await fsp.readFile(path.join(FIXTURES, 'units/fedora-docker-rpm-2016-sh-c-forward-journald-docker.service')),
      },
      async (t) => {
        const r = await resolveDockerService(t.fs)
        expect(r.processArgv?.slice(0, 2)).toEqual(['/bin/sh', '-c'])
        expect(r.argv).toEqual(['/usr/bin/docker', 'daemon', '--selinux-enabled', '-H', 'unix:///run/docker.sock'])
        expect(r.argvOrigins?.[3]).toMatchObject({viaVariable: 'OPTIONS', variableFile: '/etc/sysconfig/docker', variableLine: 1})
        expect(r.wrapper).toMatchObject({kind: 'shell', interpreted: true})
        expect(r.warnings.some((w) => /shell/.test(w.message))).toBe(true)
      },
    )
  })

  it('ignores assignments outside any section and warns (BROKEN drop-in)', async () => {
    await withTree(
      {
        '/lib/systemd/system/docker.service': vendor,
        '/etc/systemd/system/docker.service.d/x.conf': await fsp.readFile(path.join(FIXTURES, 'dropins/ukhomeoffice-BROKEN-no-section-header.conf')),
      },
      async (t) => {
        const r = await resolveDockerService(t.fs)
        expect(r.argv?.[0]).toBe('/usr/sbin/dockerd')
        expect(r.directives.filter((d) => d.ignored === 'Assignment outside of section')).toHaveLength(2)
      },
    )
  })

  it('refuses a file with a broken section header', async () => {
    await withTree({'/lib/systemd/system/docker.service': vendor, '/etc/systemd/system/docker.service.d/x.conf': '[Service\nExecStart=\n'}, async (t) => {
      const r = await resolveDockerService(t.fs)
      expect(r.argv).toBeNull()
      expect(r.errors[0]?.message).toMatch(/Invalid section header/)
    })
  })
})

describe('OpenRC /etc/conf.d/docker', () => {
  it.each([
    [
      'alpine-user-conf.d-docker-custom-runtime-westonsteimel',
      '/usr/local/bin/dockerd',
      ['--experimental', '--add-runtime', 'local-runc=/usr/local/bin/runc', '--default-runtime', 'local-runc', '--seccomp-profile=/etc/docker/seccomp/default.json'],
    ],
    ['gentoo-user-conf.d-docker-btrfs-data-root', '/usr/bin/dockerd', ['--storage-driver', 'btrfs', '--data-root', '/var/lib/docker']],
    ['moby-master-docker.confd', '/usr/bin/dockerd', []],
    ['moby-v1.0.0-docker.confd', '/usr/bin/dockerd', []],
  ])('%s', async (name, binary, args) => {
    const r = parseOpenRcConfd(await fsp.readFile(path.join(FIXTURES, 'openrc', name), 'utf8'))
    expect(r.binary.value).toBe(binary)
    expect(r.args.map((a) => a.value)).toEqual(args)
    for (const a of r.args) expect(a).toMatchObject({file: '/etc/conf.d/docker', viaVariable: 'DOCKER_OPTS', line: r.variables.DOCKER_OPTS?.line})
  })

  it('evaluates quotes inside DOCKER_OPTS like openrc-run eval and warns about what it cannot evaluate', () => {
    const r = parseOpenRcConfd('BASE=/srv\nDOCKER_OPTS="--label \'a b\' --data-root ${BASE}/docker $(hostname)"\nif true; then :; fi\n')
    expect(r.args.map((a) => a.value).slice(0, 4)).toEqual(['--label', 'a b', '--data-root', '/srv/docker'])
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/command substitution/)
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/not evaluated/)
  })
})
