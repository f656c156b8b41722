/**
 * Reading one mapped field of a table row, with the error a user needs when it is wrong:
 * which row, which field, what was expected there and what was found.
 */
import { InputError, describeValue } from '../errors';
import type { TableRow } from './table-rows';
import type { TableFormat } from './types';

/** Reads mapped fields of rows of one file. */
export class RowFields {
  constructor(
    private readonly file: string,
    private readonly format: TableFormat,
  ) {}

  #where(row: TableRow, column: string): string {
    return `${row.location}, ${this.format === 'csv' ? 'column' : 'field'} ${JSON.stringify(column)}`;
  }

  #value(row: TableRow, column: string, what: string): unknown {
    if (!(column in row.values)) {
      throw new InputError({
        file: this.file,
        location: row.location,
        expected: `a JSON object with a ${JSON.stringify(column)} field${column === what ? '' : ` (the ${what})`}`,
        got: describeValue(row.values),
      });
    }
    return row.values[column];
  }

  #error(row: TableRow, column: string, expected: string, value: unknown): InputError {
    return new InputError({
      file: this.file,
      location: this.#where(row, column),
      expected,
      got: describeValue(value),
    });
  }

  /** A text field (prompt or answer): must be a string; `nonEmpty` also rejects blank text. */
  text(row: TableRow, column: string, what: string, nonEmpty: boolean): string {
    const value = this.#value(row, column, what);
    if (typeof value !== 'string') throw this.#error(row, column, `a string (the ${what})`, value);
    if (nonEmpty && value.trim() === '')
      throw this.#error(row, column, `a non-empty ${what}`, value);
    return value;
  }

  /** A name-like field (model, prompt id): a non-empty string or a number, returned trimmed. */
  name(row: TableRow, column: string, what: string): string {
    const value = this.#value(row, column, what);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    throw this.#error(row, column, `a non-empty ${what}`, value);
  }

  /** An optional category: string, number, list of tags (joined), or empty/null/missing. */
  category(row: TableRow, column: string): string | undefined {
    const value = row.values[column];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number') return String(value);
    if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
    if (Array.isArray(value) && value.every((t) => typeof t === 'string')) {
      return value.length === 0 ? undefined : value.join(', ');
    }
    throw this.#error(row, column, 'a category (text, a number or a list of tags)', value);
  }

  /** A sample index: a whole number ≥ 0, as a number or as digits. */
  sample(row: TableRow, column: string): number {
    const value = this.#value(row, column, 'sample index');
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
          ? Number(value)
          : NaN;
    if (!Number.isInteger(n) || n < 0)
      throw this.#error(row, column, 'a sample index (a whole number ≥ 0)', value);
    return n;
  }
}
