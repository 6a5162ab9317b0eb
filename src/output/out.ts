/** Where a renderer writes: data to stdout, messages to stderr (the command wires both). */
export interface Out {
  /** stdout: data (a table, a diff, how to connect). */
  log(text: string): void
  /** stderr: messages. */
  say(text: string): void
}
