import type { GqlResult, TestApp } from './harness.ts';
import { ok } from './ledger-ops.ts';

// createAgreement for the API tests: the agreement tests (D6) and the dispatch tests that draw on agreement and
// capacity reserves (D17, D25).

/** createAgreement with `input` exactly as given, selecting `selection` of the new agreement: the raw result, data or errors. */
export const agreementRaw = (t: TestApp, input: Record<string, unknown>, as = 'admin', selection = 'id'): Promise<GqlResult> =>
  t.gql(`mutation($i: AgreementInput!) { createAgreement(input: $i) { ${selection} } }`, { i: input }, as);

/**
 * Creates an agreement and returns its id (asserting it worked). Unless `input` says otherwise it is an agreement
 * reserve (mode AGREEMENT, D6) in force from 2026-01-01 to 2027-12-31, around the tests' today (2026-07-20).
 */
export async function createAgreement(t: TestApp, input: Record<string, unknown>, as = 'admin'): Promise<string> {
  const res = await agreementRaw(t, { mode: 'AGREEMENT', validFrom: '2026-01-01', validTo: '2027-12-31', ...input }, as);
  return ok(res).createAgreement.id;
}
