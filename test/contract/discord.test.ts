// The adapter contract (test/support/adapter-contract.ts) against Discord's stand-in.
import { adapterContract } from '../support/adapter-contract.ts';
import { discordDriver } from '../support/contract-drivers.ts';

adapterContract(discordDriver);
