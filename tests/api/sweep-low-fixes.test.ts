import { afterEach, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { documentById, ledgerCounts, ok, purchase, receiveRaw, reverseRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { createIncident, requestPlan } from '../support/relief.ts';

// Findings of the outside sweep (findings-sweep.md, LOW): L6, L7, L13.

type T = ReturnType<typeof useTestApp>;

const firstError = (res: { errors?: { message: string; extensions: Record<string, unknown> }[] }) => res.errors?.[0] ?? { message: '', extensions: {} };

const incidentRaw = (t: T, name: string) =>
  t.gql(
    `mutation($i: IncidentInput!) { createIncident(input: $i) { id name } }`,
    { i: { name, type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } } },
    'dispatcher',
  );

describe('sweep LOW fixes', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  describe('L6 (D22): a stocktake with no difference is not reversed', () => {
    it('D22: a stocktake whose counts equal the book is not reversible, and reverseDocument refuses it (INVALID_STATE) creating nothing', async () => {
      const item = itemId('LIV-004');
      const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: item, quantity: 9, batchNo: 'L6-EQUAL', unitPrice: '10.00', expiryDate: '2031-01-01' }]);
      const batchId = doc.lines[0].batch.id as string;
      const st = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 9 }] })).submitStocktake;
      expect(st.lines.map((l: any) => l.quantity)).toEqual([0]);
      const reversible = async (id: string) => ok(await t.gql(`query($id: ID!) { document(id: $id) { reversible } }`, { id }, 'keeper')).document.reversible;
      expect(await reversible(st.id)).toBe(false);
      expect(await reversible(doc.id)).toBe(true); // a receipt still is
      const before = await ledgerCounts(t);
      const res = await reverseRaw(t, 'keeper', st.id, key(), false);
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(firstError(res).message).toBe('该盘点单没有盈亏，无需冲销');
      expect(firstError(res).extensions).toMatchObject({ field: 'documentId' });
      expect(await ledgerCounts(t)).toEqual(before);
      expect(await documentById(t, st.id)).toMatchObject({ status: 'POSTED', reversedBy: null });
      const queue = ok(await t.gql(`query { approvals(filter: { kind: REVERSAL, status: PENDING }, first: 500) { edges { node { summary } } } }`, {}, 'admin'));
      expect(queue.approvals.edges.map((e: any) => e.node.summary).filter((s: string) => s.includes(st.number))).toEqual([]);
    });

    it('D22: a stocktake with a difference is still reversible', async () => {
      const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'L6-LOSS', unitPrice: '10.00', expiryDate: '2031-01-01' }]);
      const batchId = doc.lines[0].batch.id as string;
      const st = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 8, reason: 'STOCKTAKE_LOSS' }] })).submitStocktake;
      expect(ok(await t.gql(`query($id: ID!) { document(id: $id) { reversible } }`, { id: st.id }, 'keeper')).document.reversible).toBe(true);
      ok(await reverseRaw(t, 'keeper', st.id));
    });
  });

  describe('L7 (D14, API.md approvalDueAt: "execution time + 48 h"): the due time does not move', () => {
    it('D14: an emergency approval has no due time until executed (not overdue while unexecuted); executed 49 h later, it is due 48 h after that', async () => {
      const incident = await createIncident(t, { name: '卫辉市紧急调拨（L7）' });
      await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 5, batchNo: 'L7-EM', unitPrice: '100.00', expiryDate: '2031-01-01' }]);
      const plan = await requestPlan(t, incident, QUILT, 2);
      const queueItem = async () =>
        ok(
          await t.gql(
            `query { approvals(filter: { kind: EMERGENCY_WRITTEN_APPROVAL, status: PENDING }, first: 500) { edges { node { subjectId dueAt } } } }`,
            {},
            'director',
          ),
        )
          .approvals.edges.map((e: any) => e.node)
          .find((a: any) => a.subjectId === plan.id);
      const overdue = async () => ok(await t.gql(`query { overdueEmergencyApprovals { id } }`, {}, 'director')).overdueEmergencyApprovals.map((p: any) => p.id);
      try {
        const approved = ok(
          await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { emergency approvalDueAt } }`, { p: plan.id }, 'dispatcher'),
        ).approveDispatchPlan;
        expect(approved).toEqual({ emergency: true, approvalDueAt: null });
        expect(await queueItem()).toMatchObject({ dueAt: null });
        t.clock.set(new Date(Date.parse(NOW) + 49 * 3600_000).toISOString());
        expect(await overdue()).not.toContain(plan.id);
        const executed = ok(
          await t.gql(
            `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { executedAt approvalDueAt } }`,
            { p: plan.id, k: key() },
            'dispatcher',
          ),
        ).executeDispatchPlan;
        expect(Date.parse(executed.approvalDueAt) - Date.parse(executed.executedAt)).toBe(48 * 3600_000);
        expect(Date.parse(executed.executedAt)).toBe(Date.parse(NOW) + 49 * 3600_000);
        expect(Date.parse((await queueItem()).dueAt)).toBe(Date.parse(executed.approvalDueAt));
        expect(await overdue()).not.toContain(plan.id);
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('L13: text that displays reversed, or as nothing, is refused', () => {
    it('bidirectional controls (U+202E, U+2066–U+2069, U+200E/F, U+061C) are BAD_USER_INPUT at the edge, naming the field, in variables and literals', async () => {
      for (const name of ['洪水🌊\u202e测试', '洪水\u2067测试', '洪水\u200f测试', '洪水\u061c测试', '洪水\u202a测试']) {
        const res = await incidentRaw(t, name);
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(firstError(res).extensions.field).toBe('input.name'); // sweep 11b B3: the input's path, not the variable's
        expect(firstError(res).message).toMatch(/控制字符/);
      }
      const literal = await t.gql(
        `mutation { createIncident(input: { name: "洪水\\u202e测试", type: FLOOD, regionCode: "410781", location: { lat: 35.398, lng: 114.064 } }) { id } }`,
        {},
        'dispatcher',
      );
      expect(errorCode(literal)).toBe('BAD_USER_INPUT');
      expect(firstError(literal).extensions.field).toBe('input.name'); // sweep 11b B3: as a variable's is named
      // D18: a batch number "WH-\u202eMB" would print as another number
      const before = await ledgerCounts(t);
      const batch = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'WH-\u202eMB', expiryDate: '2031-01-01' }]));
      expect(errorCode(batch)).toBe('BAD_USER_INPUT');
      expect(firstError(batch).extensions.field).toBe('input.lines.0.batchNo');
      expect(await ledgerCounts(t)).toEqual(before);
    });

    it('other control characters (BEL, ESC, DEL, C1) are BAD_USER_INPUT at the edge naming the field; a note over several lines (LF, CR, tab) is kept', async () => {
      for (const [name, code] of [
        ['洪水\u0007测试', 'U+0007'],
        ['洪水\u001b[31m测试', 'U+001B'],
        ['洪水\u007f测试', 'U+007F'],
        ['洪水\u0085测试', 'U+0085'],
      ]) {
        const res = await incidentRaw(t, name);
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(firstError(res).extensions.field).toBe('input.name'); // sweep 11b B3: the input's path, not the variable's
        expect(firstError(res).message).toContain(code);
      }
      const literal = await t.gql(
        `mutation { createIncident(input: { name: "洪水\\u0007测试", type: FLOOD, regionCode: "410781", location: { lat: 35.398, lng: 114.064 } }) { id } }`,
        {},
        'dispatcher',
      );
      expect(errorCode(literal)).toBe('BAD_USER_INPUT');
      expect(firstError(literal).extensions.field).toBe('input.name'); // sweep 11b B3: as a variable's is named
      const before = await ledgerCounts(t);
      const bell = await receiveRaw(t, 'keeper', purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'L13-\u0007', expiryDate: '2031-01-01' }]));
      expect(errorCode(bell)).toBe('BAD_USER_INPUT');
      expect(firstError(bell).extensions.field).toBe('input.lines.0.batchNo');
      expect(await ledgerCounts(t)).toEqual(before);
      const note = '第一行\r\n第二行\t备注';
      const doc = ok(
        await receiveRaw(t, 'keeper', { ...purchase(WEIHUI, [{ itemId: QUILT, quantity: 1, batchNo: 'L13-NOTE', expiryDate: '2031-01-01' }]), note }),
      );
      expect(doc.receiveStock.id).toBeTruthy();
    });

    it('a name of zero-width characters only is blank where a name is required; Chinese text with emoji (and their joiners) is accepted', async () => {
      for (const name of ['\u200b\u200b', '\u200c\u200d ', '\u2060\ufeff\u200b']) {
        const res = await incidentRaw(t, name);
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(firstError(res).extensions.field).toBe('input.name');
      }
      const before = await ledgerCounts(t);
      const donor = await receiveRaw(t, 'keeper', {
        storeId: WEIHUI,
        source: 'DONATION',
        sourceName: '\u200b\u200b',
        lines: [{ itemId: QUILT, quantity: 1, batchNo: 'L13-DONOR', expiryDate: '2031-01-01' }],
      });
      expect(errorCode(donor)).toBe('BAD_USER_INPUT');
      expect(firstError(donor).extensions.field).toBe('input.sourceName');
      expect(await ledgerCounts(t)).toEqual(before);
      for (const name of ['洪水🌊测试', '卫辉👨\u200d👩\u200d👧安置']) {
        expect(ok(await incidentRaw(t, name)).createIncident.name).toBe(name);
      }
      expect(await createIncident(t, { name: '卫辉市洪涝灾害（二）' })).toBeTruthy();
    });
  });
});
