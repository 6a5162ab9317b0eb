import {resolve} from 'node:path'

import {UsageError} from '../core/errors.js'
import {isNotFound, localFileSize, readRegularFile} from './fs.js'
import {readFailure} from './host-errors.js'

/** A document named on the command line, as read: its name for messages and its text. */
export interface InputDocument {
  /** The path as given, or `<stdin>`. */
  name: string
  text: string
}

/**
 * Reads the document a command names with `-f`: `-` is standard input, read to its end; anything
 * else is a regular file of this machine (relative to the current directory, never inside --root:
 * the document travels with the admin), read the way every configuration file is (a FIFO is not
 * waited on, a directory is refused). Either is refused past `maxBytes` (`tooLarge` says so in the
 * command's terms) before it is held whole: stdin may be endless.
 */
export async function readInputDocument(source: string, maxBytes: number, tooLarge: (name: string, size: number) => Error): Promise<InputDocument> {
  if (source === '-') return {name: '<stdin>', text: await readStdin(maxBytes, tooLarge)}
  if (source.trim() === '') throw new UsageError('-f needs a file, or - for standard input')
  const absolute = resolve(source)
  const size = await localFileSize(absolute)
  if (size > maxBytes) throw tooLarge(source, size)
  try {
    return {name: source, text: readRegularFile(absolute, source, {followLinks: true}).toString('utf8')}
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(`-f ${source}: no such file`)
    if ((error as NodeJS.ErrnoException).code === 'EFBIG') throw tooLarge(source, maxBytes + 1)
    throw readFailure(error, source)
  }
}

async function readStdin(maxBytes: number, tooLarge: (name: string, size: number) => Error): Promise<string> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of process.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    total += bytes.length
    if (total > maxBytes) {
      process.stdin.destroy()
      throw tooLarge('<stdin>', total)
    }
    chunks.push(bytes)
  }
  return Buffer.concat(chunks, total).toString('utf8')
}
