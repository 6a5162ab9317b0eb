import {availableParallelism} from 'node:os'

import {defineConfig} from 'vitest/config'

// Two tiers, selected by file name: `*.test.ts` under test/unit and test/commands run anywhere in
// seconds; `*.e2e.test.ts` under test/e2e boot real systemd + dockerd test hosts and need root.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/commands/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts'],
          globalSetup: ['test/support/build.ts'],
          // Command tests run the CLI in the test process (test/support/cli.ts) and give each run its
          // own working directory and umask: worker threads can do neither, child processes can.
          pool: 'forks',
          // Files share their worker processes: a new process and test runtime per file cost about
          // half of this project's time on two cores. Files leave no state behind (the CLI runs get
          // a fresh bundle each and restore env, cwd and umask; the tests restore what they change).
          isolate: false,
          // One worker per core: vitest's default (cores - 1) leaves one of two cores idle, and
          // command tests spend part of their time waiting on the processes they start.
          maxWorkers: availableParallelism(),
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/support/build.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Test hosts are whole booted systems; the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
})
