/**
 * Turns off ONNX Runtime's POSIX telemetry (added in onnxruntime 1.29) unless the operator set
 * ORT_DISABLE_TELEMETRY themselves. Two reasons:
 * - Privacy: it uploads usage events to Microsoft from every process that creates an ORT environment,
 *   which a bot that promises to keep members' faces on the machine should not do silently.
 * - A crash: creating that environment runs libstdc++ std::regex over /proc/self/cmdline, which recurses
 *   about 290 bytes of stack per byte of the process's arguments. A worker thread (4 MB stack) dies with
 *   SIGSEGV from about 15 KB of arguments, e.g. `lookalike infer $(find photos -type f)` (issue 20;
 *   docs/upstream/onnxruntime-worker-stack.md has the measurements).
 * ORT reads the variable with getenv when its environment is first created, so it must be set in the
 * process's real environment (the main thread's process.env; a worker's is a copy) before the first
 * session. Entry points call this before they start an engine.
 */
export function quietOnnxRuntime(env: NodeJS.ProcessEnv = process.env): void {
  env.ORT_DISABLE_TELEMETRY ??= '1';
}
