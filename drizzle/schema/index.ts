export * from './regions.ts';
export * from './catalog.ts';
export * from './organizations.ts';
export * from './stores.ts';
export * from './users.ts';
export * from './ledger.ts';
export * from './dispatch.ts';
export * from './reserves.ts';
