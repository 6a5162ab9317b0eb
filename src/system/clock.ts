/** The clock seam: time stamps for backups and manifests, and waits in health loops. */
export interface Clock {
  now(): Date
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}
