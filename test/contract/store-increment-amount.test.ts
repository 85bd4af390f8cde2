import { describeIncrementAmountContract } from './increment-amount-contract.ts';
import { STORE_BACKENDS } from './store-harnesses.ts';

for (const [name, open] of STORE_BACKENDS) describeIncrementAmountContract(name, open);
