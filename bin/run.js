#!/usr/bin/env node
import module from 'node:module'

// package.json's engines (>= 20.19), checked here rather than by oclif, whose check loads all of
// semver on every start; fleet scripts call dockcfg many times.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`dockcfg needs Node.js >= 20.19; this is ${process.versions.node}\n`)
  process.exit(1)
}
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'

// On Node >= 22.1 keep compiled code between runs (Node 20 has no compile cache; skipped there).
module.enableCompileCache?.()

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
