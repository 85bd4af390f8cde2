export { isExpiring, UpstreamTokenVault } from './upstream-token-vault.ts';
export type { UpstreamTokenSet, UpstreamTokenVaultOptions } from './upstream-token-vault.ts';
