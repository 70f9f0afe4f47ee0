// Typed reads of a node:sqlite row, for the main thread's reader and the writer thread alike (nothing here
// imports more than the language).

export type Row = Record<string, unknown>;

/** An INTEGER column: node:sqlite gives a number, or a bigint past 2^53. */
export function integer(row: Row | undefined, column: string): number {
  const value = row?.[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`SQLite: expected an integer in column ${column}, got ${typeof value}`);
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === 'string') return value;
  throw new Error(`SQLite: expected text in column ${column}, got ${typeof value}`);
}
