import type { ServiceContext } from '../../context.ts';
import type { Params } from '../params.ts';
import type { Report } from '../report.ts';
import { gapsReport } from './gaps.ts';
import { incidentReport } from './incident.ts';
import { journalReport } from './journal.ts';
import { rotationReport } from './rotation.ts';
import { stockReport } from './stock.ts';
import { valuationReport } from './valuation.ts';

/** Every list a bureau reports on, by the name in its download path (/exports/<name>.xlsx|csv). */
export const REPORTS: Readonly<Record<string, (ctx: ServiceContext, q: Params) => Promise<Report>>> = {
  stock: stockReport,
  journal: journalReport,
  valuation: valuationReport,
  'rotation-due': rotationReport,
  'reserve-gaps': gapsReport,
  'incident-balance': incidentReport,
};
