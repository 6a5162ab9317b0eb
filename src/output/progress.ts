import type {PlanNotes} from '../apply/plan.js'
import type {Clock} from '../system/clock.js'
import {renderFinding} from './findings.js'
import {redactText} from '../changes/redact.js'

/** How a command tells the user what an apply is doing, as it does it (stderr). */
export interface Reporter {
  /** One event, one line. */
  event(line: string): void
  /** The plan, once it is accepted: its findings, then one line per decision. */
  plan(plan: PlanNotes): void
  /** A wait begins; the returned function ends it. */
  waiting(label: string): () => void
}

export interface ReporterOutput {
  write(text: string): void
  /** stderr is a terminal: waits get a line updated in place with the time they take. */
  tty: boolean
  now(): number
  /** Calls `tick` every second until the returned function is called. */
  every(ms: number, tick: () => void): () => void
}

/**
 * Events as plain lines, in the order they happen. On a terminal a wait also shows
 * "LABEL ... N s", redrawn in place every second (dockerd can take 15 s and more to come back),
 * and cleared when the wait ends or an event line has to go out; anywhere else (a pipe, a log
 * file) a wait prints nothing, so logs hold only the events.
 */
export function stderrReporter(out: ReporterOutput): Reporter {
  let status: {label: string; since: number} | undefined
  const draw = () => {
    if (status) out.write(`\r\x1b[K${status.label} ... ${Math.floor((out.now() - status.since) / 1000)} s`)
  }
  const clear = () => {
    if (status) out.write('\r\x1b[K')
  }
  const event = (line: string) => {
    clear()
    out.write(`${redactText(line)}\n`)
    draw()
  }
  return {
    event,
    plan(plan) {
      for (const f of plan.findings) event(renderFinding(f))
      for (const a of plan.actions) event(a)
    },
    waiting(label) {
      if (!out.tty) return () => {}
      clear()
      const mine = {label, since: out.now()}
      status = mine
      draw()
      const stop = out.every(1000, draw)
      return () => {
        stop()
        if (status !== mine) return
        clear()
        status = undefined
      }
    },
  }
}

/** The reporter of a command: nothing under --json (its output is the result object alone). */
export function commandReporter(json: boolean, clock: Clock): Reporter {
  if (json) return {event: () => {}, plan: () => {}, waiting: () => () => {}}
  return stderrReporter({
    write: (text) => process.stderr.write(text),
    tty: process.stderr.isTTY === true,
    now: () => clock.now().getTime(),
    every: (ms, tick) => {
      const timer = setInterval(tick, ms)
      // A wait that is never ended (a crash) must not keep the process alive.
      timer.unref()
      return () => clearInterval(timer)
    },
  })
}
