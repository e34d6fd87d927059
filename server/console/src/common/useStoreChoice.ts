import { useState } from 'react';
import { useUser } from '../app/session';

/** A keeper works at one of their stores at a time; the first is chosen until they pick another. */
export function useStoreChoice() {
  const user = useUser();
  const [storeId, setStoreId] = useState<string | undefined>(user.stores[0]?.id);
  const options = user.stores.map((s) => ({ value: s.id, label: s.name }));
  return { storeId, setStoreId, options, store: user.stores.find((s) => s.id === storeId) };
}
