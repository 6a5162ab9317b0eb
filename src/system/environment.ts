import {homedir} from 'node:os'

/** The environment seam: the variables dockcfg was started with, and the user's home directory. */
export interface Environment {
  readonly variables: Readonly<Record<string, string | undefined>>
  /** HOME, else the user database's entry (os.homedir()). */
  homeDir(): string
}

export const processEnvironment: Environment = {
  variables: process.env,
  homeDir: () => homedir(),
}
