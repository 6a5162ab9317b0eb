import {OPTIONS} from './options.js'

/**
 * The known key closest to a mistyped one ("bipp" -> "bip", "dns_search" -> "dns-search"), or
 * undefined when nothing is plausibly meant. Plain Levenshtein distance with a length-scaled cap.
 */
export function suggestKey(typed: string): string | undefined {
  const normal = typed.toLowerCase().replace(/_/g, '-')
  let best: {key: string; distance: number} | undefined
  for (const {key} of OPTIONS) {
    const distance = key === normal ? 0 : levenshtein(normal, key)
    if (best === undefined || distance < best.distance) best = {key, distance}
  }
  if (best === undefined) return undefined
  return best.distance <= Math.max(1, Math.floor(best.key.length / 3)) ? best.key : undefined
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] as number
}
