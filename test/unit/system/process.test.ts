import {describe, expect, it} from 'vitest'

import {ChildProcessRunner} from '../../../src/system/process.js'

// Real programs (sh, cat): the runner is the seam itself, so only the real thing tests it.
const runner = new ChildProcessRunner()

describe('ChildProcessRunner', () => {
  it('returns the exit code and both outputs whole, final newlines kept', async () => {
    const result = await runner.run('sh', ['-c', 'printf "out\\n\\n"; echo err >&2; exit 3'])
    expect(result).toEqual({exitCode: 3, stdout: 'out\n\n', stderr: 'err\n', failedToStart: false})
  })

  it('reports a program that cannot start as 127 with the reason, without throwing', async () => {
    const result = await runner.run('/nonexistent/dockcfg-no-such-program', [])
    expect(result).toEqual({exitCode: 127, stdout: '', stderr: 'spawn /nonexistent/dockcfg-no-such-program ENOENT', failedToStart: true})
  })

  it('counts a program ended by a signal as not started (127), as before', async () => {
    expect(await runner.run('sh', ['-c', 'kill -9 $$'])).toEqual({exitCode: 127, stdout: '', stderr: '', failedToStart: true})
  })

  it('ends a program at its timeout with 124', async () => {
    const result = await runner.run('sh', ['-c', 'exec sleep 30'], {timeoutMs: 200})
    expect(result).toMatchObject({exitCode: 124, failedToStart: false})
  })

  it('feeds the input, and gives a program without input an empty stdin rather than one left open', async () => {
    expect((await runner.run('cat', [], {input: 'hello\n'})).stdout).toBe('hello\n')
    // cat would wait for ever on an open stdin; the timeout would then make this 124.
    expect(await runner.run('cat', [], {timeoutMs: 30_000})).toEqual({exitCode: 0, stdout: '', stderr: '', failedToStart: false})
  })

  it('extends the environment rather than replacing it', async () => {
    const result = await runner.run('sh', ['-c', 'echo "$DOCKCFG_TEST_VALUE:$PATH"'], {env: {DOCKCFG_TEST_VALUE: 'x'}})
    expect(result.stdout).toBe(`x:${process.env.PATH}\n`)
  })

  it('decodes output as UTF-8, invalid bytes as replacement characters', async () => {
    expect((await runner.run('sh', ['-c', 'printf "\\377ok \\303\\251"'])).stdout).toBe('\uFFFDok \u00e9')
  })
})

describe('ChildProcessRunner.start: a program left running (the trial dockerd)', () => {
  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  }

  it('shows stdout and stderr interleaved while it runs, and ends when killed', async () => {
    const child = runner.start('sh', ['-c', 'echo out; echo err >&2; exec sleep 30'])
    await until(() => child.output().includes('err'))
    expect(child.output().split('\n').sort()).toEqual(['', 'err', 'out'])
    expect(child.hasEnded()).toBe(false)
    child.kill('SIGTERM')
    await child.ended
    expect(child.hasEnded()).toBe(true)
    // Killing what has ended is harmless.
    child.kill('SIGKILL')
  })

  it('is ended by its timeout', async () => {
    const child = runner.start('sh', ['-c', 'exec sleep 30'], {timeoutMs: 200})
    await child.ended
    expect(child.hasEnded()).toBe(true)
  })

  it('a program that cannot start ends at once, its reason as its output', async () => {
    const child = runner.start('/nonexistent/dockcfg-no-such-program', [])
    await child.ended
    expect(child.output()).toContain('ENOENT')
  })
})
