import { describe, expect, it } from 'vitest';
import { arrivalLabel, type LineArrival } from '../../server/console/src/dispatcher/arrival.ts';

// D28 (console sweep 2, L4): a plan line's 灾后到达 says why it is red — not all of it arrives, or it arrives after the
// 10 hours — instead of a bare red "0.0 小时" for a line received short minutes after the disaster. Which of the two is
// the API's (arrivesInFull, receivedQuantity), not inferred from the hours.

const NOW = new Date('2026-12-05T06:00:00Z');
const line = (l: Partial<LineArrival>): LineArrival => ({
  quantity: 1200,
  arrivesAt: '2026-12-05T05:00:00Z',
  hoursSinceIncident: 1.1,
  meetsBasicNeedsTarget: true,
  arrivesInFull: true,
  receivedQuantity: 1200,
  ...l,
});

describe('arrivalLabel (D28)', () => {
  it('on time and whole: green, the hours; arrived, or expected', () => {
    expect(arrivalLabel(line({}), NOW)).toEqual({ text: '1.1 小时', colour: 'green', arrived: true, why: null });
    expect(arrivalLabel(line({ arrivesAt: '2026-12-05T08:00:00Z', hoursSinceIncident: 4, receivedQuantity: 0 }), NOW).arrived).toBe(false);
  });

  it('within the 10 hours but part of it will not come (received short, or its shipment cancelled): 未到齐, with what arrived', () => {
    const label = arrivalLabel(line({ hoursSinceIncident: 0, meetsBasicNeedsTarget: false, arrivesInFull: false, receivedQuantity: 1150 }), NOW);
    expect(label).toMatchObject({ text: '0.0 小时，未到齐', colour: 'red' });
    expect(label.why).toBe('已到 1,150，共 1,200；其余不在途中，需补发（在途短少须经核销审批后补发，运单已撤销的可直接补发）');
  });

  it('after the 10 hours, all of it arriving: late, said so', () => {
    const label = arrivalLabel(line({ hoursSinceIncident: 12.5, meetsBasicNeedsTarget: false }), NOW);
    expect(label).toMatchObject({ text: '12.5 小时，超过 10 小时', colour: 'red' });
    expect(label.why).toBe('晚于灾后 10 小时');
  });

  it('both short and late: 未到齐 first (a 补发 is needed), and late said too', () => {
    const label = arrivalLabel(line({ hoursSinceIncident: 11, meetsBasicNeedsTarget: false, arrivesInFull: false, receivedQuantity: 0 }), NOW);
    expect(label).toMatchObject({ text: '11.0 小时，未到齐', colour: 'red' });
    expect(label.why).toBe('已到 0，共 1,200；其余不在途中，需补发（在途短少须经核销审批后补发，运单已撤销的可直接补发）；晚于灾后 10 小时');
  });
});
