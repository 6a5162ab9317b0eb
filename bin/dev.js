#!/usr/bin/env node
// Development: rebuilds (bundle, manifest: about two seconds) and runs the result with oclif's
// development settings, which print stack traces.
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

import {build, BUNDLE} from '../scripts/build.js'

process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
process.env.NODE_ENV = 'development'
await build()
await createRequire(import.meta.url)(BUNDLE).main(fileURLToPath(import.meta.url), {development: true})
