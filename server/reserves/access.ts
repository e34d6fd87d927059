import type { Principal } from '../auth/principal.ts';
import { forbidden } from '../errors.ts';

/**
 * Quotas (D19) and agreements with their spot checks (D6) are set by administrators — within their scope, which the
 * callers check on the store or region — as DOMAIN.md "Who uses it" gives them ("users, stores, catalog, agreements,
 * quotas"). Dispatchers plan with them (reserveGaps, agreements read as before) but do not set them; auditors read.
 */
export function assertReserveManager(user: Principal) {
  if (user.role !== 'ADMIN') throw forbidden('储备定额与协议管理（仅管理员可办理）');
}
