export { findGrant, listGrants } from './grant-records.ts';
export type { GrantFilter, GrantRecord, GrantResource } from './grant-records.ts';
export { findClient, listClients } from './client-records.ts';
export type { ClientRecord } from './client-records.ts';
export { announceGrantsRevoked, revokeGrant } from './revoke-stored-grant.ts';
