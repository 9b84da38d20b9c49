// The short version of `npm run soak`: bursts of photos from several members, all at once, through the
// Discord and Slack stand-ins into the real app and engine pool. Nothing is lost or answered twice, every
// interaction is acknowledged within the platforms' 3 s, and the per-member rate limit holds. The figures
// are printed; their targets belong to `npm run soak`, not to this test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport, runSoak } from '../../tools/lib/soak.ts';

describe('soak: short bursts through the Discord and Slack stand-ins', { timeout: 300_000 }, () => {
  it('acknowledges every interaction within 3 s and answers each exactly once', async () => {
    const reports = await runSoak({
      phases: [
        // Six photos each: the sixth is past the burst of five that the rate limit allows.
        { platform: 'discord', photos: 48, members: 8 },
        { platform: 'slack', photos: 40, members: 8 },
      ],
    });
    for (const r of reports) {
      console.log(formatReport(r, { lagP99Ms: 100, rssMiB: 1_024 }).join('\n'));
      const what = `${r.phase.platform}: ${JSON.stringify(r.outcomes)}`;
      assert.equal(r.lost, 0, `${what}: nothing lost`);
      assert.equal(r.doubled, 0, `${what}: nothing answered twice`);
      assert.equal(r.exactlyOnce, r.interactions, what);
      assert.equal(r.ackedInTime, r.interactions, `${what}: every one acknowledged within 3 s`);
      assert.equal(r.outcomes.error, 0, `${what}: no error replies`);
      assert.ok(r.maxTakenPerMember <= r.allowedPerMember, `${what}: the rate limit holds`);
      assert.ok(r.outcomes.result > 0, what);
    }
    const [discord] = reports;
    assert.equal(
      discord!.outcomes.result + discord!.outcomes.busy + discord!.outcomes.rate_limited,
      48,
      'each photo is a result, a busy or a rate-limit refusal',
    );
  });
});
