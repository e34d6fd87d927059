import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { agreementRaw } from '../support/agreements.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download } from '../support/paperwork.ts';

// API.md Errors: a refusal is read by the keeper or dispatcher at the screen, in the words of the console's forms and
// lists — never a status code (PROPOSED), a reason code (MOULDY) or an input field's name (toStoreId, regionCode,
// perPerson). The codes and field names stay in extensions (status, allowed, field) for clients and support.

const ext = (res: GqlResult): Record<string, unknown> => res.errors?.[0]?.extensions ?? {};
const message = (res: GqlResult) => res.errors?.[0]?.message ?? '';
/** No ASCII letter in a message: no code, no field name (these refusals name no document or batch number). */
const NO_CODES = /^[^A-Za-z]*$/;

const TARP = itemId('LIV-016'); // 苫布, received at 卫辉市 for the plan
const GOVERNMENT_STORE = storeId('S-410721-01'); // 新乡县救灾物资储备库 (政府储备库)
const JISHUI = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

describe('API.md Errors: messages in words, without codes or field names', () => {
  const t = useTestApp({ resetClock: true });
  afterEach(() => expectLedgerConsistent(t));

  describe('D11/D14: a dispatch plan’s status is named, not coded', () => {
    let planId: string;
    const PLAN_FIELDS = 'id status';
    const approve = (as: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: false) { ${PLAN_FIELDS} } }`, { p: planId }, as);
    const execute = () =>
      t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN_FIELDS} } }`, { p: planId, k: key() }, 'dispatcher');

    beforeAll(async () => {
      await receive(t, 'admin', WEIHUI, [{ itemId: TARP, quantity: 20, batchNo: 'MWC-TP-1', expiryDate: '2032-01-01', unitPrice: '60.00' }]);
      const incident = ok(
        await t.gql(
          `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
          {
            i: {
              name: '卫辉市汲水镇内涝',
              type: 'FLOOD',
              regionCode: '410781',
              location: { lat: 35.398, lng: 114.064 },
              affectedPopulation: 800,
              responseLevel: 4,
            },
          },
          'dispatcher',
        ),
      ).createIncident.id as string;
      const plan = ok(
        await t.gql(
          `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN_FIELDS} } }`,
          { i: { incidentId: incident, destinations: [{ ...JISHUI, lines: [{ itemId: TARP, quantity: 5 }] }] } },
          'dispatcher',
        ),
      ).requestDispatch;
      expect(plan.status).toBe('PROPOSED');
      planId = plan.id;
    });

    it('D14: executing a plan awaiting approval says 待批准 and 已批准 (extensions.status stays PROPOSED)', async () => {
      const res = await execute();
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(ext(res)).toMatchObject({ field: 'planId', status: 'PROPOSED' });
      expect(message(res)).toBe('调拨方案状态为待批准，只有已批准的方案可以执行');
      expect(message(res)).toMatch(NO_CODES);
    });

    it('D24: the requester approving their own plan is pointed at the 紧急批准 button, not at emergency: true', async () => {
      const res = await approve('dispatcher');
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(message(res)).toBe('不相容岗位分离：本人提交的调拨方案不能由本人批准（紧急情况可用「紧急批准」先调拨后补手续）');
      expect(message(res)).toMatch(NO_CODES);
    });

    it('D11: approving an approved plan again says 已批准 and 待批准 (extensions.status stays APPROVED)', async () => {
      expect(ok(await approve('director')).approveDispatchPlan.status).toBe('APPROVED');
      const res = await approve('director');
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(ext(res)).toMatchObject({ field: 'planId', status: 'APPROVED' });
      expect(message(res)).toBe('调拨方案状态为已批准，只有待批准的方案可以批准');
      expect(message(res)).toMatch(NO_CODES);
    });
  });

  it('D11: a reason not for this use is named (原因「霉变」), an unknown one refused; the choices by name, the codes in extensions.allowed', async () => {
    const issueWith = (reason: string) =>
      t.gql(
        `mutation($input: IssueStockInput!) { issueStock(input: $input) { id } }`,
        { input: { storeId: WEIHUI, recipient: '受灾群众', reason, idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
        'keeper',
      );
    const reasons = ok(await t.gql(`{ stockReasons { code name usages } }`, {}, 'keeper')).stockReasons as { code: string; name: string; usages: string[] }[];
    const issuing = reasons.filter((r) => r.usages.includes('ISSUE'));
    for (const [reason, refusal] of [
      ['MOULDY', '原因「霉变」不适用于此处'],
      ['NO_SUCH_REASON', '原因无效'],
    ] as const) {
      const res = await issueWith(reason);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res)).toMatchObject({ field: 'input.reason', value: reason });
      expect([...(ext(res).allowed as string[])].sort()).toEqual(issuing.map((r) => r.code).sort());
      // The names of the reasons 出库 offers (in the API's order, whatever stockReasons lists).
      const [, said, listed] = /^(.+)（可选：(.+)）$/.exec(message(res)) ?? [];
      expect(said).toBe(refusal);
      expect((listed ?? '').split('、').sort()).toEqual(issuing.map((r) => r.name).sort());
      expect(message(res)).toMatch(NO_CODES);
    }
  });

  it('D23: 出库 of government reserves without an order says 须依据已批准的出库申请, not (orderId)', async () => {
    const res = await t.gql(
      `mutation($input: IssueStockInput!) { issueStock(input: $input) { id } }`,
      { input: { storeId: WEIHUI, recipient: '受灾群众', reason: 'RELIEF', idempotencyKey: key(), lines: [{ itemId: QUILT, quantity: 1 }] } },
      'keeper',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('input.orderId');
    expect(message(res)).toBe('政府储备物资凭令出库：出库须依据已批准的出库申请');
    expect(message(res)).toMatch(NO_CODES);
  });

  it('D29: a relief standard with both amounts says 每人标准与每户标准, not perPerson / perHousehold', async () => {
    const res = await t.gql(
      `mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { perPerson } }`,
      { i: { regionCode: '410781', itemId: QUILT, perPerson: 1, perHousehold: 1 } },
      'dispatcher',
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(message(res)).toContain('每人标准与每户标准须填且只填一项');
    expect(message(res)).toMatch(NO_CODES);
  });

  describe('D6: an agreement names reserve modes and store kinds in words', () => {
    const input = (over: Record<string, unknown>) => ({
      mode: 'ENTRUSTED',
      companyName: '新乡县中原物流仓储有限公司',
      regionCode: '410721',
      storeId: GOVERNMENT_STORE,
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: QUILT, quantity: 100 }],
      ...over,
    });

    it('D6: 实物储备 (PHYSICAL) is no agreement mode: the modes are listed as 协议储备、企业代储、产能储备', async () => {
      const res = await agreementRaw(t, input({ mode: 'PHYSICAL' }));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(message(res)).toContain('储备方式须为协议储备、企业代储或产能储备（实物储备不是协议）');
      expect(message(res)).toMatch(NO_CODES);
    });

    it('D6: 企业代储 at a 政府储备库 says which kind it is and which it needs (not GOVERNMENT / ENTRUSTED)', async () => {
      const res = await agreementRaw(t, input({}));
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(ext(res).field).toBe('input.storeId');
      expect(message(res)).toBe('该仓库是政府储备库，企业代储协议须对应代储库');
      expect(message(res)).toMatch(NO_CODES);
    });
  });

  it('D10: rotationDue with a window out of range says 月数, not withinMonths', async () => {
    const res = await t.gql(`{ rotationDue(regionCode: "410781", withinMonths: 121) { quantity } }`, {}, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('withinMonths');
    expect(message(res)).toBe('月数应为 0 到 120 之间的整数');
    expect(message(res)).toMatch(NO_CODES);
  });

  it('API.md Pagination: a page size out of range says 每页条数, not first', async () => {
    const res = await t.gql(`{ incidents(first: 501) { totalCount } }`, {}, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(ext(res).field).toBe('first');
    expect(message(res)).toMatch(/^每页条数须为 0 到 \d+ 之间的整数$/);
  });

  it('exports: a missing or malformed parameter is named in words (区划, 灾害事件, 月数), the field stays in error.field', async () => {
    const refusal = async (path: string, query: Record<string, string>) => {
      const res = await download(t, path, 'admin', query);
      expect(res.status).toBe(400);
      return JSON.parse(res.text).error as { code: string; field: string; message: string };
    };
    const cases: [string, Record<string, string>, string, string][] = [
      ['/exports/reserve-gaps.csv', {}, 'regionCode', '须指定区划'],
      ['/exports/incident-balance.csv', {}, 'incidentId', '须指定灾害事件'],
      ['/exports/rotation-due.csv', { withinMonths: '1.5' }, 'withinMonths', '月数：应为整数（1.5）'],
    ];
    for (const [path, query, field, expected] of cases) {
      const error = await refusal(path, query);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field, message: expected });
      expect(error.message).toMatch(NO_CODES);
    }
  });
});
