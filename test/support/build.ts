import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

// Command and e2e tests run the built CLI (dist/, in-process or through bin/run.js). Rebuild when
// any source is newer than the last build, so `npx vitest run` never tests stale JavaScript.
const project = join(import.meta.dirname, '../..')

function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const full = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs)
  }
  return latest
}

export default function setup(): void {
  const stamp = join(project, 'oclif.manifest.json')
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(newest(join(project, 'src')), statSync(join(project, 'package.json')).mtimeMs)) return
  execFileSync('npm', ['run', 'build'], {cwd: project, stdio: 'inherit'})
}
