import { afterEach, describe, expect, it } from 'vitest';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, JINCHENG, QUILT, WEIHUI } from '../support/ledger.ts';
import { ENTRUSTED_XX } from '../support/finance.ts';

// D3 (sweep 18b F11): the owners (产权单位) a receipt at a store may record, listed for the receipt form — the store's
// region's government and those above it, and a company store's operator (server/inventory/owners.ts, the one rule) —
// for whoever may post at the store; a keeper's choice of one is recorded as the batch's owner.

const OWNERS = `query($s: ID!) { receiptOwners(storeId: $s) { level organization { id name kind } } }`;

describe('receiptOwners (D3)', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  it('D3: a keeper’s store lists its own government first, then those above it, each with its level; the city’s, chosen, owns the batch', async () => {
    const res = await t.gql(OWNERS, { s: WEIHUI }, 'keeper');
    expect(res.errors).toBeUndefined();
    const owners = res.data!.receiptOwners as { level: string | null; organization: { id: string; name: string; kind: string } }[];
    expect(owners.map((o) => [o.organization.name, o.level])).toEqual([
      ['卫辉市人民政府', 'COUNTY'],
      ['新乡市人民政府', 'CITY'],
      ['河南省人民政府', 'PROVINCE'],
    ]);
    // Every one has an id the receipt can name (a government not yet registered is registered when listed).
    expect(owners.every((o) => /^[0-9a-f-]{36}$/.test(o.organization.id))).toBe(true);
    // Listed twice: the same organisations.
    const again = (await t.gql(OWNERS, { s: WEIHUI }, 'keeper')).data!.receiptOwners as typeof owners;
    expect(again.map((o) => o.organization.id)).toEqual(owners.map((o) => o.organization.id));

    const city = owners.find((o) => o.level === 'CITY')!.organization;
    const posted = await t.gql(
      `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { lines { batch { fundingSource owner { name } } } } }`,
      {
        i: {
          storeId: WEIHUI,
          source: 'PURCHASE',
          contractNo: 'HT-18B-F11',
          inspectionReportNo: 'YS-18B-F11',
          idempotencyKey: 'f11-city-owner',
          lines: [{ itemId: QUILT, quantity: 3, batchNo: 'F11-CITY', unitPrice: '100.00', fundingSource: 'CITY', ownerOrgId: city.id }],
        },
      },
      'keeper',
    );
    expect(posted.errors).toBeUndefined();
    expect(posted.data!.receiveStock.lines[0].batch).toEqual({ fundingSource: 'CITY', owner: { name: '新乡市人民政府' } });
  });

  it('D3: an entrusted store lists its operating company first (level null), then the governments', async () => {
    const owners = (await t.gql(OWNERS, { s: ENTRUSTED_XX }, 'admin')).data!.receiptOwners as { level: string | null; organization: { kind: string } }[];
    expect(owners[0]).toMatchObject({ level: null, organization: { kind: 'COMPANY' } });
    expect(owners.slice(1).map((o) => o.level)).toEqual(['COUNTY', 'CITY', 'PROVINCE']);
  });

  it('D3: another region’s store is refused (FORBIDDEN), and an auditor, who posts nothing, is refused', async () => {
    expect(errorCode(await t.gql(OWNERS, { s: JINCHENG }, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(OWNERS, { s: WEIHUI }, 'auditor'))).toBe('FORBIDDEN');
  });
});
