import {readFile} from 'node:fs/promises'

/**
 * Reads a file dockcfg ships in templates/ (beside src/ and dist/, never under --root). The bundle
 * gives import.meta.url the URL this source file has (scripts/build.js), so the path holds in both.
 */
export async function readTemplate(name: string): Promise<string> {
  return readFile(new URL(`../../templates/${name}`, import.meta.url), 'utf8')
}
