import { useState } from 'react';
import { useUser, type SessionUser } from '../app/session';

type Store = SessionUser['stores'][number];

const isPoint = (s: Store) => s.kind === 'DISTRIBUTION_POINT';

/**
 * A keeper works at one of their stores at a time: warehouses first (by code), then the 安置点 they manage; the first is
 * chosen until they pick another. `points` limits the choice to the 安置点 (where relief is handed out, D29).
 */
export function useStoreChoice(which: 'all' | 'points' = 'all') {
  const user = useUser();
  const stores = [...user.stores]
    .filter((s) => which === 'all' || isPoint(s))
    .sort((a, b) => Number(isPoint(a)) - Number(isPoint(b)) || a.code.localeCompare(b.code));
  const [storeId, setStoreId] = useState<string | undefined>(stores[0]?.id);
  const options = stores.map((s) => ({ value: s.id, label: s.name }));
  return { storeId, setStoreId, options, store: stores.find((s) => s.id === storeId) };
}
