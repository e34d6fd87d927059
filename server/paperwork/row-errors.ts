import { DomainError } from '../errors.ts';

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
  add(row: number, column: string, message: string) {
    this.list.push({ row, column, message });
  }
  /** Throws BAD_USER_INPUT listing every error, when there is any. */
  throwIfAny(): void {
    if (!this.list.length) return;
    const first = this.list
      .slice(0, 3)
      .map((e) => (e.row ? `第 ${e.row} 行「${e.column}」：${e.message}` : e.message))
      .join('；');
    throw new DomainError('BAD_USER_INPUT', `文件中有 ${this.list.length} 处错误，未入账。${first}${this.list.length > 3 ? '……' : ''}`, {
      field: 'file',
      errors: this.list,
    });
  }
}
