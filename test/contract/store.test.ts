import { describeStoreContract } from './store-contract.ts';
import { STORE_BACKENDS } from './store-harnesses.ts';

for (const [name, openStoreForTest] of STORE_BACKENDS) describeStoreContract(name, openStoreForTest);
