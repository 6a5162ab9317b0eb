#!/usr/bin/env node
// Builds what bin/run.js runs: one CommonJS bundle, dist/dockcfg.cjs, of src/ plus oclif and the
// small libraries every command needs; then oclif's manifest; then a first V8 code cache.
//
// Why a bundle: fleet scripts call dockcfg many times, and on Node 20 resolving and compiling ~200
// separate files (oclif alone is ~160) cost more than the start-up budget (issue 2, `npm run bench`).
// CommonJS because V8 code caches (vm.Script cachedData) exist for scripts, not for ES modules, on
// Node 20. Packages only some commands load, and only lazily (the TLS certificate stack),
// stay external: they are resolved from node_modules when first used, so they cost nothing on `get`
// or `validate`. `diff` is bundled: every write renders one, and resolving and compiling its ~20
// files from node_modules cost 30-50 ms a run; in the bundle it is code-cached and initialised
// only when renderDiff first runs (its import() becomes a lazy require, see `supported` below).
//
// Type checking is `npm run typecheck`; esbuild only strips types.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import * as esbuild from 'esbuild'

const project = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(project, 'dist')
export const BUNDLE = join(dist, 'dockcfg.cjs')

const EXTERNAL = [
  // Loaded lazily by the commands that run processes or make certificates.
  '@peculiar/x509',
  'reflect-metadata',
  // oclif's optional TypeScript support for plugins in development; dockcfg never uses it.
  'typescript',
  'ts-node',
]

/**
 * `import.meta.url` means "this source file" (src/system/templates.ts finds templates/ through it).
 * In one bundle every module lives in dist/, so give each module the URL its source file would have had.
 */
const importMetaUrlPlugin = {
  name: 'import-meta-url',
  setup(build) {
    build.onLoad({filter: /[/\\]src[/\\].*\.ts$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      if (!source.includes('import.meta.url')) return undefined
      const fromDist = JSON.stringify(relative(dist, args.path))
      return {contents: source.replaceAll('import.meta.url', `__dockcfgSourceUrl(${fromDist})`), loader: 'ts'}
    })
  },
}

/**
 * Source patches to dependencies, each an exact text that must be found (an upgrade that changes it
 * fails the build instead of silently dropping the patch). Keep this list short and explained.
 */
const oclifFile = (name) => new RegExp(`[/\\\\]@oclif[/\\\\]core[/\\\\]lib[/\\\\]${name.replaceAll('/', '[/\\\\]')}\\.js$`)

/**
 * A module oclif requires at load but uses only on paths dockcfg never takes (or only when it
 * prints help), loaded on first use. `names` maps each name used to the module it comes from
 * (default `module`), for a name another, lighter module defines.
 */
const lazyRequire = (file, variable, module, names, keyword = 'const') => ({
  file: oclifFile(file),
  find: `${keyword} ${variable} = require("${module}");`,
  replace: `${keyword} ${variable} = {${Object.entries(Array.isArray(names) ? Object.fromEntries(names.map((n) => [n, module])) : names)
    .map(([n, from]) => `get ${n}() { return require("${from}").${n}; }`)
    .join(', ')}};`,
})

const DEPENDENCY_PATCHES = [
  {
    // oclif sorts the command list on every start with localeCompare, whose first call loads ICU's
    // collation data: 6-13 ms, about a tenth of a `dockcfg get`. The order only shows in help and
    // completion; test/unit/main.test.ts checks that for dockcfg's ids code-unit order and
    // localeCompare agree (they would differ for an id with a digit after ':', e.g. a:b vs a1).
    file: oclifFile('config/plugin'),
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
  // Globbing finds commands by file pattern; dockcfg lists them explicitly (src/main.ts).
  // tinyglobby also require()s picomatch from node_modules at load, outside the bundle.
  lazyRequire('config/plugin', 'tinyglobby_1', 'tinyglobby', ['glob']),
  // oclif asks whether this is WSL on every start (config.platform 'wsl' instead of 'linux'):
  // wsl-utils loads child_process and PowerShell helpers, and its is-wsl and is-inside-container
  // read /proc/version, /.dockerenv and /proc/self/cgroup. oclif itself only ever compares the
  // platform with win32 and darwin, and dockcfg never reads it: the platform Node reports will do.
  {file: oclifFile('util/os'), find: "(await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)()", replace: '(0, node_os_1.platform)()'},
  // Only for finding the parent process's name on Windows.
  lazyRequire('util/os', 'node_child_process_1', 'node:child_process', ['execSync']),
  // Performance marks are recorded only when oclif's performance debugging is switched on.
  lazyRequire('performance', 'node_perf_hooks_1', 'node:perf_hooks', ['performance', 'PerformanceObserver']),
  // oclif's help renderer (help/index.js: the formatter, the root and command help, wrap-ansi and
  // string-width) initialised on every start, 3-8 ms, for a run that prints no help. Its index,
  // run() and the error handler reach it at load; run() needs only the two argv helpers that
  // help/util.js defines (help/index.js re-exports them), so those come from there.
  lazyRequire('index', 'help_1', './help', ['CommandHelp', 'Help', 'HelpBase', 'loadHelpClass'], 'var'),
  lazyRequire('main', 'help_1', './help', {getHelpFlagAdditions: './help/util', loadHelpClass: './help', normalizeArgv: './help/util'}),
  lazyRequire('errors/handle', 'index_1', '../help/index', ['Help']),
  lazyRequire('flags', 'help_1', './help', ['loadHelpClass']),
  // oclif makes a `debug` logger for each namespace it logs under, and loading `debug` initialises
  // it, supports-color and node:tty and opens process.stderr to ask whether it is a terminal. With
  // DEBUG unset or empty every such logger is disabled (debug reads DEBUG once, when it loads, and
  // oclif never enables one later), so a no-op is the same logger; with DEBUG set, debug loads as before.
  {file: oclifFile('logger'), find: 'const debug_1 = __importDefault(require("debug"));', replace: 'const debug_1 = {get default() { return require("debug"); }};'},
  {file: oclifFile('logger'), find: 'const debug = (0, debug_1.default)(namespace);', replace: 'const debug = process.env.DEBUG ? (0, debug_1.default)(namespace) : () => {};'},
  // oclif measures the terminal at load, which opens process.stderr (a stream, a handle and, on a
  // terminal, node:tty) for a run that writes nothing there. Measured on first use instead, once.
  {
    file: oclifFile('screen'),
    find: 'exports.stdtermwidth = columns || termwidth(process.stdout);\nexports.errtermwidth = columns || termwidth(process.stderr);',
    replace:
      'let stdWidth, errWidth;\nObject.defineProperty(exports, "stdtermwidth", {enumerable: true, get: () => (stdWidth ??= columns || termwidth(process.stdout))});\nObject.defineProperty(exports, "errtermwidth", {enumerable: true, get: () => (errWidth ??= columns || termwidth(process.stderr))});',
  },
  // supports-color loads node:tty and asks about both streams at load; oclif asks it only when
  // colouring text with a theme (ux/theme.js), which a plain run never does.
  lazyRequire('ux/supports-color', 'supports_color_1', 'supports-color', ['stdout', 'stderr']),
  // minimatch matches plugin name patterns, and dockcfg has no plugins; ejs renders help templates.
  // Both are large to initialise and reached at load by modules every run needs.
  lazyRequire('config/plugin-loader', 'minimatch_1', 'minimatch', ['minimatch']),
  {file: oclifFile('help/util'), find: 'const ejs_1 = __importDefault(require("ejs"));', replace: 'const ejs_1 = {get default() { return require("ejs"); }};'},
  // oclif reads package.json, the manifest and the theme file through node:fs/promises: loading it
  // on Node 20 compiles eight more internal modules (readline's among them, for FileHandle), and
  // each asynchronous read is four thread-pool round trips (open, stat, read, close). A
  // synchronous read gives the same contents, and the same error as a rejection, because readJson
  // is async. With LAZY_BUILTINS' fs/promises, nothing else loads it on a read command.
  {
    file: oclifFile('util/fs'),
    find: "const contents = await (0, promises_1.readFile)(path, 'utf8');",
    replace: "const contents = (0, node_fs_1.readFileSync)(path, 'utf8');",
  },
  // The same for the existence checks of directory and file flags (--root is one).
  {file: oclifFile('util/fs'), find: 'dirStat = await (0, promises_1.stat)(input);', replace: 'dirStat = (0, node_fs_1.statSync)(input);'},
  {file: oclifFile('util/fs'), find: 'fileStat = await (0, promises_1.stat)(input);', replace: 'fileStat = (0, node_fs_1.statSync)(input);'},
  // lilconfig takes fs.promises.readFile at load, which loads node:fs/promises; it reads only when
  // searching for an rc file, which oclif skips because package.json has an oclif section.
  {
    file: /[/\\]lilconfig[/\\]src[/\\]index\.js$/,
    find: 'const fsReadFileAsync = fs.promises.readFile;',
    replace: 'const fsReadFileAsync = (...args) => fs.promises.readFile(...args);',
  },
]

/**
 * Node built-ins that cost start-up time but that the frequent commands reach only on some paths:
 * node:crypto (8-10 ms to load; redact.ts hashes only a secret file's diff, backups only when
 * writing), node:child_process (2-4 ms; the process seam, which every command wires, spawns only on
 * some paths), node:readline (oclif's parser, for reading stdin) and node:fs/promises (the fs seam
 * writes through it; reads are synchronous, and on Node 20 it loads eight internal modules). Every import of one, from src/ or
 * a bundled package, gets an object whose properties load the module on first use. esbuild reads
 * an imported name at each use (`(0, crypto.createHash)(...)`), so that use is the first access.
 */
const LAZY_BUILTINS = ['crypto', 'child_process', 'readline', 'fs/promises']

const lazyBuiltinPlugin = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`)
    build.onResolve({filter}, (args) =>
      // The lazy module's own require is the real module.
      args.namespace === 'lazy-builtin' ? {path: args.path, external: true} : {path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'lazy-builtin'},
    )
    build.onLoad({filter: /.*/, namespace: 'lazy-builtin'}, async (args) => {
      const names = Object.keys(await import(args.path)).filter((name) => name !== 'default')
      const getters = names.map((name) => `get ${JSON.stringify(name)}() { return require(${JSON.stringify(args.path)})[${JSON.stringify(name)}]; }`)
      return {contents: `module.exports = {${getters.join(', ')}};`, loader: 'js'}
    })
  },
}

const dependencyPatchPlugin = {
  name: 'dependency-patches',
  setup(build) {
    const applied = new Set()
    // One onLoad for all patched files: esbuild runs only the first matching onLoad per file.
    const filter = new RegExp(DEPENDENCY_PATCHES.map((patch) => patch.file.source).join('|'))
    build.onLoad({filter}, (args) => {
      let source = readFileSync(args.path, 'utf8')
      for (const patch of DEPENDENCY_PATCHES.filter((p) => p.file.test(args.path))) {
        if (!source.includes(patch.find)) throw new Error(`${args.path} no longer contains ${JSON.stringify(patch.find)}: review DEPENDENCY_PATCHES in scripts/build.js`)
        source = source.replace(patch.find, patch.replace)
        applied.add(patch)
      }
      return {contents: source, loader: 'js'}
    })
    build.onEnd(() => {
      const missed = DEPENDENCY_PATCHES.filter((patch) => !applied.has(patch))
      if (missed.length > 0) throw new Error(`no bundled file matched ${missed.map((p) => p.file).join(', ')}: review DEPENDENCY_PATCHES in scripts/build.js`)
    })
  },
}

/** Writes dist/dockcfg.cjs by rename, so a run that starts mid-build sees the old or the new file. */
async function bundle() {
  mkdirSync(dist, {recursive: true})
  const temporary = join(dist, `.dockcfg.cjs.${process.pid}.tmp`)
  try {
    const result = await esbuild.build({
      entryPoints: [join(project, 'src/main.ts')],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20.19',
      // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow.
      mainFields: ['module', 'main'],
      external: EXTERNAL,
      // No import() may survive into the bundle: on Node 20 a script compiled from a V8 code cache
      // loses its dynamic-import callback (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so esbuild
      // turns each into require() (the external packages are CommonJS; an ES-only one would load
      // through require(esm), on by default and silent since Node 20.19).
      supported: {'dynamic-import': false},
      minify: true,
      // `.name` of classes and functions stays as written (oclif and error output read it); stack
      // frames still show minified names.
      keepNames: true,
      // Licence comments of bundled packages stay with the code they cover.
      legalComments: 'eof',
      banner: {js: "const __dockcfgSourceUrl = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;"},
      plugins: [importMetaUrlPlugin, dependencyPatchPlugin, lazyBuiltinPlugin],
      logLevel: 'silent',
      write: true,
    })
    // A warning here (say, an import.meta esbuild cannot translate) is a broken bundle later.
    if (result.warnings.length > 0) {
      const messages = await esbuild.formatMessages(result.warnings, {kind: 'warning'})
      throw new Error(`esbuild warnings:\n${messages.join('\n')}`)
    }
    // ASCII only, so bin/run.js can read it as latin1, a third of the time of decoding UTF-8 on
    // every start. esbuild escapes non-ASCII characters except inside regular expression
    // literals; \\uXXXX means the same character there, in strings and in identifiers alike.
    const code = readFileSync(temporary, 'utf8').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    // Belt and braces for the rule above: an import() left in code (not in a string) fails here.
    const leftover = /(?<![\w$.'"`])import\(/.exec(code)
    if (leftover) throw new Error(`the bundle still calls import() at offset ${leftover.index}: it would fail when run from a code cache`)
    // The build's identity, which bin/run.js keys the code cache by: V8 accepts a cache for any
    // source of the same length, and a file's inode and mtime survive some ways of replacing it.
    writeFileSync(temporary, `// dockcfg-build:${createHash('sha256').update(code).digest('hex').slice(0, 32)}\n${code}`)
    renameSync(temporary, BUNDLE)
  } finally {
    rmSync(temporary, {force: true})
  }
}

/**
 * The first run writes the cache (in the user's cache directory, see bin/run.js, which also drops
 * the caches of earlier builds), holding what that run compiled. Start with `validate` (the
 * widest of the frequent commands), then add what `get`, `keys` and a write (`set --no-restart`)
 * compile on top (DOCKCFG_CODE_CACHE=refresh, see bin/run.js). For the Node that builds; under
 * another Node each command's first run adds its own (bin/run.js).
 */
function warmCodeCache() {
  const root = mkdtempSync(join(tmpdir(), 'dockcfg-build-'))
  try {
    mkdirSync(join(root, 'etc/docker'), {recursive: true})
    writeFileSync(join(root, 'etc/docker/daemon.json'), '{"bip": "192.168.42.1/24"}\n')
    const runs = [
      ['validate', '--root', root, '--dockerd-version', '29.7.2'],
      ['get', 'bip', '--root', root],
      ['keys', 'bip'],
      ['set', 'mtu', '1400', '--no-restart', '--root', root, '--dockerd-version', '29.7.2'],
    ]
    for (const [i, args] of runs.entries()) {
      const env = {...process.env, ...(i > 0 ? {DOCKCFG_CODE_CACHE: 'refresh'} : {})}
      execFileSync(process.execPath, [join(project, 'bin/run.js'), ...args], {stdio: 'ignore', env})
    }
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
}

/** Output of builds before the bundle (tsc's per-file tree) would otherwise linger in dist/. */
function removeStaleOutput() {
  for (const entry of readdirSync(dist)) {
    if (entry !== 'dockcfg.cjs' && !entry.endsWith('.tmp')) rmSync(join(dist, entry), {recursive: true, force: true})
  }
}

/** The whole build: `npm run build`, and bin/dev.js before each run. */
export async function build() {
  await bundle()
  removeStaleOutput()
  // Written last: test harnesses take a manifest newer than the bundle as "the build is complete".
  execFileSync(join(project, 'node_modules/.bin/oclif'), ['manifest'], {cwd: project, stdio: ['ignore', 'ignore', 'inherit']})
  warmCodeCache()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()
