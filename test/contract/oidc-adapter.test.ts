import { describeAdapterContract } from './oidc-adapter-contract.ts';
import { STORE_BACKENDS } from './store-harnesses.ts';

for (const [name, open] of STORE_BACKENDS) describeAdapterContract(name, open);
