// The adapter contract (test/support/adapter-contract.ts) against Slack's stand-in.
import { adapterContract } from '../support/adapter-contract.ts';
import { slackDriver } from '../support/contract-drivers.ts';

adapterContract(slackDriver);
