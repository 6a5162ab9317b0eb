import type {ApplyOptions} from './plan.js'

/** Warnings are events too: told when they arise, and kept in the result for --json. */
export function warn(options: ApplyOptions, warnings: readonly string[]): void {
  for (const w of warnings) options.progress?.(`warning: ${w}`)
}

/** Runs one wait, so the user sees it going on (and for how long, on a TTY). */
export async function during<T>(options: ApplyOptions, label: string, work: () => Promise<T>): Promise<T> {
  const end = options.waiting?.(label)
  try {
    return await work()
  } finally {
    end?.()
  }
}
