#!/usr/bin/env node
import module from 'node:module'

// Fleet scripts call dockcfg many times: on Node >= 22.1 keep compiled code between runs.
// (Node 20 has no compile cache; the call is skipped there.)
module.enableCompileCache?.()

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
