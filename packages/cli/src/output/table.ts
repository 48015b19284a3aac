// Plain text tables for people: columns padded to the widest cell, headers in capitals.

export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : (cell ?? '').padEnd(widths[i]!)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}
