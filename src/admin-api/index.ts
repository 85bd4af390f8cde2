export { ADMIN_API_PREFIX, createAdminApi } from './create-admin-api.ts';
export type { AdminApiConfigSlice } from './create-admin-api.ts';
export type { AdminCallsOptions } from './admin-calls.ts';
