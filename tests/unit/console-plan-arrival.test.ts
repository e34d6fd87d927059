import { describe, expect, it } from 'vitest';
import { arrivalLabel } from '../../server/console/src/dispatcher/arrival.ts';

// D28 (console sweep 2, L4): a plan line's 灾后到达 says why it is red — not all of it arrived, or it arrived after the
// 10 hours — instead of a bare red "0.0 小时" for a line received short minutes after the disaster.

const NOW = new Date('2026-12-05T06:00:00Z');

describe('arrivalLabel (D28)', () => {
  it('on time and whole: green, the hours; arrived, or expected', () => {
    expect(arrivalLabel({ arrivesAt: '2026-12-05T05:00:00Z', hoursSinceIncident: 1.1, meetsBasicNeedsTarget: true }, NOW)).toEqual({
      text: '1.1 小时',
      colour: 'green',
      arrived: true,
      why: null,
    });
    expect(arrivalLabel({ arrivesAt: '2026-12-05T08:00:00Z', hoursSinceIncident: 4, meetsBasicNeedsTarget: true }, NOW).arrived).toBe(false);
  });

  it('within the 10 hours but not met: not all of it arrived (received short, or its shipment cancelled)', () => {
    const label = arrivalLabel({ arrivesAt: '2026-12-05T05:30:00Z', hoursSinceIncident: 0, meetsBasicNeedsTarget: false }, NOW);
    expect(label).toMatchObject({ text: '0.0 小时，未到齐', colour: 'red' });
    expect(label.why).toContain('数量未全部到达');
  });

  it('after the 10 hours: late, said so', () => {
    const label = arrivalLabel({ arrivesAt: '2026-12-05T05:30:00Z', hoursSinceIncident: 12.5, meetsBasicNeedsTarget: false }, NOW);
    expect(label).toMatchObject({ text: '12.5 小时，超过 10 小时', colour: 'red' });
    expect(label.why).toBe('晚于灾后 10 小时');
  });
});
