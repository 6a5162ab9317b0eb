/** Plain aligned columns for human output; --json never goes through here. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, options: {maxWidths?: ReadonlyArray<number | undefined>} = {}): string {
  const fitted = options.maxWidths === undefined ? rows : rows.map((r) => r.map((cell, i) => truncate(cell, options.maxWidths?.[i])))
  // A loop, not Math.max(...column): spreading a 100,000-row column overflows the stack.
  const widths = headers.map((h) => h.length)
  for (const r of fitted) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...fitted.map(line)].join('\n')
}

/** The text cut to `width` characters, the last one an ellipsis, when it is longer. */
export function truncate(text: string, width: number | undefined): string {
  if (width === undefined || text.length <= width) return text
  return `${text.slice(0, Math.max(0, width - 1))}…`
}
