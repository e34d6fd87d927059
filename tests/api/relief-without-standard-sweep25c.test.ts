import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { download, parseCsv } from '../support/paperwork.ts';
import { stockedPoint } from '../support/relief.ts';

// Sweep 25c F4 (D22, D29): an item with no relief standard on the 安置点's region chain (棉被 in 新乡县's townships; here
// 睡袋 in 卫辉市, which sets standards for 棉被, 毛毯, 折叠床 and 棉帐篷 only) was handed out without limit or signal — 40 to a
// one-person household — and its journal row and print said 依据 「按救助标准发放到户」. Now, as D29 asks that the command
// see what no standard limits: each such distribution is announced (alerts: RELIEF_WITHOUT_STANDARD — the 安置点, the
// document, the household's size, the items, the distributor; never the household's name), and its 依据 says there was
// no standard (「无救助标准，按实发放到户（已报指挥部）」); a hand-out within a standard keeps 「按救助标准发放到户」.

const SLEEPING_BAG = itemId('LIV-009'); // 睡袋: consumed (D12), no standard in 卫辉市
const ALERTS = `query($r: String) { alerts(regionCode: $r) { key kind severity message store { id } item { id } quantity } }`;
const WITHOUT = '无救助标准，按实发放到户（已报指挥部）';
const MIXED = '按救助标准发放到户；其中部分物资无救助标准，按实发放（已报指挥部）';

describe('sweep 25c F4 (D29): relief of an item with no standard is told to the command, and cites no standard', () => {
  const t = useTestApp({ resetClock: true, checkLedger: true });
  let at: { incidentId: string; point: string };

  const distribute = async (household: Record<string, unknown>, lines: { itemId: string; quantity: number }[], signatureRef: string) =>
    ok(
      await t.gql(
        `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id number } }`,
        { i: { storeId: at.point, incidentId: at.incidentId, household, lines, signatureRef, idempotencyKey: key() } },
        'keeper',
      ),
    ).distributeRelief as { id: string; number: string };
  const alertsOf = async (as: string) => (ok(await t.gql(ALERTS, { r: '410781' }, as)).alerts as any[]).filter((a) => a.kind === 'RELIEF_WITHOUT_STANDARD');
  const referenceOf = async (id: string) => ok(await t.gql(`query($id: ID!) { document(id: $id) { reference } }`, { id }, 'auditor')).document.reference;

  beforeAll(async () => {
    at = await stockedPoint(t, '汲水镇无标准发放安置点', 'S25C-F4-MB');
    await receive(t, 'keeper', WEIHUI, [{ itemId: SLEEPING_BAG, quantity: 60, batchNo: 'S25C-F4-SD', expiryDate: '2031-01-01' }]);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: at.point, lines: [{ itemId: SLEEPING_BAG, quantity: 60 }] })).shipTransfer;
    ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })) }));
  });

  it('D29: 40 睡袋 to a one-person household — served (no standard to exceed), announced to the command, 依据 「无救助标准」 in journal, CSV and print', async () => {
    const forty = await distribute({ headName: '孙七', size: 1, address: '汲水镇5号' }, [{ itemId: SLEEPING_BAG, quantity: 40 }], 'S25C-QS-5');
    expect(await referenceOf(forty.id)).toBe(WITHOUT);

    const [alert] = (await alertsOf('dispatcher')).filter((a) => a.key === `RELIEF_WITHOUT_STANDARD:${forty.id}`);
    expect(alert).toEqual({
      key: `RELIEF_WITHOUT_STANDARD:${forty.id}`,
      kind: 'RELIEF_WITHOUT_STANDARD',
      severity: 'WARNING',
      message: `汲水镇无标准发放安置点 无救助标准发放 ${forty.number}：1 人户，睡袋 40 个；本地区未设该物资救助标准，未作限量；发放人 卫辉市储备库库管员`,
      store: { id: at.point },
      item: { id: SLEEPING_BAG },
      quantity: 40,
    });
    // The keeper managing the point is told too; no alert names the household (D29: personal data).
    expect((await alertsOf('keeper')).map((a) => a.key)).toContain(alert.key);
    expect(JSON.stringify(await alertsOf('dispatcher'))).not.toContain('孙七');

    const [headings, ...rows] = parseCsv((await download(t, '/exports/journal.csv', 'auditor', { regionCode: '410781', documentType: 'ISSUE' })).text);
    expect(rows.find((r) => r[0] === forty.number)![headings.indexOf('依据')]).toBe(WITHOUT);
    const html = String((await download(t, `/paperwork/documents/${forty.id}.html`, 'keeper')).text);
    expect(html).toContain(WITHOUT);
    expect(html).not.toContain('按救助标准发放到户');
  });

  it('D29: a quilt within its standard with sleeping bags beside it — both said; the alert names what the household had before', async () => {
    const mixed = await distribute(
      { headName: '孙七', size: 1, address: '汲水镇5号' },
      [
        { itemId: QUILT, quantity: 1 },
        { itemId: SLEEPING_BAG, quantity: 2 },
      ],
      'S25C-QS-6',
    );
    expect(await referenceOf(mixed.id)).toBe(MIXED);
    const alert = (await alertsOf('dispatcher')).find((a) => a.key === `RELIEF_WITHOUT_STANDARD:${mixed.id}`);
    expect(alert.message).toBe(
      `汲水镇无标准发放安置点 无救助标准发放 ${mixed.number}：1 人户，睡袋 2 个（此前已领 40 个）；本地区未设该物资救助标准，未作限量；发放人 卫辉市储备库库管员`,
    );
  });

  it('D29: within the standard only — 「按救助标准发放到户」 as before, and no such alert', async () => {
    const within = await distribute({ headName: '周八', size: 2, address: '汲水镇6号' }, [{ itemId: QUILT, quantity: 2 }], 'S25C-QS-7');
    expect(await referenceOf(within.id)).toBe('按救助标准发放到户');
    expect((await alertsOf('dispatcher')).map((a) => a.key)).not.toContain(`RELIEF_WITHOUT_STANDARD:${within.id}`);
  });
});
