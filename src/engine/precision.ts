import { readFileSync } from 'node:fs';
import type { Precision } from '../domain/tuning.ts';

/** What FACE_PRECISION may ask for (parsed in src/config). */
export type PrecisionChoice = Precision | 'auto';

/**
 * True when the CPU has int8 dot-product instructions (AVX-512 VNNI or AVX-VNNI), read from
 * /proc/cpuinfo. Without them ONNX Runtime's u8×s8 kernels fall back to instructions whose 16-bit
 * intermediate sums can saturate (`reduce_range` exists for that) and gain less, so auto stays fp32.
 */
export function cpuHasVnni(cpuinfo?: string): boolean {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      // Not Linux (or no /proc): no way to tell, so the safe choice.
      return false;
    }
  }
  const flags = /^flags\s*:(.*)$/m.exec(text)?.[1]?.split(/\s+/) ?? [];
  return flags.includes('avx512_vnni') || flags.includes('avx_vnni');
}

/** The precision a choice means on this machine. */
export function resolvePrecision(choice: PrecisionChoice = 'auto', cpuinfo?: string): Precision {
  if (choice !== 'auto') return choice;
  return cpuHasVnni(cpuinfo) ? 'int8' : 'fp32';
}
