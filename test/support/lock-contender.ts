// A separate process that takes dockcfg's lock again and again (test/unit/backup/lock.test.ts):
// inside, it creates a marker file exclusively, so two holders at once show up as EEXIST.
import {unlinkSync, writeFileSync} from 'node:fs'

import {acquireLock} from '../../src/backup/lock.js'
import {createSystem} from '../../src/system/index.js'

const [root, rounds, marker] = process.argv.slice(2) as [string, string, string]
const system = createSystem({root})
let overlaps = 0
for (let i = 0; i < Number(rounds); i++) {
  const handle = await acquireLock(system, `contender ${process.pid}`, {timeoutMs: 120_000})
  try {
    writeFileSync(marker, String(process.pid), {flag: 'wx'})
  } catch {
    overlaps++
  }
  await new Promise((resolve) => setTimeout(resolve, 2))
  try {
    unlinkSync(marker)
  } catch {
    // The other holder removed it: counted above.
  }
  await handle.release()
}
process.stdout.write(JSON.stringify({overlaps}))
