import type { Principal } from '../auth/principal.ts';
import { forbidden } from '../errors.ts';

/** Quotas and agreements are managed by administrators and dispatchers (inside their region); auditors read. */
export function assertReserveManager(user: Principal) {
  if (user.role !== 'ADMIN' && user.role !== 'DISPATCHER') throw forbidden('储备定额与协议管理');
}
