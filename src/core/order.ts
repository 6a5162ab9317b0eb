/**
 * Orders strings by UTF-16 code units, like Go's sort.Strings orders bytes for ASCII. Keys, flag
 * names, ids and paths sort the same everywhere and on every machine, whatever its locale; and
 * unlike localeCompare, the first call does not load ICU's collation data (6-13 ms on every start).
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
