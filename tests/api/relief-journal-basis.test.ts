import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, parseCsv } from '../support/paperwork.ts';
import { quiltDistributor, stockedPoint } from '../support/relief.ts';

// D22, D29 (sweep 14c LOW-9): the journal's rows of relief hand-outs cited nothing (依据 empty), so an auditor reading the
// ledger could not tell a hand-out within the relief standard from 200 quilts to one household beyond it without the
// alerts screen. The distribution's document now cites its basis — the standard, or (beyond it) the keeper's stated
// reason reported to the command — in the journal, its export and the document; the reason itself, which may describe
// the family, stays in the distribution record, shown only to those who may read households.

describe('D22, D29: a relief distribution cites its basis (依据) in the journal (sweep 14c LOW-9)', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });
  let at: { incidentId: string; point: string };
  const distribute = quiltDistributor(t, () => at, 'id number');

  beforeAll(async () => {
    at = await stockedPoint(t, '汲水镇依据测试安置点', 'BASIS-MB-2031');
  });

  it('D29: within the standard 「按救助标准发放到户」; beyond it 「超标准发放到户（原因已报指挥部）」 — in the journal, its CSV and the document', async () => {
    const within = ok(await distribute({ headName: '韩立新', size: 3, address: '汲水镇东街' }, 3, { signatureRef: 'QS-B-1' })).distributeRelief;
    const beyond = ok(
      await distribute({ headName: '邵春梅', size: 2, address: '汲水镇西街' }, 5, { signatureRef: 'QS-B-2', overrideReason: '房屋倒塌，家中有卧床老人' }),
    ).distributeRelief;
    const journal = ok(
      await t.gql(
        `query($f: JournalFilter!) { journal(filter: $f, first: 10) { edges { node { quantity document { number reference } } } } }`,
        { f: { storeId: at.point, documentType: 'ISSUE' } },
        'auditor',
      ),
    ).journal.edges.map((e: any) => e.node);
    expect(journal).toEqual([
      { quantity: -5, document: { number: beyond.number, reference: '超标准发放到户（原因已报指挥部）' } },
      { quantity: -3, document: { number: within.number, reference: '按救助标准发放到户' } },
    ]);
    const [headings, ...rows] = parseCsv((await download(t, '/exports/journal.csv', 'auditor', { regionCode: '410781', documentType: 'ISSUE' })).text);
    const basis = (n: string) => rows.find((r) => r[0] === n)![headings.indexOf('依据')];
    expect(basis(within.number)).toBe('按救助标准发放到户');
    expect(basis(beyond.number)).toBe('超标准发放到户（原因已报指挥部）');
    // The reason, which describes the family, is not in the ledger's citation.
    expect(rows.flat().join('|')).not.toContain('卧床老人');
  });
});
