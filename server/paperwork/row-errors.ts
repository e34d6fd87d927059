import { DomainError, isDomainError } from '../errors.ts';

// An upload is validated whole: every bad row is reported at once — row, column, and what is wrong in words a keeper
// understands — and nothing is posted unless every row is good.

export interface RowError {
  /** The Excel row number (0 for the file as a whole). */
  row: number;
  /** The column's heading. */
  column: string;
  message: string;
}

export class RowErrors {
  readonly list: RowError[] = [];
  /** Cells (row|column) whose one error says all there is to say about them. */
  private readonly settled = new Set<string>();
  add(row: number, column: string, message: string) {
    if (this.settled.has(`${row}|${column}`)) return;
    this.list.push({ row, column, message });
  }
  /**
   * A cell's error that makes any other at it beside the point (a formula without its value: what the cell shows is
   * unknown, so "not a whole number" would mislead): later errors at the same cell are left out.
   */
  settle(row: number, column: string, message: string) {
    this.add(row, column, message);
    this.settled.add(`${row}|${column}`);
  }
  /**
   * Runs one of the ledger's own checks on a row's values: its refusal (BAD_USER_INPUT) becomes this row's error at
   * `column`, worded as the check words it, and nothing is returned; any other error passes through.
   */
  check<T>(row: number, column: string, run: () => T, note = ''): T | undefined {
    try {
      return run();
    } catch (error) {
      if (!isDomainError(error) || error.code !== 'BAD_USER_INPUT') throw error;
      this.add(row, column, `${error.message}${note}`);
      return undefined;
    }
  }
  /** Throws BAD_USER_INPUT listing every error, when there is any. */
  throwIfAny(): void {
    const error = this.asError();
    if (error) throw error;
  }
  /**
   * BAD_USER_INPUT listing every error (field `file`, the list in `errors`) in row order — the checks of a row against
   * the ledger run after every row is read, and are listed with their row; null when there is none.
   */
  asError(): DomainError | null {
    if (!this.list.length) return null;
    const list = [...this.list].sort((a, b) => a.row - b.row);
    const first = list
      .slice(0, 3)
      .map((e) => (e.row ? `第 ${e.row} 行${e.column ? `「${e.column}」` : ''}：${e.message}` : e.message))
      .join('；');
    return new DomainError('BAD_USER_INPUT', `文件中有 ${list.length} 处错误，未入账。${first}${list.length > 3 ? '……' : ''}`, {
      field: 'file',
      errors: list,
    });
  }
}
