#!/usr/bin/env node
// Development: rebuilds (bundle, manifest: about two seconds) and runs the result with oclif's
// development settings, which print stack traces. CommonJS like bin/run.js (bin/package.json); the
// build script is an ES module, hence import().
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
process.env.NODE_ENV = 'development'
import('../scripts/build.js').then(async ({build, BUNDLE}) => {
  await build()
  // The bundle's path, not this file's: oclif finds the package from it, and bin/package.json is not it.
  await require(BUNDLE).main(BUNDLE, {development: true})
})
