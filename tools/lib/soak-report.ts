// The soak's figures: what each followed interaction got, summed up per phase, and printed.
import { DEFAULT_RATE_LIMIT } from '../../src/chat/rate-limit.ts';

/** How often the event-loop delay is sampled; every sample includes it, so it is taken off again. */
export const LAG_RESOLUTION_MS = 10;

/** One burst: `photos` photos from `members` members, through one platform's stand-in. */
export interface SoakPhase {
  platform: 'discord' | 'slack';
  photos: number;
  members: number;
}

/** What an interaction was finally answered with. */
export type AnswerKind = 'result' | 'busy' | 'rate_limited' | 'error';

/** One followed interaction (a slash command on Discord, a mentioned photo on Slack). */
export interface Tracked {
  member: string;
  sentAt: number;
  /** When the platform got its acknowledgement (Discord's callback, Slack's envelope ack). */
  ackAt?: number;
  /** Every answer it got: exactly one is right. */
  finals: { at: number; outcome: AnswerKind }[];
  /** Whether the member was told their place in the queue. */
  noted: boolean;
  /** Requests the bot made for it (callbacks, edits, follow-ups; Web API calls in its thread). */
  requests: number;
}

/** A phase's figures. */
export interface PhaseReport {
  phase: SoakPhase;
  interactions: number;
  /** Acknowledged within Discord's (and Slack's) 3 s. */
  ackedInTime: number;
  ackP50Ms: number;
  ackMaxMs: number;
  exactlyOnce: number;
  lost: number;
  doubled: number;
  outcomes: Record<AnswerKind, number>;
  /** Told their place in the queue before the answer. */
  noted: number;
  /** Mean requests the bot made for a "busy" refusal. */
  busyRequests: number;
  /** Members who got at least one lookalike answer. */
  membersAnswered: number;
  waitP50Ms: number;
  waitP90Ms: number;
  waitMaxMs: number;
  lagP50Ms: number;
  lagP99Ms: number;
  peakRssMiB: number;
  /** Most commands one member got past the rate limit, and what the limit allows over the burst. */
  maxTakenPerMember: number;
  allowedPerMember: number;
  dispatchedMs: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sums up a phase. */
export function report(
  phase: SoakPhase,
  tracked: Tracked[],
  measured: { lagP50Ms: number; lagP99Ms: number; peakRss: number; dispatchedMs: number },
): PhaseReport {
  const acks = tracked.map((t) => (t.ackAt === undefined ? Number.POSITIVE_INFINITY : t.ackAt - t.sentAt));
  const outcomes: Record<AnswerKind, number> = { result: 0, busy: 0, rate_limited: 0, error: 0 };
  const waits: number[] = [];
  const byMember = new Map<string, { taken: number; answered: boolean; first: number; last: number }>();
  const busy: number[] = [];
  for (const t of tracked) {
    const first = t.finals[0];
    const m = byMember.get(t.member) ?? { taken: 0, answered: false, first: t.sentAt, last: t.sentAt };
    m.last = Math.max(m.last, t.sentAt);
    byMember.set(t.member, m);
    if (!first) continue;
    outcomes[first.outcome]++;
    if (first.outcome !== 'rate_limited') m.taken++;
    if (first.outcome === 'busy') busy.push(t.requests);
    if (first.outcome === 'result') {
      m.answered = true;
      waits.push(first.at - t.sentAt);
    }
  }
  // The limiter refills one token every refillMs: over a member's burst it may let through this many.
  const { capacity, refillMs } = DEFAULT_RATE_LIMIT;
  const members = [...byMember.values()];
  const span = Math.max(...members.map((m) => m.last - m.first));
  return {
    phase,
    interactions: tracked.length,
    ackedInTime: acks.filter((ms) => ms <= 3_000).length,
    ackP50Ms: percentile(acks, 50),
    ackMaxMs: Math.max(...acks),
    exactlyOnce: tracked.filter((t) => t.finals.length === 1).length,
    lost: tracked.filter((t) => t.finals.length === 0).length,
    doubled: tracked.filter((t) => t.finals.length > 1).length,
    outcomes,
    noted: tracked.filter((t) => t.noted).length,
    busyRequests: busy.length === 0 ? 0 : busy.reduce((a, b) => a + b, 0) / busy.length,
    membersAnswered: members.filter((m) => m.answered).length,
    waitP50Ms: percentile(waits, 50),
    waitP90Ms: percentile(waits, 90),
    waitMaxMs: waits.length === 0 ? 0 : Math.max(...waits),
    lagP50Ms: measured.lagP50Ms,
    lagP99Ms: measured.lagP99Ms,
    peakRssMiB: measured.peakRss / 2 ** 20,
    maxTakenPerMember: Math.max(...members.map((m) => m.taken)),
    allowedPerMember: capacity + Math.floor(span / refillMs),
    dispatchedMs: measured.dispatchedMs,
  };
}

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'never');
const pct = (n: number, of: number) => `${of === 0 ? 0 : Math.round((1000 * n) / of) / 10} %`;

/** The phase's figures as lines for the terminal, with issue 12's targets. */
export function formatReport(r: PhaseReport, targets: { lagP99Ms: number; rssMiB: number }): string[] {
  const { phase, interactions: n, outcomes: o } = r;
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  return [
    `${phase.platform}: ${n} photos from ${phase.members} members, dispatched in ${ms(r.dispatchedMs)}`,
    `  acknowledged within 3 s   ${pct(r.ackedInTime, n)} (p50 ${ms(r.ackP50Ms)}, max ${ms(r.ackMaxMs)})`,
    `  answered exactly once     ${pct(r.exactlyOnce, n)}: ${o.result} results, ${o.busy} busy, ${o.rate_limited} rate-limited, ${o.error} errors`,
    `  lost                      ${r.lost} [${mark(r.lost === 0)}: target 0]`,
    `  doubled                   ${r.doubled} [${mark(r.doubled === 0)}: target 0]`,
    `  told their place          ${r.noted}; a busy refusal cost ${r.busyRequests.toFixed(1)} requests`,
    `  members answered          ${pct(r.membersAnswered, phase.members)}; wait p50 ${ms(r.waitP50Ms)}, p90 ${ms(r.waitP90Ms)}, max ${ms(r.waitMaxMs)}`,
    `  rate limit                at most ${r.maxTakenPerMember} taken per member, ${r.allowedPerMember} allowed [${mark(r.maxTakenPerMember <= r.allowedPerMember)}]`,
    `  event-loop lag            p50 ${r.lagP50Ms.toFixed(1)} ms, p99 ${r.lagP99Ms.toFixed(1)} ms [${mark(r.lagP99Ms < targets.lagP99Ms)}: target p99 < ${targets.lagP99Ms} ms]`,
    `  peak RSS                  ${Math.round(r.peakRssMiB)} MiB [${mark(r.peakRssMiB < targets.rssMiB)}: bound ${targets.rssMiB} MiB]`,
  ];
}
