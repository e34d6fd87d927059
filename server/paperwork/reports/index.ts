import type { ServiceContext } from '../../context.ts';
import type { Params } from '../params.ts';
import type { Report } from '../report.ts';
import { gapsReport } from './gaps.ts';
import { incidentReport } from './incident.ts';
import { journalReport } from './journal.ts';
import { rotationReport } from './rotation.ts';
import { stockReport } from './stock.ts';
import { valuationReport } from './valuation.ts';

export interface ReportList {
  build: (ctx: ServiceContext, q: Params) => Promise<Report>;
  /** The query parameters it reads (README's exports table); any other is refused (params.ts assertKnownParams). */
  params: readonly string[];
}

/** Every list a bureau reports on, by the name in its download path (/exports/<name>.xlsx|csv), with its parameters. */
export const REPORTS: Readonly<Record<string, ReportList>> = {
  stock: { build: stockReport, params: ['regionCode', 'storeId', 'itemId', 'categoryCode', 'search', 'expiringBefore'] },
  journal: { build: journalReport, params: ['from', 'to', 'regionCode', 'storeId', 'itemId', 'documentType'] },
  valuation: { build: valuationReport, params: ['asOf', 'regionCode', 'groupBy'] },
  'rotation-due': { build: rotationReport, params: ['regionCode', 'withinMonths'] },
  'reserve-gaps': { build: gapsReport, params: ['regionCode'] },
  'incident-balance': { build: incidentReport, params: ['incidentId'] },
};
