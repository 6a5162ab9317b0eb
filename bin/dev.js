#!/usr/bin/env node
// Development: bundles src/ afresh (esbuild, well under a second) and runs it with oclif's
// development settings (stack traces) and without the manifest, which may be stale.
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

import {BUNDLE, bundle} from '../scripts/build.js'

process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
await bundle()
await createRequire(import.meta.url)(BUNDLE).main(fileURLToPath(import.meta.url), {development: true})
