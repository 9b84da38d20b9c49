// The adapter contract (test/support/adapter-contract.ts) against the playground.
import { adapterContract } from '../support/adapter-contract.ts';
import { playgroundDriver } from '../support/contract-drivers.ts';

adapterContract(playgroundDriver);
