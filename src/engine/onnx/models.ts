/** The four ONNX models, by the stem of their file name in models/. */
export type OnnxModel = 'blazeface' | 'faceres' | 'landmarks68' | 'dlib-resnet';

/** Receives a model's input tensor (NCHW float32) just before it runs: build:models records them to calibrate int8. */
export type InputTap = (model: OnnxModel, data: Float32Array, dims: readonly number[]) => void;

/**
 * Receives the wall and CPU milliseconds (the whole process's, so ONNX Runtime's thread counts) of each
 * step of `analyze`, by name: tools/bench-stages.ts profiles with it.
 */
export type StageHook = (stage: string, wallMs: number, cpuMs: number) => void;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Times `work` into `hook` under `stage`; without a hook it only runs it. */
export function timed<T>(hook: StageHook | undefined, stage: string, work: () => T): T {
  if (!hook) return work();
  const [wall, cpu] = [performance.now(), cpuMs()];
  const out = work();
  hook(stage, performance.now() - wall, cpuMs() - cpu);
  return out;
}

/** `timed` for async work. */
export async function timedAsync<T>(
  hook: StageHook | undefined,
  stage: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!hook) return work();
  const [wall, cpu] = [performance.now(), cpuMs()];
  const out = await work();
  hook(stage, performance.now() - wall, cpuMs() - cpu);
  return out;
}
