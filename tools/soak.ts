// `npm run soak`: issue 12's overload figures. Bursts of photos from 30 members, faster than the pool
// infers, through the Discord and Slack stand-ins into the real app; prints what every member got. The
// last burst, 600 photos from 120 members all under their rate limit, is past what the pool takes.
// `npm run soak -- --phases discord:150:30,slack:300:30` picks other bursts (platform:photos:members).
import { parseArgs } from 'node:util';
import { formatReport, runSoak, type SoakPhase } from './lib/soak.ts';

// Issue 12's targets: lag p99 under 100 ms; the bound on RSS is the one the README states.
const TARGETS = { lagP99Ms: 100, rssMiB: 1_024 };
const DEFAULT_PHASES = 'discord:150:30,discord:300:30,slack:300:30,discord:600:120';

function phases(spec: string): SoakPhase[] {
  return spec.split(',').map((part) => {
    const [platform, photos, members] = part.split(':');
    if ((platform !== 'discord' && platform !== 'slack') || !Number(photos) || !Number(members)) {
      throw new Error(`bad phase "${part}": use platform:photos:members, e.g. discord:300:30`);
    }
    return { platform, photos: Number(photos), members: Number(members) };
  });
}

const { values } = parseArgs({ options: { phases: { type: 'string', default: DEFAULT_PHASES } } });
const started = performance.now();
const reports = await runSoak({
  phases: phases(values.phases),
  log: (line) => process.stderr.write(`${line}\n`),
});
for (const r of reports) console.log(formatReport(r, TARGETS).join('\n'));
console.log(`soak done in ${Math.round((performance.now() - started) / 1000)} s`);
process.exit(reports.every((r) => r.lost === 0 && r.doubled === 0) ? 0 : 1);
