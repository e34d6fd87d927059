import { describe, expect, it } from 'vitest';
import { documentType } from '../../drizzle/schema/ledger.ts';
import { DOCUMENT_TYPE_NAMES, MOVEMENT_TYPE_NAMES } from '../../server/paperwork/names.ts';

// Lists and printed documents name every kind of movement and document in Chinese: the 出入库流水 export showed a
// 核销 (D27: a loss in transit written off) as the raw code WRITE_OFF (sweep 6c L6).

describe('Chinese names of document types (server/paperwork/names.ts)', () => {
  it('D22, D27: every document type has its name as a movement (出入库流水) and as a document (its printed title)', () => {
    for (const type of documentType.enumValues) {
      expect(MOVEMENT_TYPE_NAMES[type], type).toMatch(/\p{Script=Han}/u);
      expect(DOCUMENT_TYPE_NAMES[type], type).toMatch(/\p{Script=Han}/u);
    }
    expect(MOVEMENT_TYPE_NAMES.WRITE_OFF).toBe('核销');
  });
});
