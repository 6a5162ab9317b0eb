import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The seams hold (docs/architecture.md): only src/system/ talks to the operating system (files,
 * sockets, name resolution, processes, this machine's facts) or reads process and clock state,
 * so everything above it is tested with a System of fakes.
 */
const SEAM_MODULES = ['fs', 'fs/promises', 'net', 'tls', 'dns', 'dns/promises', 'os', 'child_process']
const SEAM_MODULE_PATTERN = `/^(node:)?(${SEAM_MODULES.map((m) => m.replace('/', '\\/')).join('|')})$/`
const THROUGH_SYSTEM = 'outside src/system/, go through a seam of System (src/system/index.ts)'
const seamRules = {
  'no-restricted-imports': ['error', {paths: SEAM_MODULES.flatMap((m) => [m, `node:${m}`]).map((name) => ({name, message: THROUGH_SYSTEM}))}],
  'no-restricted-syntax': [
    'error',
    {selector: `ImportExpression[source.value=${SEAM_MODULE_PATTERN}]`, message: THROUGH_SYSTEM},
    {selector: `CallExpression[callee.name='require'][arguments.0.value=${SEAM_MODULE_PATTERN}]`, message: THROUGH_SYSTEM},
    {selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `the time: system.clock.now(); ${THROUGH_SYSTEM}`},
  ],
  'no-restricted-properties': [
    'error',
    {object: 'Date', property: 'now', message: `the time: system.clock.now(); ${THROUGH_SYSTEM}`},
    {object: 'process', property: 'env', message: `environment variables: system.env; ${THROUGH_SYSTEM}`},
    {object: 'process', property: 'pid', message: THROUGH_SYSTEM},
    {object: 'process', property: 'kill', message: THROUGH_SYSTEM},
  ],
}

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.e2e-work/**', 'oclif.manifest.json']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      // Domain code returns data; only commands write to the terminal, through oclif.
      'no-console': ['error'],
    },
  },
  {
    files: ['scripts/**', 'test/**', 'bin/**'],
    rules: {'no-console': 'off'},
  },
  {
    files: ['src/**'],
    ignores: ['src/system/**'],
    rules: seamRules,
  },
  {
    // CommonJS (bin/package.json): an ES-module entry costs Node 20 its module loader's start.
    files: ['bin/**/*.js'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', __dirname: 'readonly', __filename: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
