import {describe, expect, it} from 'vitest'

import {stderrReporter} from '../../../src/output/progress.js'

/** A reporter on a fake stderr: what it wrote, a clock to move, and the ticker it runs. */
function fakeStderr(tty: boolean) {
  const written: string[] = []
  let now = 0
  let tick: (() => void) | undefined
  const reporter = stderrReporter({
    write: (text) => written.push(text),
    tty,
    now: () => now,
    every: (_ms, fn) => {
      tick = fn
      return () => (tick = undefined)
    },
  })
  return {
    reporter,
    written,
    /** Moves the clock and lets the once-a-second redraw run. */
    advance(ms: number) {
      now += ms
      tick?.()
    },
    ticking: () => tick !== undefined,
  }
}

const CLEAR = '\r\x1b[K'

describe('progress on stderr', () => {
  it('an event or a finding that quotes a URL password shows it redacted', () => {
    const e = fakeStderr(false)
    e.reporter.event('warning: registry-mirrors: https://alice:s3cret@mirror.example is slow')
    e.reporter.plan({findings: [{code: 'x', severity: 'warning', message: 'http://bob:hunter2@proxy:3128 unreachable'}], actions: []})
    expect(e.written.join('')).toContain('https://alice:xxxxx@mirror.example')
    expect(e.written.join('')).not.toMatch(/s3cret|hunter2/)
  })

  it('on a terminal, a wait is one line redrawn in place with its elapsed time; events go above it; the end clears it', () => {
    const e = fakeStderr(true)
    e.reporter.event('restarting dockerd')
    const end = e.reporter.waiting('waiting for dockerd to come back')
    e.advance(1000)
    e.advance(15_400)
    e.reporter.event('warning: slow')
    end()
    expect(e.written).toEqual([
      'restarting dockerd\n',
      `${CLEAR}waiting for dockerd to come back ... 0 s`,
      `${CLEAR}waiting for dockerd to come back ... 1 s`,
      `${CLEAR}waiting for dockerd to come back ... 16 s`,
      CLEAR,
      'warning: slow\n',
      `${CLEAR}waiting for dockerd to come back ... 16 s`,
      CLEAR,
    ])
    expect(e.ticking()).toBe(false)
    // After the wait nothing is redrawn, and events are plain lines again.
    e.reporter.event('dockerd restarted')
    expect(e.written.at(-1)).toBe('dockerd restarted\n')
  })

  it('anywhere else (a pipe, a log), only the events, as plain lines: no control characters, no timer', () => {
    const e = fakeStderr(false)
    e.reporter.plan({
      findings: [{code: 'tcp-without-tls', severity: 'warning', message: 'open to all', file: '/etc/docker/daemon.json', line: 4, column: 5}],
      actions: ['hosts: moved'],
    })
    const end = e.reporter.waiting('preflight')
    e.advance(5000)
    e.reporter.event('preflight: trial-start: ok')
    end()
    expect(e.ticking()).toBe(false)
    expect(e.written.join('')).toBe('/etc/docker/daemon.json:4:5: warning[tcp-without-tls] open to all\nhosts: moved\npreflight: trial-start: ok\n')
  })
})
