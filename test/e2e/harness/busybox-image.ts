import {mkdirSync, readFileSync, rmSync, statSync, symlinkSync, copyFileSync, chmodSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {runProcess} from './proc.js'
import {WORK_DIR} from './paths.js'
import type {TestHost} from './testbed.js'

/** No registry is reachable from a test host, so the only image is one we import ourselves. */
export const BUSYBOX_IMAGE = 'bb:1'

const APPLETS = [
  'sh',
  'ash',
  'cat',
  'echo',
  'ls',
  'mkdir',
  'rm',
  'touch',
  'sleep',
  'true',
  'false',
  'env',
  'id',
  'hostname',
  'ps',
  'kill',
  'grep',
  'sed',
  'head',
  'tail',
  'wc',
  'test',
  '[',
  'date',
  'uname',
  'ip',
  'ifconfig',
  'route',
  'nc',
  'wget',
  'httpd',
  'nslookup',
  'ping',
  'netstat',
]

const BUSYBOX = '/bin/busybox'

// One build per process even when several hosts ask at once (they would clobber each other's staging dir).
const builds = new Map<string, Promise<string>>()

function tarFor(workDir: string): Promise<string> {
  let p = builds.get(workDir)
  if (p === undefined) {
    p = buildTar(workDir)
    builds.set(workDir, p)
    p.catch(() => builds.delete(workDir))
  }
  return p
}

// Workspace lives in the repo (gitignored), not in /tmp, so a cached tar survives between runs.
async function buildTar(workDir: string): Promise<string> {
  const tar = join(workDir, 'bb-rootfs.tar')
  const bbStat = statSync(BUSYBOX)
  // Rebuild when busybox-static was upgraded after the tar was made.
  if (existsSync(tar) && statSync(tar).mtimeMs >= bbStat.mtimeMs && statSync(tar).size > bbStat.size) return tar
  // PID-suffixed so two concurrent runs in one checkout do not share a staging dir either.
  const root = join(workDir, `bb-rootfs.${process.pid}`)
  rmSync(root, {recursive: true, force: true})
  for (const d of ['bin', 'etc', 'tmp', 'www', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), {recursive: true})
  chmodSync(join(root, 'tmp'), 0o1777)
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'))
  chmodSync(join(root, 'bin', 'busybox'), 0o755)
  for (const a of APPLETS) symlinkSync('busybox', join(root, 'bin', a))
  await runProcess(['tar', '--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', `${root}.tar`, '.'])
  await runProcess(['mv', '-f', `${root}.tar`, tar])
  rmSync(root, {recursive: true, force: true})
  return tar
}

/**
 * Makes `bb:1` available to the host's dockerd: a one-layer image holding a static busybox and
 * applet symlinks, piped into `docker import` (the host cannot see this machine's files).
 */
export async function ensureBusyboxImage(host: TestHost, workDir = WORK_DIR): Promise<void> {
  const dir = workDir
  mkdirSync(dir, {recursive: true})
  const present = await host.exec(['docker', 'image', 'inspect', BUSYBOX_IMAGE], {allowFail: true, timeoutMs: 30_000})
  if (present.exitCode === 0) return
  const tar = await tarFor(dir)
  await host.exec(['docker', 'import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV PATH=/bin', '-', BUSYBOX_IMAGE], {input: readFileSync(tar), timeoutMs: 60_000})
}
