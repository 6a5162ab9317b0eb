import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, normalize, relative, sep} from 'node:path'

import {describe, expect, it} from 'vitest'

// The layers of src/ (docs/architecture.md, "Layers"), top first. A module may import its own
// folder and any folder of a lower layer, never one of its own layer or above: the house has no
// climbs back up, and no two folders lean on each other.
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['main.ts'],
  ['commands'],
  ['cli'],
  ['output'],
  ['operations'],
  ['remote'],
  ['apply'],
  ['effective', 'desired-state'],
  ['daemon-config', 'changes'],
  ['systemd', 'backup', 'dockerd', 'completion'],
  ['registry', 'system'],
  ['network', 'json', 'core'],
]

const src = join(import.meta.dirname, '../../src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** The top folder of src/ a file is in (or the file's own name at the top). */
const placeOf = (file: string) => relative(src, file).split(sep)[0] as string
const layerOf = (place: string) => LAYERS.findIndex((layer) => layer.includes(place))

/** Every relative import, static or dynamic, require() included, type-only ones too. */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\(\s*|\brequire\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => normalize(join(dirname(file), m[1] as string)))
}

/** The imports of `file` that reach a folder of its own layer or above, as `from -> to`. */
function climbs(file: string, text: string): string[] {
  return importsOf(file, text)
    .filter((target) => placeOf(target) !== placeOf(file) && layerOf(placeOf(target)) <= layerOf(placeOf(file)))
    .map((target) => `${relative(src, file)} -> ${relative(src, target)}`)
}

describe('layers of src/', () => {
  const files = sourceFiles(src)

  it('every folder of src/ has a layer', () => {
    expect([...new Set(files.map(placeOf))].filter((place) => layerOf(place) === -1)).toEqual([])
  })

  it('no module imports a folder of its own layer or above', () => {
    expect(files.flatMap((file) => climbs(file, readFileSync(file, 'utf8')))).toEqual([])
  })

  it('a planted climb is caught, in each form an import takes', () => {
    const text = "import type {TreeView} from '../apply/plan.js'\nconst x = await import('../operations/pipeline.js')\nrequire('../cli/help.js')\nimport {a} from './errors.js'\n"
    expect(climbs(join(src, 'core/planted.ts'), text)).toEqual(['core/planted.ts -> apply/plan.js', 'core/planted.ts -> operations/pipeline.js', 'core/planted.ts -> cli/help.js'])
    // Two folders of one layer may not lean on each other either.
    expect(climbs(join(src, 'systemd/planted.ts'), "import {lockPath} from '../backup/lock.js'\n")).toEqual(['systemd/planted.ts -> backup/lock.js'])
  })
})
