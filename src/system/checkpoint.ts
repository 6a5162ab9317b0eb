/**
 * Named points in an apply (backup taken, timer armed, each file written, ...) where the e2e suite
 * stops dockcfg to SIGKILL it there, or to change the host under it before letting it go on: with
 * `DOCKCFG_TEST_PAUSE_AT=STEP[,STEP...]` in its environment, dockcfg says where it is on stderr and
 * sends itself SIGSTOP at each of those steps (SIGCONT resumes it). Without that variable a
 * checkpoint does nothing: the variable is for tests only (test/e2e/README.md).
 */
export type Checkpoint = (step: string) => Promise<void>

export function checkpointsFrom(setting: string | undefined, stderr: (line: string) => void): Checkpoint {
  const steps = new Set((setting ?? '').split(',').filter((s) => s !== ''))
  if (steps.size === 0) return async () => {}
  return async (step) => {
    if (!steps.has(step)) return
    stderr(`dockcfg: DOCKCFG_TEST_PAUSE_AT: stopped at ${step} (pid ${process.pid})\n`)
    process.kill(process.pid, 'SIGSTOP')
  }
}
