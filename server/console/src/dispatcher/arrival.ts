// D28: a plan line's arrival against the 10 hours from the disaster, said in words. The API's meetsBasicNeedsTarget
// holds when the line's whole quantity arrives (received, or planned to) by occurredAt + 10 h; a red figure alone did
// not say which half failed — a line received short at 0.0 hours read like an error (console sweep 2, L4).

const BASIC_NEEDS_HOURS = 10;

export interface LineArrival {
  arrivesAt: string;
  hoursSinceIncident: number;
  meetsBasicNeedsTarget: boolean;
}

/** The tag's text and colour; whether the time is past (arrived) or expected; why it is red, if it is. */
export function arrivalLabel(l: LineArrival, now = new Date()): { text: string; colour: 'green' | 'red'; arrived: boolean; why: string | null } {
  const hours = `${l.hoursSinceIncident.toFixed(1)} 小时`;
  const arrived = Date.parse(l.arrivesAt) <= now.getTime();
  if (l.meetsBasicNeedsTarget) return { text: hours, colour: 'green', arrived, why: null };
  // Within the 10 hours and still not met: not all of it arrives (received short, or its shipment cancelled).
  if (l.hoursSinceIncident <= BASIC_NEEDS_HOURS) {
    return { text: `${hours}，未到齐`, colour: 'red', arrived, why: '数量未全部到达（短少待核销，或运单已撤销），需补发' };
  }
  return { text: `${hours}，超过 ${BASIC_NEEDS_HOURS} 小时`, colour: 'red', arrived, why: `晚于灾后 ${BASIC_NEEDS_HOURS} 小时` };
}
