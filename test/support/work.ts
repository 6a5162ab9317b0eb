/**
 * Counts units of work `run` does, the same way whatever the code: characters read with
 * String#charCodeAt (scanning text), array elements copied by Array#slice, and array elements
 * stepped through by for...of and spread (the array iterator). Complexity tests compare these
 * counts between an input and one twice its size: no timing, so no flakes on a busy machine.
 * Plain wrappers rather than vi.spyOn, which would keep every one of millions of calls.
 */
export async function countWork(run: () => unknown): Promise<number> {
  let work = 0
  const strings = String.prototype
  const arrays = Array.prototype
  const iterator = Object.getPrototypeOf([][Symbol.iterator]()) as {next(this: Iterator<unknown>): IteratorResult<unknown>}
  const {charCodeAt} = strings
  const {slice} = arrays
  const {next} = iterator
  strings.charCodeAt = function (this: string, index: number) {
    work++
    return charCodeAt.call(this, index)
  }
  arrays.slice = function (this: unknown[], start?: number, end?: number) {
    const copy = slice.call(this, start, end)
    work += copy.length
    return copy
  }
  iterator.next = function (this: Iterator<unknown>) {
    work++
    return next.call(this)
  }
  try {
    await run()
  } finally {
    strings.charCodeAt = charCodeAt
    arrays.slice = slice
    iterator.next = next
  }
  return work
}

/** How much more work the input of size 2n takes than the one of size n (2 for linear, 4 for quadratic). */
export async function growth(run: (n: number) => unknown, n: number): Promise<number> {
  await run(n) // first: module caches (versions, key tables) are filled outside the count
  const single = await countWork(() => run(n))
  return (await countWork(() => run(2 * n))) / single
}
