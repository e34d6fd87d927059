// D28: a plan line's arrival against the 10 hours from the disaster, said in words. The API's meetsBasicNeedsTarget
// holds when the line's whole quantity arrives (received, or planned to) by occurredAt + 10 h; a red figure alone did
// not say which half failed — a line received short at 0.0 hours read like an error (console sweep 2, L4). The API says
// which: arrivesInFull (false once part of it will not come) and how much its 安置点 has received.
import { formatNumber } from '../common/format.ts';

const BASIC_NEEDS_HOURS = 10;

export interface LineArrival {
  quantity: number;
  arrivesAt: string;
  hoursSinceIncident: number;
  meetsBasicNeedsTarget: boolean;
  arrivesInFull: boolean;
  receivedQuantity: number;
}

/** The tag's text and colour; whether the time is past (arrived) or expected; why it is red, if it is. */
export function arrivalLabel(l: LineArrival, now = new Date()): { text: string; colour: 'green' | 'red'; arrived: boolean; why: string | null } {
  const hours = `${l.hoursSinceIncident.toFixed(1)} 小时`;
  const arrived = Date.parse(l.arrivesAt) <= now.getTime();
  if (l.meetsBasicNeedsTarget) return { text: hours, colour: 'green', arrived, why: null };
  const late = l.hoursSinceIncident > BASIC_NEEDS_HOURS ? `晚于灾后 ${BASIC_NEEDS_HOURS} 小时` : null;
  if (l.arrivesInFull) return { text: `${hours}，超过 ${BASIC_NEEDS_HOURS} 小时`, colour: 'red', arrived, why: late };
  const short = `已到 ${formatNumber(l.receivedQuantity)}，共 ${formatNumber(l.quantity)}；其余不在途中，需补发（在途短少须经核销审批后补发，运单已撤销的可直接补发）`;
  return { text: `${hours}，未到齐`, colour: 'red', arrived, why: late ? `${short}；${late}` : short };
}
